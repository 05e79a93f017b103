using System.Text;
using Demo.Data;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>The CSV reader and table read directly, on files written byte by byte: the delimiters refused, a file
/// that cannot be opened, the header's encoding check at its edges (a byte order mark alone, a character split across
/// the 64 KB read, a truncated character before the line break, blank lines before the header), the delimiter
/// detection's ties and its one decision, quoting at the end of a record, the line and field bounds, and what the
/// reader leaves open and allocates.</summary>
public sealed class CsvReaderTests : IDisposable
{
    private readonly TempDir _dir = new("csv-reader-");

    public void Dispose() => _dir.Dispose();

    private string Bytes(string name, byte[] content) => _dir.Bytes(name, content);

    private string Text(string name, string content) => _dir.Text(name, content);

    private static byte[] Cat(params object[] parts) =>
        parts.SelectMany(p => p switch
        {
            string s => Encoding.ASCII.GetBytes(s),
            byte[] b => b,
            _ => throw new ArgumentException("a part is a string or bytes"),
        }).ToArray();

    // Every record of a file as its fields, with the line each starts on.
    private static List<(int Line, string[] Fields)> Records(CsvReader reader)
    {
        var records = new List<(int, string[])>();
        while (reader.Read())
            records.Add((reader.Line, Enumerable.Range(0, reader.FieldCount).Select(i => reader.Field(i).ToString())
                                                 .ToArray()));
        return records;
    }

    private static List<(int Line, string[] Fields)> Records(string path, char? delimiter = null)
    {
        using var reader = new CsvReader(path, delimiter);
        return Records(reader);
    }

