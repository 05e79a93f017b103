using System.Text;
using Engine.IO;

namespace Demo.Data;

/// <summary>
/// Reads a CSV file record by record with bounded memory (RFC 4180): fields separated by a delimiter (a comma, or a
/// semicolon or tab detected from a header with no comma, or the one given), a field may be quoted with double quotes
/// ("" inside for a quote; a quoted field may span lines), records end in \n or \r\n, blank lines are skipped.
/// Text is UTF-8 (or UTF-16/32 with a byte order mark); a header that is not valid UTF-8 makes the whole file read as
/// Latin-1, with a warning. Refused, with the file, line and character column: a NUL character, a quote inside an
/// unquoted field, text after a closing quote, a quoted field not closed by the end of the file, a field over
/// <see cref="MaxFieldChars"/> characters, a record over <see cref="MaxLineChars"/>. Only regular files are read (a
/// device or FIFO is refused before it is opened).
/// </summary>
public sealed class CsvReader : IDisposable
{
    /// <summary>Longest field.</summary>
    public const int MaxFieldChars = 1 << 16;

    /// <summary>Longest record (a header of a million short names fits).</summary>
    public const int MaxLineChars = 1 << 24;

    private readonly FileStream _stream;
    private readonly Encoding _encoding;
    private StreamReader _reader;
    private readonly char[] _buffer = new char[1 << 16];
    private int _length, _position;
    private char[] _record = new char[256];
    private int _recordLength;
    private int[] _starts = new int[16], _ends = new int[16];
    private int _line, _column;
    private char _delimiter;
    private bool _detect;

