using System.Globalization;

namespace Demo.Data;

/// <summary>
/// A CSV file read in one streaming pass (<see cref="CsvReader"/>) into compact columns: a header line of column
/// names, then data rows with as many fields. Text columns (series ids, times), chosen once the header is known,
/// keep each distinct value once and an index per row; every other column keeps a 32-bit float per row and, for the
/// whole column, how many cells are numbers and the first cell that is not (for the error naming its line and
/// column). Memory: 4 bytes per numeric cell; 1 byte per text cell while its column has at most 256 distinct values,
/// 2 while at most 65,536, else 4; each row's file line as runs of consecutive lines (nothing per row unless records
/// span lines or blank lines come between them: then at most 8 bytes a row); however long the lines.
/// Header checks are O(columns): names are looked up in a dictionary.
/// </summary>
public sealed partial class CsvTable
{
    /// <summary>What is wrong with a cell that is not a finite 32-bit number (DecimalComma: not a number, and a
    /// decimal written with a comma).</summary>
    private enum Problem : byte { None, Empty, NotANumber, DecimalComma, NotFinite, TooLarge }

    private readonly Dictionary<string, int> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _folded = new(StringComparer.OrdinalIgnoreCase);
    private int[] _numeric = [];         // column -> slot in a row's numbers, or -1 for a text column
    private int[] _textSlot = [];        // column -> slot in a row's text ids, or -1
    private readonly Chunked<float> _numbers = new();
    private Ids?[] _texts = [];          // text slot -> each row's id of its value; null once let go (KeepText)
    private readonly LineRuns _lines = new();
    private List<string>[] _distinct = [];
    private long[] _numberCount = [];
    private (int Row, Problem Problem, string Text)[] _firstBad = []; // column -> its first bad cell, quoted
    private float[] _first = [];         // column -> its first number
    private bool[] _varies = [];         // column -> whether a number differs from the first

    private CsvTable(string path, string[] header, int headerLine, char delimiter)
    {
        Path = path;
        Header = header;
        HeaderLine = headerLine;
        Delimiter = delimiter;
    }

    /// <summary>The field delimiter the file was read with.</summary>
    public char Delimiter { get; }

    /// <summary>Warnings about how the file was read (encoding, detected delimiter), one line each.</summary>
    public IReadOnlyList<string> Warnings { get; private set; } = [];

    /// <summary>The file, as the user named it.</summary>
    public string Path { get; }

    /// <summary>Column names from the header line.</summary>
    public string[] Header { get; }

    /// <summary>The line of the header (1-based).</summary>
    public int HeaderLine { get; }

    /// <summary>Data rows.</summary>
    public int RowCount { get; private set; }

    /// <summary>The file line of data row <paramref name="row"/> (1-based).</summary>
    public int Line(int row) => _lines[row];

    /// <summary>Lets go of the text cells of every text column but <paramref name="columns"/> (a later
    /// <see cref="Text"/> or <see cref="TextId"/> of another is a bug); their distinct values stay.</summary>
    public void KeepText(IReadOnlyCollection<int> columns)
    {
        for (int c = 0; c < Header.Length; c++)
            if (_textSlot[c] >= 0 && !columns.Contains(c)) _texts[_textSlot[c]] = null;
    }

