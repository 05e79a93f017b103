using System.Globalization;
using System.Text;

namespace Demo.Reports;

/// <summary>
/// A table of text cells, printed three ways: fitted to a console width (<see cref="Render"/>), as CSV and as markdown.
/// On the console nothing is cut inside a word: header text and the first (key) column's text wrap at spaces, and a
/// word too long for its column after '-', '_', '/' or '.' (<see cref="Wrap"/>); data cells never wrap (a score and
/// its rank stay on one line; a '\n' in a cell starts a line of its own). Data columns that do not fit beside the
/// key column go to further blocks under the first, each repeating the key column. The first column is left-aligned,
/// the others right-aligned.
/// </summary>
public sealed class TextTable(string[] header)
{
    /// <summary>A line above the table (the first block).</summary>
    public string? Title { get; init; }

    /// <summary>Column headers; the first names the key column.</summary>
    public string[] Header { get; } = header;

    /// <summary>The rows, one cell per column.</summary>
    public List<string[]> Rows { get; } = [];

    /// <summary>Lines under the table (legend, notes), wrapped at spaces to the width.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>The console width when output goes to a pipe or a file.</summary>
    public const int PipedWidth = 100;

    // Below this a table cannot show a 17-character name beside one score; narrower consoles get this width.
    private const int MinimumWidth = 40;

