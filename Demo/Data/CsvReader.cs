using System.Text;
using Engine.IO;

namespace Demo.Data;

/// <summary>
/// Reads a CSV file record by record with bounded memory: fields separated by commas, a field may be quoted with
/// double quotes ("" inside for a quote), lines end in \n or \r\n, blank lines are skipped. Refused, with the file,
/// line and character column: a NUL character, a quote inside an unquoted field, text after a closing quote, a
/// quoted field not closed on its line, a field over <see cref="MaxFieldChars"/> characters, a line over
/// <see cref="MaxLineChars"/>. Only regular files are read (a device or FIFO is refused before it is opened).
/// </summary>
public sealed class CsvReader : IDisposable
{
    /// <summary>Longest field.</summary>
    public const int MaxFieldChars = 1 << 16;

    /// <summary>Longest line (a header of a million short names fits).</summary>
    public const int MaxLineChars = 1 << 24;

    private readonly StreamReader _reader;
    private readonly char[] _buffer = new char[1 << 16];
    private int _length, _position;
    private char[] _record = new char[256];
    private int _recordLength;
    private int[] _starts = new int[16], _ends = new int[16];
    private int _line, _column;

    public CsvReader(string path)
    {
        Path = path;
        var status = FileStatus.Of(path);
        if (status.Kind == FileKind.Missing) throw new InputException($"{path}: file not found");
        if (status.Kind == FileKind.Directory) throw new InputException($"{path}: is a directory, not a CSV file");
        if (status.Kind != FileKind.Regular) throw new InputException($"{path}: is {status.KindName}, not a CSV file");
        try
        {
            _reader = new StreamReader(new FileStream(status.Resolved, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16),
                                       Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot be read: {e.Message}");
        }
    }

    /// <summary>The file, as the user named it.</summary>
    public string Path { get; }

    /// <summary>The line of the record last read (1-based).</summary>
    public int Line { get; private set; }

    /// <summary>Fields of the record last read.</summary>
    public int FieldCount { get; private set; }

    /// <summary>Field <paramref name="i"/> of the record last read, quotes removed.</summary>
    public ReadOnlySpan<char> Field(int i) => _record.AsSpan(_starts[i], _ends[i] - _starts[i]);

    /// <summary>Reads the next non-blank record; false at the end of the file.</summary>
    public bool Read()
    {
        while (true)
        {
            int c = Peek();
            if (c < 0) return false;
            _line++;
            _column = 0;
            ReadLine();
            Line = _line;
            if (FieldCount > 1 || !Field(0).IsWhiteSpace()) return true;
        }
    }

    public void Dispose() => _reader.Dispose();

    private int Peek()
    {
        if (_position == _length)
        {
            try { _length = _reader.Read(_buffer, 0, _buffer.Length); }
            catch (IOException e) { throw new InputException($"{Path}: cannot be read: {e.Message}"); }
            _position = 0;
            if (_length == 0) return -1;
        }
        return _buffer[_position];
    }

    private int Next()
    {
        int c = Peek();
        if (c >= 0)
        {
            _position++;
            _column++;
        }
        return c;
    }

    private InputException Error(string problem) => new($"{Path}:{_line}:{_column}: {problem}");

    // One line into _record, field bounds into _starts/_ends.
    private void ReadLine()
    {
        _recordLength = 0;
        FieldCount = 0;
        while (true)
        {
            int start = _recordLength;
            bool endOfLine = Peek() == '"' ? QuotedField() : UnquotedField();
            if (FieldCount == _starts.Length)
            {
                Array.Resize(ref _starts, 2 * _starts.Length);
                Array.Resize(ref _ends, 2 * _ends.Length);
            }
            _starts[FieldCount] = start;
            _ends[FieldCount] = _recordLength;
            FieldCount++;
            if (endOfLine) return;
        }
    }

    // Reads an unquoted field and its separator; true when the line ended.
    private bool UnquotedField()
    {
        int start = _recordLength;
        while (true)
        {
            int c = Next();
            switch (c)
            {
                case < 0 or '\n': return true;
                case ',': return false;
                case '\r': continue;
                case '"':
                    throw Error($"a double quote inside an unquoted field (field {FieldCount + 1}); " +
                                "quote the whole field and double the quotes inside it");
                case '\0': throw Error("a NUL character; a CSV file is text");
                default:
                    Append((char)c, start);
                    break;
            }
        }
    }

    // Reads a quoted field and its separator; true when the line ended.
    private bool QuotedField()
    {
        Next();
        int start = _recordLength;
        while (true)
        {
            int c = Next();
            if (c < 0 || c == '\n' || c == '\r')
                throw Error($"the quoted field {FieldCount + 1} is not closed on its line");
            if (c == '\0') throw Error("a NUL character; a CSV file is text");
            if (c != '"')
            {
                Append((char)c, start);
                continue;
            }
            int after = Peek();
            if (after == '"')
            {
                Next();
                Append('"', start);
                continue;
            }
            if (after == '\r') { Next(); after = Peek(); }
            if (after is < 0 or '\n')
            {
                Next();
                return true;
            }
            if (after == ',')
            {
                Next();
                return false;
            }
            Next();
            throw Error($"text after the closing quote of field {FieldCount + 1}; quote the whole field");
        }
    }

    private void Append(char c, int fieldStart)
    {
        if (_recordLength - fieldStart >= MaxFieldChars) throw Error($"a field longer than {MaxFieldChars} characters");
        if (_recordLength == _record.Length)
        {
            if (_record.Length >= MaxLineChars) throw Error($"a line longer than {MaxLineChars} characters");
            Array.Resize(ref _record, Math.Min(2 * _record.Length, MaxLineChars));
        }
        _record[_recordLength++] = c;
    }
}