    /// <summary>
    /// Reads <paramref name="path"/>. <paramref name="textColumns"/> is called once the header is read (the table has
    /// no rows yet) and names the columns to keep as text; every other column is read as numbers.
    /// <paramref name="delimiter"/> null detects a comma, semicolon or tab (<see cref="CsvReader"/>).
    /// </summary>
    public static CsvTable Read(string path, Func<CsvTable, IEnumerable<int>> textColumns, char? delimiter = null)
    {
        using var reader = new CsvReader(path, delimiter);
        if (!reader.Read())
            throw new InputException(
                $"{path}: the file is empty; expected a header line of column names, then one row per series and step");
        var header = new string[reader.FieldCount];
        var table = new CsvTable(path, header, reader.Line, reader.Delimiter);
        for (int c = 0; c < header.Length; c++)
        {
            string name = reader.Field(c).Trim().ToString();
            header[c] = name;
            if (name.Length == 0) throw new InputException(
                $"{path}:{reader.Line}: column {c + 1} of the header has no name" + (c == header.Length - 1 && c > 0
                    ? $" (the line ends with {CsvReader.DelimiterName(reader.Delimiter)}: remove the trailing " +
                      "delimiter from every line)"
                    : ""));
            if (!table._exact.TryAdd(name, c))
                throw new InputException(
                    $"{path}:{reader.Line}: column {c + 1} repeats the name {Engine.IO.ErrorText.Quote(name)} of " +
                        $"column {table._exact[name] + 1}");
            table._folded.TryAdd(name, c);
        }
        table.Layout(textColumns(table).Where(c => c >= 0).ToHashSet());
        while (reader.Read())
        {
            if (reader.FieldCount != header.Length)
                throw new InputException(
                    $"{path}:{reader.Line}: {reader.FieldCount} fields, but the header has {header.Length} columns" +
                        table.DelimiterHint(always: true));
            table.Add(reader);
        }
        table.Warnings = reader.Warnings;
        if (table.RowCount == 0) throw new InputException(
            $"{path}:{table.HeaderLine}: only a header line, no data rows");
        return table;
    }

    private void Layout(HashSet<int> text)
    {
        int n = Header.Length, numeric = 0, texts = 0;
        _numeric = new int[n];
        _textSlot = new int[n];
        for (int c = 0; c < n; c++)
        {
            _numeric[c] = text.Contains(c) ? -1 : numeric++;
            _textSlot[c] = text.Contains(c) ? texts++ : -1;
        }
        _numberCount = new long[n];
        _firstBad = new (int, Problem, string)[n];
        _first = new float[n];
        _varies = new bool[n];
        _distinct = new List<string>[texts];
        for (int t = 0; t < texts; t++) _distinct[t] = [];
        _texts = new Ids[texts];
        for (int t = 0; t < texts; t++) _texts[t] = new Ids();
        _lookup = new Dictionary<string, int>[texts];
        for (int t = 0; t < texts; t++) _lookup[t] = new Dictionary<string, int>(StringComparer.Ordinal);
    }

    private Dictionary<string, int>[] _lookup = [];

    private void Add(CsvReader reader)
    {
        if (RowCount == int.MaxValue) throw new InputException($"{Path}:{reader.Line}: more than {int.MaxValue} rows");
        int row = RowCount++;
        _lines.Add(row, reader.Line);
        for (int c = 0; c < Header.Length; c++)
        {
            var cell = reader.Field(c).Trim();
            if (_textSlot[c] is var t and >= 0)
            {
                var lookup = _lookup[t].GetAlternateLookup<ReadOnlySpan<char>>();
                if (!lookup.TryGetValue(cell, out int id))
                {
                    id = _distinct[t].Count;
                    string s = cell.ToString();
                    _distinct[t].Add(s);
                    _lookup[t].Add(s, id);
                }
                _texts[t]!.Add(id);
                continue;
            }
            var problem = Parse(cell, out float value);
            _numbers.Add(value);
            if (problem == Problem.None)
            {
                if (_numberCount[c]++ == 0) _first[c] = value;
                else if (value != _first[c]) _varies[c] = true;
            }
            else if (_firstBad[c].Problem == Problem.None)
                _firstBad[c] = (row, problem == Problem.NotANumber && DecimalComma().IsMatch(cell)
                    ? Problem.DecimalComma : problem, Engine.IO.ErrorText.Quote(cell.ToString()));
        }
    }

    private static readonly System.Buffers.SearchValues<char> NumberChars =
        System.Buffers.SearchValues.Create("+-.eE0123456789");

