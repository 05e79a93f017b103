using Demo.Data;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>The compact CSV table read directly: name lookup (exact before ignoring case), the column list in
/// messages, the delimiter hint, text cells let go, the guards that name a bug, the first bad cell as read, and what a
/// read allocates.</summary>
public sealed class CsvTableTests : IDisposable
{
    private readonly TempDir _dir = new("csv-table-");

    public void Dispose() => _dir.Dispose();

    private string Csv(string name, string content) => _dir.Text(name, content);

    private CsvTable Read(string content, params int[] text) =>
        CsvTable.Read(Csv("t.csv", content), _ => text);

    [Fact]
    public void NamesAreFoundExactlyFirstThenIgnoringCase()
    {
        var t = Read("Value,value,Site\n1,2,3\n");
        Assert.Equal(1, t.FindColumn("value"));
        Assert.Equal(0, t.FindColumn("Value"));
        Assert.Equal(0, t.FindColumn("VALUE"));
        Assert.Equal(2, t.FindColumn("nothing", "site"));
        Assert.Equal(-1, t.FindColumn("nothing", "sites"));
        Assert.Equal(2, t.Column("SITE", "--x"));
    }

    [Theory]
    [InlineData(20, "")]
    [InlineData(25, " and 5 more")]
    public void AMissingColumnNamesTheFirst20Columns(int columns, string more)
    {
        var names = Enumerable.Range(1, columns).Select(i => $"c{i}").ToArray();
        var t = Read(string.Join(",", names) + "\n" + string.Join(",", names.Select(_ => "1")) + "\n");
        var e = Assert.Throws<InputException>(() => t.Column("zz", "--target"));
        Assert.Equal(
            $"{t.Path}:1: no column 'zz' (--target); the columns are {string.Join(", ", names.Take(20))}{more}",
            e.Message);
    }

    [Theory]
    [InlineData("a;x,b\n1,2\n", null, "the columns are a;x, b")]
    [InlineData("a;b\n1\n", ',', "the columns are a;b (fields separated by ',' (comma); the header has ';': try " +
                                  "--delimiter ';')")]
    [InlineData("a\tb\n1\n", ',', "the columns are a\tb (fields separated by ',' (comma); the header has tabs: try " +
                                   "--delimiter tab)")]
    [InlineData("a;b\n1;2\n", ';', "the columns are a, b")]
    public void TheDelimiterHintComesOnlyForAOneColumnHeaderHoldingAnotherDelimiter(string csv, char? delimiter,
                                                                                     string end)
    {
        var t = CsvTable.Read(Csv("hint.csv", csv), _ => [], delimiter);
        var e = Assert.Throws<InputException>(() => t.Column("zz", "--target"));
        Assert.EndsWith(end, e.Message);
    }

    [Fact]
    public void KeepTextLetsGoOfTheOtherTextColumnsAndKeepsTheirDistinctValues()
    {
        var t = Read("series,x,site\ns1,1,north\ns2,2,south\ns1,3,north\n", 0, 2);
        Assert.Equal([0, 1, 0], Enumerable.Range(0, 3).Select(r => t.TextId(r, 0)));
        t.KeepText([2]);
        var e = Assert.Throws<InvalidOperationException>(() => t.TextId(0, 0));
        Assert.Equal("the text cells were let go", e.Message);
        Assert.Equal(["s1", "s2"], t.Distinct(0));
        Assert.Equal("south", t.Text(1, 2));
        t.KeepText([]);
        Assert.Throws<InvalidOperationException>(() => t.Text(1, 2));
    }

    [Theory]
    [InlineData("x,y,z\n1,a,2\nb,2,c\n", 1)] // y's bad cell is on the first row
    [InlineData("x,y,z\n1,2,3\nb,a,c\n", 0)] // all on the second row: the first column
    [InlineData("x,y,z\n1,2,3\n4,5,6\n", -1)]
    public void TheFirstBadColumnIsTheOneWhoseBadCellComesFirstThenTheLeftmost(string csv, int column) =>
        Assert.Equal(column, Read(csv).FirstBadColumn([2, 1, 0]));

    [Fact]
    public void NumericQuestionsOfATextColumnAreBugsOrNo()
    {
        var t = Read("series,x\ns1,1\ns2,2\n", 0);
        var e = Assert.Throws<InvalidOperationException>(() => t.CheckNumeric(0));
        Assert.Equal("column 0 was read as text", e.Message);
        Assert.False(t.HasNumbers(0));
        Assert.False(t.HasDecimalComma(0));
        t.CheckNumeric(1);
        Assert.True(t.HasNumbers(1));
        Assert.Equal(2f, t.Number(1, 1));
    }

    [Theory]
    [InlineData("\"1,5\"", true, "'1,5' is not a number: fields are separated by ',' (comma); write decimals with a " +
                                  "point and no thousands separators")]
    [InlineData("\"-,5\"", true, "'-,5' is not a number: fields are separated by")]
    [InlineData("\"1,5,0\"", false, "'1,5,0' is not a number")]
    [InlineData("x", false, "'x' is not a number")]
    public void TheFirstBadCellIsJudgedAsReadAndQuotedInTheMessage(string cell, bool decimalComma, string message)
    {
        var t = Read($"x,y\n1,2\n{cell},3\n");
        Assert.Equal(decimalComma, t.HasDecimalComma(0));
        var e = Assert.Throws<InputException>(() => t.CheckNumeric(0));
        Assert.StartsWith($"{t.Path}:3: column 'x' (column 1) {message}", e.Message);
    }

    [Fact]
    public void CellsAllocateTheirFourBytesEachAndTheFirstChunkGrowsByDoubling()
    {
        // Tables of two numeric columns and 1, 1,000 and 50,000 rows. One row costs the reader's buffers (about 0.5 MB)
        // and first chunks of 4 KB. 2,000 floats fit once the first chunk has doubled to 8 KB; 100,000 take it
        // doubled up to 256 KB (504 KB of copies in all) and a second chunk of 256 KB. Nothing else is allocated per
        // row.
        long Allocated(int rows, out CsvTable table)
        {
            string path = Csv($"rows{rows}.csv", "x,y\n" + string.Concat(Enumerable.Repeat("1,2\n", rows)));
            CsvTable.Read(path, _ => []);
            long before = GC.GetAllocatedBytesForCurrentThread();
            table = CsvTable.Read(path, _ => []);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        long one = Allocated(1, out _), thousand = Allocated(1000, out _), many = Allocated(50_000, out var table);
        Assert.Equal(50_000, table.RowCount);
        Assert.Equal(2f, table.Number(49_999, 1));
        Assert.InRange(one, 0, 700_000);
        Assert.InRange(thousand - one, 4096, 8192 + 16_384);
        Assert.InRange(many - one, (504 + 256) * 1024, (504 + 256) * 1024 + 16_384);
    }
}