    /// <summary>
    /// The width tables are fitted to: the console's columns; <see cref="PipedWidth"/> when output is redirected or the
    /// console does not say; <c>COLUMNS</c> from the environment when it is set to a whole number.
    /// </summary>
    public static int ConsoleWidth()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture,
                         out int columns)
            && columns > 0) return Math.Max(MinimumWidth, columns);
        if (Console.IsOutputRedirected) return PipedWidth;
        try
        {
            int width = Console.WindowWidth;
            return width > 0 ? Math.Max(MinimumWidth, width) : PipedWidth;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return PipedWidth;
        }
    }

    /// <summary>Adds a row of exactly one cell per column.</summary>
    public TextTable Add(params string[] cells)
    {
        if (cells.Length != Header.Length)
            throw new ArgumentException($"a row of {cells.Length} cells in a table of {Header.Length} columns",
                                        nameof(cells));
        Rows.Add(cells);
        return this;
    }

    /// <summary>The table in the given format: <see cref="Render"/> at <paramref name="width"/>, CSV or
    /// markdown.</summary>
    public string Format(TableFormat format, int width) => format switch
    {
        TableFormat.Csv => ToCsv(),
        TableFormat.Markdown => ToMarkdown(),
        _ => Render(width),
    };

    /// <summary>Whether <see cref="Render"/> at <paramref name="width"/> shows every column in one block, no line
    /// wider than <paramref name="width"/>.</summary>
    public bool FitsOneBlock(int width)
    {
        var lines = Render(width).Split('\n');
        return lines.Count(l => l.StartsWith('╭')) == 1 && lines.All(l => l.Length <= width);
    }

    /// <summary>The table fitted to <paramref name="width"/> columns, then its notes; lines end with '\n'.</summary>
    public string Render(int width)
    {
        int n = Header.Length;
        var cells = Rows.Select(r => r.Select(c => c.Split('\n')).ToArray()).ToList();
        // A data column is as wide as its widest cell line, or its header's longest word if that is wider.
        var widths = new int[n];
        for (int c = 1; c < n; c++)
            widths[c] = Math.Max(cells.Select(r => r[c].Max(l => l.Length)).DefaultIfEmpty(0).Max(),
                                 MinWidth(Header[c]));
        // The key column wraps its text: as wide as its longest line at most, its longest word at least.
        int keyNatural = Math.Max(Header[0].Length, cells.Select(r => r[0].Max(l => l.Length)).DefaultIfEmpty(0).Max());
        int keyMinimum = Math.Max(MinWidth(Header[0]), cells.Select(r => r[0].Max(MinWidth)).DefaultIfEmpty(0).Max());
        // A line is "│" then " cell │" per column: each column costs its width + 3.
        int data = Enumerable.Range(1, n - 1).Sum(c => widths[c] + 3);
        var blocks = new List<int[]>();
        if (1 + keyNatural + 3 + data <= width || 1 + keyMinimum + 3 + data <= width)
        {
            widths[0] = Math.Min(keyNatural, width - 4 - data);
            blocks.Add(Enumerable.Range(1, n - 1).ToArray());
        }
        else
        {
            int widest = Enumerable.Range(1, n - 1).Select(c => widths[c] + 3).DefaultIfEmpty(0).Max();
            widths[0] = Math.Max(keyMinimum, Math.Min(keyNatural, width - 4 - widest));
            var block = new List<int>();
            int used = 4 + widths[0];
            for (int c = 1; c < n; c++)
            {
                if (block.Count > 0 && used + widths[c] + 3 > width)
                {
                    blocks.Add([.. block]);
                    block.Clear();
                    used = 4 + widths[0];
                }
                block.Add(c);
                used += widths[c] + 3;
            }
            blocks.Add([.. block]);
        }

        var text = new StringBuilder();
        if (Title is not null) Line(text, Title);
        for (int b = 0; b < blocks.Count; b++)
        {
            if (b > 0) text.Append('\n');
            int[] columns = [0, .. blocks[b]];
            Border(text, columns, widths, '╭', '┬', '╮');
            var headers = columns.Select(c => Wrap(Header[c], widths[c]).ToArray()).ToArray();
            RowLines(text, columns, widths, headers);
            Border(text, columns, widths, '├', '┼', '┤');
            foreach (var row in cells)
                RowLines(text, columns, widths,
                         columns.Select(c =>
                             c == 0 ? row[0].SelectMany(l => Wrap(l, widths[0])).ToArray() : row[c]).ToArray());
            Border(text, columns, widths, '╰', '┴', '╯');
        }
        foreach (var note in Notes)
            foreach (var line in Wrap(note, width, breakAfter: "")) Line(text, line);
        return text.ToString();
    }

    private static void Line(StringBuilder text, string line) => text.Append(line.TrimEnd()).Append('\n');

    private static void Border(StringBuilder text, int[] columns, int[] widths, char left, char middle, char right)
    {
        text.Append(left);
        for (int i = 0; i < columns.Length; i++)
            text.Append('─', widths[columns[i]] + 2).Append(i == columns.Length - 1 ? right : middle);
        text.Append('\n');
    }

    // One table row: as many lines as its tallest cell; the key column left-aligned, the others right-aligned.
    private static void RowLines(StringBuilder text, int[] columns, int[] widths, string[][] lines)
    {
        int height = lines.Max(l => l.Length);
        for (int k = 0; k < height; k++)
        {
            text.Append('│');
            for (int i = 0; i < columns.Length; i++)
            {
                string cell = k < lines[i].Length ? lines[i][k] : "";
                int w = widths[columns[i]];
                text.Append(' ').Append(columns[i] == 0 ? cell.PadRight(w) : cell.PadLeft(w)).Append(" │");
            }
            text.Append('\n');
        }
    }

    /// <summary>The characters after which <see cref="Wrap"/> may break a line (besides spaces).</summary>
    public const string BreakAfter = "-_/.";

    /// <summary>The longest piece of <paramref name="text"/> that <see cref="Wrap"/> never breaks.</summary>
    public static int MinWidth(string text) =>
        Pieces(text, BreakAfter).Select(p => p.Text.Length).DefaultIfEmpty(0).Max();

    /// <summary>
    /// Greedy word wrap to <paramref name="width"/>: lines break at spaces (dropped); a word (text between spaces)
    /// that fits on a line is never broken, a longer one breaks after the characters of <paramref name="breakAfter"/>
    /// (<c>binary_crossentropy</c> stays whole where 19 characters fit, <c>connection-weights</c> in 11 becomes
    /// <c>connection-</c> and <c>weights</c>); a piece longer than the width is never cut and takes a line of its own.
    /// </summary>
    public static List<string> Wrap(string text, int width, string breakAfter = BreakAfter)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var (word, _) in Pieces(text, ""))
        {
            IEnumerable<(string Text, bool Spaced)> pieces = word.Length <= width ? [(word, true)]
                : Pieces(word, breakAfter).Select((p, i) => (p.Text, i == 0));
            foreach (var (piece, spaced) in pieces)
            {
                int extra = line.Length > 0 && spaced ? 1 : 0;
                if (line.Length > 0 && line.Length + extra + piece.Length > width)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                    extra = 0;
                }
                if (extra > 0) line.Append(' ');
                line.Append(piece);
            }
        }
        if (line.Length > 0 || lines.Count == 0) lines.Add(line.ToString());
        return lines;
    }

    // The unbreakable pieces of a text, each with whether a space came before it.
    private static IEnumerable<(string Text, bool Spaced)> Pieces(string text, string breakAfter)
    {
        var piece = new StringBuilder();
        bool spaced = false;
        foreach (char ch in text)
        {
            if (ch == ' ')
            {
                if (piece.Length > 0) yield return (piece.ToString(), spaced);
                piece.Clear();
                spaced = true;
                continue;
            }
            piece.Append(ch);
            if (breakAfter.Contains(ch))
            {
                yield return (piece.ToString(), spaced);
                piece.Clear();
                spaced = false;
            }
        }
        if (piece.Length > 0) yield return (piece.ToString(), spaced);
    }

    /// <summary>RFC 4180 CSV: a header line, a line per row; a cell's line breaks become spaces.</summary>
    public string ToCsv()
    {
        var csv = new StringBuilder();
        foreach (var row in Rows.Prepend(Header))
            csv.Append(string.Join(',', row.Select(c => CsvField(c.Replace('\n', ' '))))).Append('\n');
        return csv.ToString();
    }

    private static readonly System.Buffers.SearchValues<char> CsvSpecial =
        System.Buffers.SearchValues.Create(",\"\n\r");

    /// <summary>A CSV field: quoted (with doubled quotes) when it holds a comma, a quote or a line break.</summary>
    public static string CsvField(string field) =>
        field.AsSpan().ContainsAny(CsvSpecial) ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;

    /// <summary>The title as a heading, the table, then the notes as a list.</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        if (Title is not null) md.Append("## ").Append(Title).Append("\n\n");
        md.Append(Markdown(Header, Rows.Select(r => r.Select(c => c.Replace('\n', ' ')).ToArray())));
        if (Notes.Count > 0) md.Append('\n');
        foreach (var note in Notes) md.Append("- ").Append(Report.Cell(note)).Append('\n');
        return md.ToString();
    }

    /// <summary>A markdown table: the first column left-aligned, the others right-aligned; cells escaped by
    /// <see cref="Report.Cell"/> (emphasis such as **mean rank** kept).</summary>
    public static string Markdown(string[] header, IEnumerable<string[]> rows)
    {
        var md = new StringBuilder();
        md.Append("| ").Append(string.Join(" | ", header.Select(Report.Cell))).Append(" |\n|");
        md.Append(string.Concat(header.Select((_, c) => c == 0 ? "---|" : "---:|"))).Append('\n');
        foreach (var r in rows) md.Append("| ").Append(string.Join(" | ", r.Select(Report.Cell))).Append(" |\n");
        return md.ToString();
    }
}
