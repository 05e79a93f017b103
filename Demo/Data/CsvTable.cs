using System.Globalization;
using System.Text;

namespace Demo.Data;

/// <summary>
/// A CSV file read whole: a header line of column names, then data rows with as many fields. Fields are separated
/// by commas; a field may be quoted with double quotes ("" inside for a quote). Blank lines are skipped.
/// Every error names the file, the line (1-based, the header is line 1) and the column.
/// </summary>
public sealed class CsvTable
{
    private CsvTable(string path, string[] header, List<string[]> rows, List<int> lines)
    {
        Path = path;
        Header = header;
        Rows = rows;
        Lines = lines;
    }

    /// <summary>The file, as the user named it.</summary>
    public string Path { get; }

    /// <summary>Column names from the header line.</summary>
    public string[] Header { get; }

    /// <summary>The data rows' fields.</summary>
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>The file line of each data row (1-based).</summary>
    public IReadOnlyList<int> Lines { get; }

    /// <summary>Reads and checks the shape of a CSV file.</summary>
    public static CsvTable Read(string path)
    {
        if (Directory.Exists(path)) throw new InputException($"{path}: is a directory, not a CSV file");
        if (!File.Exists(path)) throw new InputException($"{path}: file not found");
        string[] text;
        try { text = File.ReadAllLines(path, Encoding.UTF8); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InputException($"{path}: cannot be read: {e.Message}"); }

        int first = Array.FindIndex(text, l => l.Trim().Length > 0);
        if (first < 0) throw new InputException($"{path}: the file is empty; expected a header line of column names, then one row per series and step");
        var header = Split(text[first], path, first + 1).Select(h => h.Trim()).ToArray();
        for (int c = 0; c < header.Length; c++)
        {
            if (header[c].Length == 0) throw new InputException($"{path}:{first + 1}: column {c + 1} of the header has no name");
            int dup = Array.IndexOf(header, header[c]);
            if (dup < c) throw new InputException($"{path}:{first + 1}: column {c + 1} repeats the name '{header[c]}' of column {dup + 1}");
        }

        var rows = new List<string[]>();
        var lines = new List<int>();
        for (int i = first + 1; i < text.Length; i++)
        {
            if (text[i].Trim().Length == 0) continue;
            var fields = Split(text[i], path, i + 1);
            if (fields.Length != header.Length)
                throw new InputException($"{path}:{i + 1}: {fields.Length} fields, but the header has {header.Length} columns");
            rows.Add(fields);
            lines.Add(i + 1);
        }
        if (rows.Count == 0) throw new InputException($"{path}:{first + 1}: only a header line, no data rows");
        return new CsvTable(path, header, rows, lines) { HeaderLine = first + 1 };
    }

    /// <summary>The index of a named column, or an error naming the option that asked for it and the columns there are.</summary>
    public int Column(string name, string what)
    {
        int c = Array.IndexOf(Header, name);
        if (c < 0) c = Array.FindIndex(Header, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
        if (c < 0) throw new InputException($"{Path}:{HeaderLine}: no column '{name}' ({what}); the columns are {string.Join(", ", Header)}");
        return c;
    }

    /// <summary>The first column named one of <paramref name="names"/> (case-insensitive), or -1.</summary>
    public int FindColumn(params string[] names)
    {
        foreach (var n in names)
        {
            int c = Array.FindIndex(Header, h => string.Equals(h, n, StringComparison.OrdinalIgnoreCase));
            if (c >= 0) return c;
        }
        return -1;
    }

    /// <summary>The line of the header (1-based).</summary>
    public int HeaderLine { get; private init; }

    /// <summary>Whether a cell parses as a number (finite or not).</summary>
    public static bool IsNumber(string cell) =>
        double.TryParse(cell.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>A finite number from a cell, or an error naming the file, line and column.</summary>
    public double Number(int row, int column)
    {
        string cell = Rows[row][column].Trim();
        if (cell.Length == 0) throw Cell(row, column, "is empty; missing values are not supported");
        if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw Cell(row, column, $"'{cell}' is not a number");
        if (!double.IsFinite(v)) throw Cell(row, column, $"'{cell}' is not a finite number (NaN and infinities are not allowed)");
        return v;
    }

    /// <summary>An error about one cell.</summary>
    public InputException Cell(int row, int column, string problem) =>
        new($"{Path}:{Lines[row]}: column '{Header[column]}' (column {column + 1}) {problem}");

    // Splits one line into fields; double quotes group a field and "" inside quotes is a quote.
    private static string[] Split(string line, string path, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else field.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(ch);
        }
        if (quoted) throw new InputException($"{path}:{lineNumber}: a quoted field is not closed");
        fields.Add(field.ToString());
        return fields.ToArray();
    }
}
