using System.Diagnostics;
using System.Text;
using Demo.Data;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>Issue 11: the streaming CSV reader refuses NUL bytes and malformed quoting with line and column, never
/// reads a non-number as a number, never drops a column silently, and checks a huge header in linear time.</summary>
public class CsvCraftedTests(CliFixture fx) : IClassFixture<CliFixture>
{
    private string[] Train(string data, params string[] more) =>
        ["train", "--data", data, "--target", "alarm", "--model", Path.Combine(fx.Dir, "csv.safetensors"), "--epochs",
         "1", "--layers", "2", .. more];

    private string Csv(string name, string text) => fx.File(name, text);

    [Theory]
    [InlineData("nul.csv", "series,time,x,alarm\ns1,0,1\0,0\ns1,1,2,1\n", "nul.csv:2:7: a NUL character")]
    [InlineData("quote.csv", "series,time,x,alarm\ns1,0,2\"4\".5,0\ns1,1,2,1\n",
                "quote.csv:2:7: a double quote inside an unquoted field (field 3)")]
    [InlineData("after.csv", "series,time,x,alarm\ns1,0,\"2\"4,0\ns1,1,2,1\n",
                "after.csv:2:9: text after the closing quote of field 3")]
    [InlineData("open.csv", "series,time,x,alarm\ns1,0,\"2,0\ns1,1,2,1\n",
                "open.csv:2:6: the quoted field 3 is not closed by the end of the file")]
    [InlineData("group.csv", "series,time,x,alarm\ns1,0,\"1,000\",0\ns1,1,2,1\n",
                "group.csv:2: column 'x' (column 3) '1,000' is not a number")]
    [InlineData("comma.csv", "series,time,x,alarm\ns1,0,0,5,0\ns1,1,2,1\n",
                "comma.csv:2: 5 fields, but the header has 4 columns (fields separated by ',' (comma))")]
    [InlineData("first.csv", "series,time,x,y,alarm\ns1,0,abc,1,0\ns1,1,2,1,1\n",
                "first.csv:2: column 'x' (column 3) 'abc' is not a number")]
    [InlineData("later.csv", "series,time,x,y,alarm\ns1,0,1,1,0\ns1,1,2,oops,1\n",
                "later.csv:3: column 'y' (column 4) 'oops' is not a number")]
    [InlineData("empty.csv", "series,time,x,alarm\ns1,0,,0\ns1,1,2,1\n", "empty.csv:2: column 'x' (column 3) is empty")]
    [InlineData("nan.csv", "series,time,x,alarm\ns1,0,NaN,0\ns1,1,2,1\n", "'NaN' is not a finite number")]
    [InlineData("big.csv", "series,time,x,alarm\ns1,0,1e39,0\ns1,1,2,1\n", "'1e39' is too large for a 32-bit float")]
    [InlineData("target.csv", "series,time,x,alarm\ns1,0,1,yes\ns1,1,2,1\n",
                "target.csv:2: column 'alarm' (column 4) 'yes' is not a number")]
    [InlineData("dup.csv", "series,time,x,x,alarm\ns1,0,1,1,0\n",
                "dup.csv:1: column 4 repeats the name 'x' of column 3")]
    [InlineData("noname.csv", "series,time,,alarm\ns1,0,1,0\n", "noname.csv:1: column 3 of the header has no name")]
    [InlineData("trailing.csv", "series,time,x,alarm,\ns1,0,1,0,\n",
                "trailing.csv:1: column 5 of the header has no name (the line ends with ',' (comma): remove the " +
                "trailing delimiter from every line)")]
    public void CraftedCellsAreRefusedWithLineAndColumn(string name, string text, string message) =>
        Cli.Bad(Train(Csv(name, text)), message);

    [Fact]
    public void ANonNumberInTheFirstRowOfAnExplicitFeatureIsAnErrorToo() =>
        Cli.Bad(Train(Csv("explicit.csv", "series,time,x,y,alarm\ns1,0,-,1,0\ns1,1,2,1,1\n"), "--features", "x,y"),
            "explicit.csv:2: column 'x' (column 3) '-' is not a number");

