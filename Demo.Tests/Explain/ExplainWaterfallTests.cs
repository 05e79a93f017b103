using Demo.Commands;
using Xunit;

namespace Demo.Tests.Explain;

/// <summary>
/// explain's waterfall on a 2-step x 2-feature explanation whose numbers are worked by hand: the cells ordered by
/// |attribution|, the rest summed, the running total after each cell, the sums by feature and the largest lag.
/// </summary>
public class ExplainWaterfallTests
{
    // A[t, i]: t = 0: a +0.10, b -0.30; t = 1: a +0.05, b +0.20. Start 0.5, prediction 0.5 + sum(A) = 0.55.
    private static readonly ExplainCommand.Explanation E = new(
        "s1", 1, "t1", 0, "occlusion", null, 0.55, 0.5, "prediction - sum of the cells' changes", null,
        new double[,] { { 0.10, -0.30 }, { 0.05, 0.20 } }, new float[,] { { 1, 2 }, { 3, 4 } }, ["a", "b"],
        ["t0", "t1"]);

    [Fact]
    public void TopCellsByMagnitudeThenTheRestSummed()
    {
        var (cells, rest) = ExplainCommand.Waterfall(E, 2);
        Assert.Equal([(1, 0, -0.30), (1, 1, 0.20)], cells);
        Assert.Equal(0.15, rest, 12); // 0.10 + 0.05
    }

    [Fact]
    public void RunningTotalsSumsByFeatureAndLargestLag()
    {
        var lines = ExplainCommand.Lines(E, ExplainCommand.Waterfall(E, 2), sequence: true).ToList();
        // start 0.5; after b@0 (-0.30): 0.2; after b@1 (+0.20): 0.4; after the other 2 cells (+0.15): 0.55.
        string[] expected = ["0.5000", "0.2000", "0.4000", "0.5500", "0.5500"];
        var totals = lines.Where(l => l.StartsWith("  ", StringComparison.Ordinal)).Select(l =>
            l.Split(' ')[^1]).ToArray();
        Assert.Equal(expected, totals);
        Assert.Contains(lines, l => l.Contains("b at step 0 (lag 1) = 2") && l.Contains("-0.3000"));
        Assert.Contains(lines, l => l.Contains("the other 2 cells") && l.Contains("+0.1500"));
        Assert.Contains("By feature (sum over steps): a +0.1500, b -0.1000", lines);
        Assert.Contains("Largest |attribution| by feature: a at lag 1 (+0.1000), b at lag 1 (-0.3000)", lines);
    }
}