    // A finite 32-bit number: optional sign, digits, point, exponent (invariant culture, no group separators).
    private static Problem Parse(ReadOnlySpan<char> cell, out float value)
    {
        value = float.NaN;
        if (cell.IsEmpty) return Problem.Empty;
        if (cell.ContainsAnyExcept(NumberChars))
            return double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double special)
                && !double.IsFinite(special)
                ? Problem.NotFinite : Problem.NotANumber;
        const NumberStyles style =
            NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        if (!double.TryParse(cell, style, CultureInfo.InvariantCulture, out double d)) return Problem.NotANumber;
        value = (float)d;
        return float.IsFinite(value) ? Problem.None : Problem.TooLarge;
    }

    /// <summary>The index of a named column (exact name first, then ignoring case), or an error naming the option
    /// that asked for it and the columns there are.</summary>
    public int Column(string name, string what)
    {
        int c = FindColumn(name);
        if (c < 0)
            throw new InputException(
                $"{Path}:{HeaderLine}: no column {Engine.IO.ErrorText.Quote(name)} ({what}); the columns are " +
                    $"{Columns()}{DelimiterHint(always: false)}");
        return c;
    }

    // Which delimiter split the fields, and a hint when the header is one column with semicolons or tabs in it.
    private string DelimiterHint(bool always)
    {
        char other = Header.Length == 1 ? CsvReader.DetectDelimiter(Header[0]) : ',';
        bool hint = other != ',' && other != Delimiter;
        if (!always && !hint) return "";
        return $" (fields separated by {CsvReader.DelimiterName(Delimiter)}" +
               (!hint ? ")" : other == ';' ? "; the header has ';': try --delimiter ';')"
                                           : "; the header has tabs: try --delimiter tab)");
    }

    /// <summary>The first column named one of <paramref name="names"/> (exact, else ignoring case), or -1.</summary>
    public int FindColumn(params string[] names)
    {
        foreach (var n in names)
            if (_exact.TryGetValue(n, out int c) || _folded.TryGetValue(n, out c)) return c;
        return -1;
    }

    /// <summary>The column names for a message: all of them, or the first 20 and how many more.</summary>
    public string Columns() => Header.Length <= 20 ? string.Join(", ", Header)
        : $"{string.Join(", ", Header.Take(20))} and {Header.Length - 20} more";

    /// <summary>Whether any cell of a numeric column is a number.</summary>
    public bool HasNumbers(int column) => _numeric[column] >= 0 && _numberCount[column] > 0;

    /// <summary>Throws, naming the first cell of <paramref name="column"/> that is not a finite number, if
    /// any.</summary>
    public void CheckNumeric(int column)
    {
        if (_numeric[column] < 0) throw new InvalidOperationException($"column {column} was read as text");
        var (row, problem, text) = _firstBad[column];
        if (problem == Problem.None) return;
        throw Cell(row, column, problem switch
        {
            Problem.Empty => "is empty; missing values are not supported",
            Problem.NotFinite => $"{text} is not a finite number (NaN and infinities are not allowed)",
            Problem.TooLarge => $"{text} is too large for a 32-bit float",
            Problem.DecimalComma =>
                $"{text} is not a number: fields are separated by {CsvReader.DelimiterName(Delimiter)}; write " +
                    "decimals with a point and no thousands separators",
            _ => $"{text} is not a number",
        });
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[+-]?[0-9]*,[0-9]+$")]
    private static partial System.Text.RegularExpressions.Regex DecimalComma();

    /// <summary>Whether the first cell of a numeric column that is not a number is a decimal with a comma.</summary>
    public bool HasDecimalComma(int column) =>
        _numeric[column] >= 0 && _firstBad[column].Problem == Problem.DecimalComma;

    /// <summary>Whether every cell of a numeric column holds the same number (check it first); the number.</summary>
    public bool IsConstant(int column, out float value)
    {
        value = _first[column];
        return _numberCount[column] == RowCount && !_varies[column];
    }

    /// <summary>The first row (in file order) among <paramref name="columns"/> with a cell that is not a finite number;
    /// -1 when every cell is one.</summary>
    public int FirstBadColumn(IEnumerable<int> columns) =>
        columns.Where(c => _firstBad[c].Problem != Problem.None).OrderBy(c => _firstBad[c].Row).ThenBy(c =>
            c).DefaultIfEmpty(-1).First();

    /// <summary>The number in a numeric cell (check the column with <see cref="CheckNumeric"/> first).</summary>
    public float Number(int row, int column) =>
        _numbers[(long)row * (Header.Length - _distinct.Length) + _numeric[column]];

    /// <summary>The text of a text column's cell, trimmed.</summary>
    public string Text(int row, int column) => _distinct[_textSlot[column]][TextId(row, column)];

    /// <summary>The index of a text cell's distinct value (0, 1, ... in order of first appearance).</summary>
    public int TextId(int row, int column) =>
        (_texts[_textSlot[column]] ?? throw new InvalidOperationException("the text cells were let go"))[row];

    /// <summary>A text column's distinct values, in order of first appearance.</summary>
    public IReadOnlyList<string> Distinct(int column) => _distinct[_textSlot[column]];

    /// <summary>An error about one cell.</summary>
    public InputException Cell(int row, int column, string problem) =>
        new($"{Path}:{Line(row)}: column {Engine.IO.ErrorText.Quote(Header[column])} (column {column + 1}) {problem}");

    // A list in chunks of 2^16 values: grows without copying, so the peak is the content plus one chunk.
    private sealed class Chunked<T>
    {
        private const int Shift = 16, Size = 1 << Shift;
        private readonly List<T[]> _chunks = [];
        private long _count;

        public long Count => _count;

        public void Add(T value)
        {
            int at = (int)(_count & (Size - 1));
            if (at == 0) _chunks.Add(new T[_chunks.Count == 0 ? 1024 : Size]);
            else if (_chunks.Count == 1 && at == _chunks[0].Length)
            {
                var first = _chunks[0];
                Array.Resize(ref first, Math.Min(Size, 2 * first.Length));
                _chunks[0] = first;
            }
            _chunks[^1][at] = value;
            _count++;
        }

        public T this[long i] => _chunks[(int)(i >> Shift)][i & (Size - 1)];
    }

    // Each row's id of a text cell, as narrow as the distinct values so far allow: bytes while every id is below 256,
    // then 2 bytes while below 65,536, then 4. Widening copies the ids so far into the wider list, once each way.
    private sealed class Ids
    {
        private Chunked<byte>? _bytes = new();
        private Chunked<ushort>? _shorts;
        private Chunked<int>? _ints;

        public void Add(int id)
        {
            if (_bytes is not null && id > byte.MaxValue)
            {
                _shorts = new Chunked<ushort>();
                for (long i = 0; i < _bytes.Count; i++) _shorts.Add(_bytes[i]);
                _bytes = null;
            }
            if (_shorts is not null && id > ushort.MaxValue)
            {
                _ints = new Chunked<int>();
                for (long i = 0; i < _shorts.Count; i++) _ints.Add(_shorts[i]);
                _shorts = null;
            }
            if (_bytes is not null) _bytes.Add((byte)id);
            else if (_shorts is not null) _shorts.Add((ushort)id);
            else _ints!.Add(id);
        }

        public int this[long i] => _bytes is not null ? _bytes[i] : _shorts is not null ? _shorts[i] : _ints![i];
    }

    // The file line of each row, as runs: a run starts at a row and its line, and the rows after it in the run are on
    // the lines after it. One run unless a record spans lines (a quoted line break) or blank lines come between rows.
    private sealed class LineRuns
    {
        private readonly Chunked<int> _row = new(), _line = new();
        private int _lastRow = -1, _lastLine;

        public void Add(int row, int line)
        {
            if (_lastRow < 0 || line - _lastLine != row - _lastRow)
            {
                _row.Add(row);
                _line.Add(line);
            }
            (_lastRow, _lastLine) = (row, line);
        }

        public int this[int row]
        {
            get
            {
                // The last run starting at or before the row.
                long lo = 0, hi = _row.Count - 1;
                while (lo < hi)
                {
                    long mid = (lo + hi + 1) >>> 1;
                    if (_row[mid] <= row) lo = mid;
                    else hi = mid - 1;
                }
                return _line[lo] + (row - _row[lo]);
            }
        }
    }
}