    [Fact]
    public void QuotedNumbersCrLfBlankLinesAndTextColumnsAreRead()
    {
        string path = Csv("ok.csv",
                          "\uFEFFseries,time,site,x,alarm\r\n\"s,1\",0,north,\"1.5\",0\r\n\r\n"
                          + "\"s,1\",1,\"so\"\"uth\",-2e-1,1\r\n");
        var d = SeriesSet.Load(path, new DataOptions("alarm", null, null, null, null));
        Assert.Equal(["x"], d.FeatureNames);
        Assert.Equal(["s,1"], d.Ids);
        Assert.Equal([1.5f, -0.2f], d.Inputs);
        Assert.Equal([2, 4], d.Lines);
    }

    [Fact]
    public void QuotedFieldsMaySpanLinesAndLaterLinesKeepTheirNumbers()
    {
        // RFC 4180: a quoted field holds line breaks; a record's line is the one it starts on, and the reader's
        // positions after it count the physical lines.
        string text = "series,time,x,alarm\n\"s\n1\",0,1,0\n\"s\n1\",1,2,1\n\"s\r\n2\",0,3,0\n\"s\r\n2\",1,4,1\n";
        var d = SeriesSet.Load(Csv("multi.csv", text), new DataOptions("alarm", null, null, null, null));
        Assert.Equal(["s\n1", "s\r\n2"], d.Ids);
        Assert.Equal([2, 4, 6, 8], d.Lines);
        Assert.Equal([1f, 2f, 3f, 4f], d.Inputs);
        Cli.Bad(Train(Csv("multibad.csv", "series,time,x,alarm\n\"s\n1\",0,1,0\n\"s\n1\",1,oops,1\n")),
            "multibad.csv:4: column 'x' (column 3) 'oops' is not a number");
        Cli.Bad(Train(Csv("multinul.csv", "series,time,x,alarm\n\"s\n1\",0,1\0,0\n")),
                "multinul.csv:3:7: a NUL character");
        Cli.Bad(Train(Csv("multiquote.csv", "series,time,x,alarm\n\"s\n1\",0,1,0\n\"s\n\n1\",1,2\"\n")),
            "multiquote.csv:6:7: a double quote inside an unquoted field (field 3)");
        // A quote left open runs to the end of the file, or to the longest field: both name where it opened.
        Cli.Bad(Train(Csv("runaway.csv", "series,time,x,alarm\ns1,0,1,0\ns1,\"1,2,1\n"
                          + new string('9', CsvReader.MaxFieldChars) + "\n")),
            "runaway.csv:3:4: the quoted field 2 is not closed within 65536 characters (a missing closing quote?)");
    }

    [Fact]
    public void AMillionColumnHeaderIsCheckedInLinearTime()
    {
        // 1M distinct names, then a repeat of the first at the end: a quadratic check would take minutes.
        var header = new StringBuilder();
        for (int c = 0; c < 1_000_000; c++) header.Append('c').Append(c).Append(',');
        header.Append("c0\n1\n");
        string path = Csv("wide.csv", header.ToString());
        var clock = Stopwatch.StartNew();
        Cli.Bad(Train(path), "wide.csv:1: column 1000001 repeats the name 'c0' of column 1");
        // Under a second on a quiet machine; a pairwise check (5e11 compares) would take hours, even on a busy one.
        Assert.True(clock.Elapsed.TotalSeconds < 60, $"{clock.Elapsed.TotalSeconds} s");
    }

    [Fact]
    public void DevicesAndFifosAreRefusedAsData()
    {
        if (!OperatingSystem.IsLinux()) return;
        Cli.Bad(Train("/dev/zero"), "/dev/zero: is a character device, not a CSV file");
        string dir = Directory.CreateTempSubdirectory("csv-fifo-").FullName;
        try { Cli.Bad(Train(Engine.Tests.IO.SpecialFiles.Fifo(dir)), "is a named pipe (FIFO), not a CSV file"); }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ALongLineOrFieldIsRefusedAndQuotedShort()
    {
        string field = new('9', CsvReader.MaxFieldChars + 1);
        Cli.Bad(Train(Csv("field.csv", $"series,time,x,alarm\ns1,0,{field},0\n")), "field.csv:2:",
                "a field longer than 65536 characters");
        string text = new('z', 60_000);
        string line = Cli.Bad(Train(Csv("text.csv", $"series,time,x,alarm\ns1,0,1,0\ns1,1,{text},1\n")),
            "text.csv:3: column 'x' (column 3) 'zzzz");
        Assert.Contains("... (60000 characters) is not a number", line);
        Assert.True(line.Length <= Engine.IO.ErrorText.MaxLine, line.Length.ToString());
    }
}