    /// <summary>Opens <paramref name="path"/>; <paramref name="delimiter"/> null detects a comma, semicolon or tab from
    /// the header.</summary>
    public CsvReader(string path, char? delimiter = null)
    {
        Path = path;
        _delimiter = delimiter ?? ',';
        _detect = delimiter is null;
        if (delimiter is '"' or '\r' or '\n' or '\0')
            throw new InputException($"--delimiter: {ErrorText.Quote(delimiter.ToString()!)} cannot separate fields");
        var status = FileStatus.Of(path);
        if (status.Kind == FileKind.Missing) throw new InputException($"{path}: file not found");
        if (status.Kind != FileKind.Regular) throw new InputException($"{path}: is {status.KindName}, not a CSV file");
        try
        {
            _stream = new FileStream(status.Resolved, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            Encoding encoding = new UTF8Encoding(false);
            bool utf8 = HeaderIsUtf8(_stream, out int headerLine);
            _stream.Position = 0;
            if (!utf8)
            {
                encoding = Encoding.Latin1;
                Warnings.Add($"{path}:{headerLine}: the header is not valid UTF-8; the file is read as Latin-1 " +
                             "(ISO-8859-1)");
            }
            _encoding = encoding;
            _reader = new StreamReader(_stream, encoding, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _stream?.Dispose();
            throw new InputException($"{path}: cannot be read: {e.Message}");
        }
    }

    /// <summary>Warnings about how the file was read (encoding, detected delimiter), one line each.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The field delimiter in use.</summary>
    public char Delimiter => _delimiter;

    /// <summary>How a delimiter is named in messages.</summary>
    public static string DelimiterName(char d) => d switch
    {
        ',' => "',' (comma)",
        ';' => "';' (semicolon)",
        '\t' => "tab",
        _ => ErrorText.Quote(d.ToString()),
    };

    // Whether the bytes of the header (the first line that is not blank: blank lines are skipped) are valid UTF-8
    // (true for a byte order mark, which the StreamReader then follows: a file that says it is UTF-8 is read so).
    // Reads at most the first MaxLineChars * 4 bytes, 64 KB at a time: a longer header is refused whatever its
    // encoding.
    // headerLine: the line the header is on (1 + the blank lines before it).
    private static bool HeaderIsUtf8(FileStream stream, out int headerLine)
    {
        headerLine = 1;
        var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var decoder = utf8.GetDecoder();
        var bytes = new byte[1 << 16];
        var chars = new char[utf8.GetMaxCharCount(bytes.Length)];
        long read = 0;
        bool text = false; // whether a byte other than a space, tab or line break came yet (the header began)
        while (read < 4L * MaxLineChars)
        {
            int n = stream.Read(bytes, 0, bytes.Length);
            if (read == 0 && n >= 2 && (bytes[0], bytes[1]) is (0xFF, 0xFE) or (0xFE, 0xFF)) break; // UTF-16/32 BOM
            if (read == 0 && n >= 3 && (bytes[0], bytes[1], bytes[2]) is (0xEF, 0xBB, 0xBF)) break; // UTF-8 BOM
            // The header's line break: the first after the first byte that is not blank.
            int from = text ? 0 : bytes.AsSpan(0, n).IndexOfAnyExcept(" \t\r\n"u8);
            if (!text) headerLine += bytes.AsSpan(0, from >= 0 ? from : n).Count((byte)'\n');
            text = from >= 0;
            int end = text && bytes.AsSpan(from, n - from).IndexOf((byte)'\n') is var at and >= 0 ? from + at : -1;
            int take = end >= 0 ? end : n;
            try { decoder.GetChars(bytes, 0, take, chars, 0, flush: end >= 0 || n == 0); }
            catch (DecoderFallbackException) { return false; }
            if (end >= 0 || n == 0) break;
            read += n;
        }
        return true;
    }

    /// <summary>The file, as the user named it.</summary>
    public string Path { get; }

    /// <summary>The line of the record last read (1-based).</summary>
    public int Line { get; private set; }

    /// <summary>Fields of the record last read.</summary>
    public int FieldCount { get; private set; }

    /// <summary>Field <paramref name="i"/> of the record last read, quotes removed.</summary>
    public ReadOnlySpan<char> Field(int i) => _record.AsSpan(_starts[i], _ends[i] - _starts[i]);

    /// <summary>The delimiter a header read as one comma-separated field was written with: a semicolon or a tab,
    /// whichever it holds more of (a semicolon on a tie), else a comma (a one-column file).</summary>
    internal static char DetectDelimiter(ReadOnlySpan<char> header)
    {
        int semicolons = header.Count(';'), tabs = header.Count('\t');
        return semicolons == 0 && tabs == 0 ? ',' : tabs > semicolons ? '\t' : ';';
    }

    /// <summary>Reads the next non-blank record; false at the end of the file. The first record read decides the
    /// delimiter when none was given: when it has one field and no comma, a semicolon or a tab, whichever that field
    /// holds (<see cref="DetectDelimiter"/>).</summary>
    public bool Read()
    {
        while (true)
        {
            int c = Peek();
            if (c < 0) return false;
            _line++;
            _column = 0;
            int start = _line;
            ReadRecord();
            Line = start;
            if (FieldCount == 1 && Field(0).IsWhiteSpace()) continue;
            if (_detect)
            {
                _detect = false;
                char found = FieldCount == 1 ? DetectDelimiter(Field(0)) : ',';
                if (found != ',')
                {
                    // Read from the start again with the delimiter found.
                    _delimiter = found;
                    _reader.Dispose();
                    _stream.Position = 0;
                    _reader = new StreamReader(_stream, _encoding, detectEncodingFromByteOrderMarks: true,
                                               leaveOpen: true);
                    _length = _position = 0;
                    _line = 0;
                    Warnings.Add($"{Path}:{start}: the header has no ',' but has {(found == ';' ? "';'" : "a tab")}: " +
                                 $"read with {DelimiterName(found)} as the delimiter (set it with --delimiter)");
                    continue;
                }
            }
            return true;
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
    }

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

    // One record into _record, field bounds into _starts/_ends.
    private void ReadRecord()
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

    // Reads an unquoted field and its delimiter; true when the line ended.
    private bool UnquotedField()
    {
        int start = _recordLength;
        while (true)
        {
            int c = Next();
            if (c == _delimiter) return false;
            switch (c)
            {
                case < 0 or '\n': return true;
                case '\r': continue;
                case '"':
                    throw Error($"a double quote inside an unquoted field (field {FieldCount + 1}); " +
                                "quote the whole field and double the quotes inside it");
                case '\0': throw Error("a NUL character; a CSV file is text");
                default:
                    Append((char)c, start, null);
                    break;
            }
        }
    }

    // Reads a quoted field (line breaks inside it are part of it) and its delimiter; true when the record ended.
    private bool QuotedField()
    {
        Next();
        var opened = (Line: _line, Column: _column);
        int start = _recordLength;
        while (true)
        {
            int c = Next();
            if (c < 0)
                throw new InputException($"{Path}:{opened.Line}:{opened.Column}: the quoted field {FieldCount + 1} " +
                                         "is not closed by the end of the file");
            if (c == '\0') throw Error("a NUL character; a CSV file is text");
            if (c == '\n')
            {
                Append('\n', start, opened);
                _line++;
                _column = 0;
                continue;
            }
            if (c != '"')
            {
                Append((char)c, start, opened);
                continue;
            }
            int after = Peek();
            if (after == '"')
            {
                Next();
                Append('"', start, opened);
                continue;
            }
            if (after == '\r') { Next(); after = Peek(); }
            if (after is < 0 or '\n')
            {
                Next();
                return true;
            }
            if (after == _delimiter)
            {
                Next();
                return false;
            }
            Next();
            throw Error($"text after the closing quote of field {FieldCount + 1}; quote the whole field");
        }
    }

    private void Append(char c, int fieldStart, (int Line, int Column)? quoted)
    {
        if (_recordLength - fieldStart >= MaxFieldChars)
            throw quoted is var (line, column)
                ? new InputException($"{Path}:{line}:{column}: the quoted field {FieldCount + 1} is not closed " +
                                     $"within " +
                                     $"{MaxFieldChars} characters (a missing closing quote?)")
                : Error($"a field longer than {MaxFieldChars} characters");
        if (_recordLength == _record.Length)
        {
            if (_record.Length >= MaxLineChars) throw Error($"a line longer than {MaxLineChars} characters");
            Array.Resize(ref _record, Math.Min(2 * _record.Length, MaxLineChars));
        }
        _record[_recordLength++] = c;
    }
}