    [Theory]
    [InlineData('"', "--delimiter: '\"' cannot separate fields")]
    [InlineData('\r', "--delimiter: '\\r' cannot separate fields")]
    [InlineData('\n', "--delimiter: '\\n' cannot separate fields")]
    [InlineData('\0', "--delimiter: '\\0' cannot separate fields")]
    public void ADelimiterThatCannotSeparateFieldsIsRefused(char delimiter, string message)
    {
        string path = Text("ok.csv", "a,b\n1,2\n");
        var e = Assert.Throws<InputException>(() => new CsvReader(path, delimiter));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void ADirectoryIsRefusedByName()
    {
        var e = Assert.Throws<InputException>(() => new CsvReader(_dir.Path));
        Assert.Equal($"{_dir.Path}: is a directory, not a CSV file", e.Message);
    }

    [Fact]
    public void AFileHeldExclusivelyIsAnInputErrorAndDisposeLetsTheFileGo()
    {
        string path = Text("held.csv", "a,b\n1,2\n");
        using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var e = Assert.Throws<InputException>(() => new CsvReader(path));
            Assert.StartsWith($"{path}: cannot be read: ", e.Message);
        }
        // Read to the end with a delimiter detected (the reader is replaced once), then disposed: the file is free.
        string semicolons = Text("semi.csv", "a;b\n1;2\n");
        var reader = new CsvReader(semicolons);
        Assert.Equal(2, Records(reader).Count);
        reader.Dispose();
        using var exclusive = new FileStream(semicolons, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        Assert.True(exclusive.CanWrite);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE })]
    [InlineData(new byte[] { 0xFE, 0xFF })]
    public void AUtf16ByteOrderMarkAloneIsAnEmptyFileWithoutAWarning(byte[] bom)
    {
        using var reader = new CsvReader(Bytes("bom.csv", bom));
        Assert.False(reader.Read());
        Assert.Empty(reader.Warnings);
    }

    [Fact]
    public void AUtf16FileWithSemicolonsIsReadAgainInUtf16()
    {
        byte[] file = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("a;é\n1;2\n")];
        string path = Bytes("utf16.csv", file);
        using var reader = new CsvReader(path);
        var records = Records(reader);
        Assert.Equal(';', reader.Delimiter);
        Assert.Equal([["a", "é"], ["1", "2"]], records.Select(r => r.Fields));
        Assert.Equal([1, 2], records.Select(r => r.Line));
    }

    [Fact]
    public void AHeaderEndingInATruncatedCharacterIsReadAsLatin1()
    {
        using var reader = new CsvReader(Bytes("cut.csv", Cat("a,b", new byte[] { 0xC3 }, "\n1,2\n")));
        Assert.True(reader.Read());
        Assert.Equal("bÃ", reader.Field(1).ToString());
        Assert.Equal($"{reader.Path}:1: the header is not valid UTF-8; the file is read as Latin-1 (ISO-8859-1)",
                     Assert.Single(reader.Warnings));
    }

    [Fact]
    public void ACharacterSplitAcrossThe64KbReadOfALongHeaderIsValidUtf8()
    {
        // Bytes 65,535 and 65,536 are the two of an é: the first read of the header ends between them.
        string header = new string('x', 40000) + "," + new string('y', 25534) + "é,b";
        Assert.Equal(65535, Encoding.UTF8.GetByteCount(header[..header.IndexOf('é')]));
        using var reader = new CsvReader(Text("split.csv", header + "\n1,2,3\n"));
        Assert.True(reader.Read());
        Assert.Empty(reader.Warnings);
        Assert.EndsWith("yé", reader.Field(1).ToString());
    }

    [Fact]
    public void A16BitByteOrderAfterTheFirst64KbOfAHeaderIsNotAByteOrderMark()
    {
        // FF FE at byte 65,536 of the header is not UTF-8 there: the file is Latin-1.
        byte[] file = Cat(new string('x', 40000) + "," + new string('y', 25535), new byte[] { 0xFF, 0xFE },
                          ",b\n1,2,3\n");
        using var reader = new CsvReader(Bytes("late-bom.csv", file));
        Assert.True(reader.Read());
        Assert.Single(reader.Warnings);
        Assert.EndsWith("yÿþ", reader.Field(1).ToString());
    }

    [Fact]
    public void AHeaderWhoseLineBreakStartsTheSecond64KbReadEndsThere()
    {
        // The header is bytes 0-65,535 (the first read), its line break byte 65,536 (the first of the second read);
        // the row after it holds bytes that are not UTF-8 in the second read and at the start of the third.
        string header = new string('a', 40000) + "," + new string('b', 25535);
        byte[] file = Cat(header, "\n1,", new byte[] { 0xE9 }, new string('c', 65532), new byte[] { 0xE9 }, "\n");
        Assert.Equal(131072, Array.IndexOf(file, (byte)0xE9, 65540));
        using var reader = new CsvReader(Bytes("edge.csv", file));
        var records = Records(reader);
        Assert.Empty(reader.Warnings);
        Assert.Equal(header, string.Join(",", records[0].Fields));
        Assert.Equal("\uFFFD" + new string('c', 65532) + "\uFFFD", records[1].Fields[1]);
    }

    [Fact]
    public void AHeaderEndingInATruncatedCharacterAtTheEndOfThe64KbReadIsReadAsLatin1()
    {
        // Byte 65,535 is the first of a two-byte character and byte 65,536 the header's line break.
        byte[] file = Cat(new string('a', 40000) + "," + new string('b', 25534), new byte[] { 0xC3 }, "\n1,2\n");
        using var reader = new CsvReader(Bytes("cut-edge.csv", file));
        var records = Records(reader);
        Assert.Single(reader.Warnings);
        Assert.EndsWith("bÃ", records[0].Fields[1]);
    }

    [Theory]
    [InlineData("\n", 2)]
    [InlineData("\r\n \t\r\n", 3)]
    public void TheHeaderAfterBlankLinesIsTheLineWhoseEncodingIsChecked(string blank, int line)
    {
        byte[] file = Cat(blank, "name,caf", new byte[] { 0xE9 }, "\n1,2\n");
        using var reader = new CsvReader(Bytes("blank-first.csv", file));
        var records = Records(reader);
        Assert.Equal(["name", "café"], records[0].Fields);
        Assert.Equal($"{reader.Path}:{line}: the header is not valid UTF-8; the file is read as Latin-1 (ISO-8859-1)",
                     Assert.Single(reader.Warnings));
    }

    [Theory]
    [InlineData("\nname,caf")]
    [InlineData("name,caf")]
    public void AUtf8ByteOrderMarkIsFollowedEvenWhenABytePastItIsNotUtf8(string before)
    {
        byte[] file = Cat(Encoding.UTF8.GetPreamble(), before, new byte[] { 0xE9 }, "\n1,2\n");
        using var reader = new CsvReader(Bytes("bom-latin1.csv", file));
        var records = Records(reader);
        Assert.Equal(["name", "caf\uFFFD"], records[0].Fields);
        Assert.Empty(reader.Warnings);
    }

    [Fact]
    public void OneColumnIsReadWithACommaWithoutAWarningAndTheDecisionIsMadeOnce()
    {
        using var reader = new CsvReader(Text("one.csv", "value\n1\n2;3\n"));
        var records = Records(reader);
        Assert.Equal(',', reader.Delimiter);
        Assert.Empty(reader.Warnings);
        Assert.Equal([["value"], ["1"], ["2;3"]], records.Select(r => r.Fields));
    }

    [Theory]
    [InlineData("a;b\tc\n1;2\t3\n", ';')] // a tie goes to the semicolon
    [InlineData("a;b\tc\td\n1;2\t3\t4\n", '\t')]
    [InlineData("a;b;c\td\n1;2;3\t4\n", ';')]
    [InlineData("a;x,b\n1;2,3\n", ',')] // a comma in the header decides, whatever the first field holds
    public void TheDetectedDelimiterIsTheCommaOrTheMoreFrequentOfSemicolonAndTab(string csv, char delimiter)
    {
        using var reader = new CsvReader(Text("detect.csv", csv));
        var records = Records(reader);
        Assert.Equal(delimiter, reader.Delimiter);
        Assert.Equal(records[0].Fields.Length, records[1].Fields.Length);
        Assert.Equal(delimiter == ',' ? 0 : 1, reader.Warnings.Count);
    }

    [Fact]
    public void QuotedFieldsEndRecordsAtLfCrLfAndTheEndOfTheFile()
    {
        var records = Records(Text("quoted.csv", "a,b\r\n1,\"2\"\r\n\"x\"\"y\",\"4\"\n5,\"6\""));
        Assert.Equal([["a", "b"], ["1", "2"], ["x\"y", "4"], ["5", "6"]], records.Select(r => r.Fields));
        Assert.Equal([1, 2, 3, 4], records.Select(r => r.Line));
    }

    [Fact]
    public void ARecordSpanningLinesCountsThemAndTheNextRecordHasItsOwnLine()
    {
        var records = Records(Text("span.csv", "a,b\n\"1\n\n2\",3\n4,5\n"));
        Assert.Equal("1\n\n2", records[1].Fields[0]);
        Assert.Equal([1, 2, 5], records.Select(r => r.Line));
    }

    [Theory]
    [InlineData("a,b\n\"1\0\",2\n", "nul.csv:2:3: a NUL character; a CSV file is text")]
    [InlineData("a,b\n\"1\"\0,2\n", "nul.csv:2:4: text after the closing quote of field 1; quote the whole field")]
    [InlineData("a,b\n1\0,2\n", "nul.csv:2:2: a NUL character; a CSV file is text")]
    [InlineData("a,b\n\0,2\n", "nul.csv:2:1: a NUL character; a CSV file is text")] // not the end of the file
    public void ANulCharacterInsideOrAfterAQuotedFieldIsRefusedWhereItIs(string csv, string message)
    {
        string path = Text("nul.csv", csv);
        var e = Assert.Throws<InputException>(() => Records(path));
        Assert.Equal($"{_dir.Path}/{message}", e.Message);
    }

    [Fact]
    public void ARecordOfExactlyTheLongestLineIsReadAndOneCharacterMoreIsRefused()
    {
        // 256 fields of 65,536 characters fill MaxLineChars; a 257th field of one character does not fit.
        string field = new('x', CsvReader.MaxFieldChars);
        int fields = CsvReader.MaxLineChars / CsvReader.MaxFieldChars;
        string line = string.Join(",", Enumerable.Repeat(field, fields));
        var fit = Records(Text("longest.csv", line + "\n"));
        Assert.Equal(fields, fit[0].Fields.Length);
        var e = Assert.Throws<InputException>(() => Records(Text("longer.csv", line + ",y\n")));
        Assert.Equal($"{_dir.Path}/longer.csv:1:{CsvReader.MaxLineChars + fields + 1}: a line longer than " +
                     $"{CsvReader.MaxLineChars} characters", e.Message);
    }

    [Fact]
    public void ReadingASmallFileWithALongishLineAllocatesUnderAMegabyte()
    {
        // The record buffer doubles from 256 characters as a line needs it, up to MaxLineChars (32 MB); a line of
        // 1,000 characters needs 2 KB of it.
        string path = Text("small.csv", string.Join(",", Enumerable.Range(0, 200).Select(i => $"c{i:000}")) + "\n");
        Records(path);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Single(Records(path));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
    }
}
