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
        ["train", "--data", data, "--target", "alarm", "--model", Path.Combine(fx.Dir, "csv.safetensors"), "--epochs", "1", "--layers", "2", .. more];

    private string Csv(string name, string text) => fx.File(name, text);

    [Theory]
    [InlineData("nul.csv", "series,time,x,alarm\ns1,0,1\0,0\ns1,1,2,1\n", "nul.csv:2:7: a NUL character")]
    [InlineData("quote.csv", "series,time,x,alarm\ns1,0,2\"4\".5,0\ns1,1,2,1\n", "quote.csv:2:7: a double quote inside an unquoted field (field 3)")]
    [InlineData("after.csv", "series,time,x,alarm\ns1,0,\"2\"4,0\ns1,1,2,1\n", "after.csv:2:9: text after the closing quote of field 3")]
    [InlineData("open.csv", "series,time,x,alarm\ns1,0,\"2,0\ns1,1,2,1\n", "open.csv:2:10: the quoted field 3 is not closed on its line")]
    [InlineData("group.csv", "series,time,x,alarm\ns1,0,\"1,000\",0\ns1,1,2,1\n", "group.csv:2: column 'x' (column 3) '1,000' is not a number")]
    [InlineData("comma.csv", "series,time,x,alarm\ns1,0,0,5,0\ns1,1,2,1\n", "comma.csv:2: 5 fields, but the header has 4 columns")]
    [InlineData("first.csv", "series,time,x,y,alarm\ns1,0,abc,1,0\ns1,1,2,1,1\n", "first.csv:2: column 'x' (column 3) 'abc' is not a number")]
    [InlineData("later.csv", "series,time,x,y,alarm\ns1,0,1,1,0\ns1,1,2,oops,1\n", "later.csv:3: column 'y' (column 4) 'oops' is not a number")]
    [InlineData("empty.csv", "series,time,x,alarm\ns1,0,,0\ns1,1,2,1\n", "empty.csv:2: column 'x' (column 3) is empty")]
    [InlineData("nan.csv", "series,time,x,alarm\ns1,0,NaN,0\ns1,1,2,1\n", "'NaN' is not a finite number")]
    [InlineData("big.csv", "series,time,x,alarm\ns1,0,1e39,0\ns1,1,2,1\n", "'1e39' is too large for a 32-bit float")]
    [InlineData("target.csv", "series,time,x,alarm\ns1,0,1,yes\ns1,1,2,1\n", "target.csv:2: column 'alarm' (column 4) 'yes' is not a number")]
    [InlineData("dup.csv", "series,time,x,x,alarm\ns1,0,1,1,0\n", "dup.csv:1: column 4 repeats the name 'x' of column 3")]
    [InlineData("noname.csv", "series,time,,alarm\ns1,0,1,0\n", "noname.csv:1: column 3 of the header has no name")]
    public void CraftedCellsAreRefusedWithLineAndColumn(string name, string text, string message) =>
        Cli.Bad(Train(Csv(name, text)), message);

    [Fact]
    public void ANonNumberInTheFirstRowOfAnExplicitFeatureIsAnErrorToo() =>
        Cli.Bad(Train(Csv("explicit.csv", "series,time,x,y,alarm\ns1,0,-,1,0\ns1,1,2,1,1\n"), "--features", "x,y"),
            "explicit.csv:2: column 'x' (column 3) '-' is not a number");

    [Fact]
    public void QuotedNumbersCrLfBlankLinesAndTextColumnsAreRead()
    {
        string path = Csv("ok.csv", "\uFEFFseries,time,site,x,alarm\r\n\"s,1\",0,north,\"1.5\",0\r\n\r\n\"s,1\",1,\"so\"\"uth\",-2e-1,1\r\n");
        var d = SeriesSet.Load(path, new DataOptions("alarm", null, null, null, null));
        Assert.Equal(["x"], d.FeatureNames);
        Assert.Equal(["s,1"], d.Ids);
        Assert.Equal([1.5f, -0.2f], d.Inputs);
        Assert.Equal([2, 4], d.Lines);
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
        Cli.Bad(Train(Csv("field.csv", $"series,time,x,alarm\ns1,0,{field},0\n")), "field.csv:2:", "a field longer than 65536 characters");
        string text = new('z', 60_000);
        string line = Cli.Bad(Train(Csv("text.csv", $"series,time,x,alarm\ns1,0,1,0\ns1,1,{text},1\n")),
            "text.csv:3: column 'x' (column 3) 'zzzz");
        Assert.Contains("... (60000 characters) is not a number", line);
        Assert.True(line.Length <= Engine.IO.ErrorText.MaxLine, line.Length.ToString());
    }
}
