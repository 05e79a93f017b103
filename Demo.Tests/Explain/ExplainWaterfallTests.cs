using Demo.Commands;
using Demo.Reports;
using ScottPlot;
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

    [Fact]
    public void SmallAttributionsGetEnoughDecimalsToBeRead()
    {
        // A confident prediction (0.00045) explained by attributions of 1e-4 printed as 0.0000 and +0.0000 on every
        // line. The largest |attribution| 0.0004 gets 3 significant digits: 6 decimals, on every number.
        var small = E with
        {
            Prediction = 0.00045,
            Start = 0.0001,
            Attribution = new double[,] { { 0.0004, -0.0002 }, { 0.0001, 0.00005 } },
        };
        Assert.Equal(6, ExplainCommand.Decimals(small));
        Assert.Equal(4, ExplainCommand.Decimals(E));
        var lines = ExplainCommand.Lines(small, ExplainCommand.Waterfall(small, 2), sequence: true).ToList();
        Assert.EndsWith("prediction 0.000450", lines[0]);
        // start 0.0001; after a@0 (+0.0004): 0.0005; after b@0 (-0.0002): 0.0003; the other 2 (+0.00015): 0.00045.
        string[] expected = ["0.000100", "0.000500", "0.000300", "0.000450", "0.000450"];
        Assert.Equal(expected, lines.Where(l => l.StartsWith("  ", StringComparison.Ordinal))
                                    .Select(l => l.Split(' ')[^1]));
        Assert.Contains(lines, l => l.Contains("a at step 0 (lag 1) = 1") && l.Contains(" +0.000400 "));
        Assert.Contains("By feature (sum over steps): a +0.000500, b -0.000150", lines);
        // The columns stay aligned: every running total ends in the same column.
        Assert.Single(lines.Where(l => l.StartsWith("  ", StringComparison.Ordinal)).Select(l => l.Length).Distinct());
        Assert.Equal(12, ExplainCommand.Decimals(E with { Attribution = new double[,] { { 1e-15, 0 }, { 0, 0 } } }));
        Assert.Equal(4, ExplainCommand.Decimals(E with { Attribution = new double[,] { { 0, 0 }, { 0, 0 } } }));
    }

    [Fact]
    public void MarkerColoursRunFromWhiteToTheWaterfallsRedAndBlue()
    {
        // Full colour is the waterfall's red and blue, not the near-black ends of a diverging colormap.
        Assert.Equal(new Color(255, 0, 0), Plots.AttributionColor(1.48, 1.48));
        Assert.Equal(new Color(255, 0, 0), Plots.AttributionColor(3, 1.48));               // clipped
        Assert.Equal(new Color(70, 130, 180), Plots.AttributionColor(-1.48, 1.48));       // SteelBlue
        Assert.Equal(new Color(255, 255, 255), Plots.AttributionColor(0, 1.48));
        // Half way: 255 + (0 - 255) / 2 = 127.5 -> 128; 255 + (70 - 255) / 2 = 162.5 -> 163, 192.5 -> 193,
        // 217.5 -> 218.
        Assert.Equal(new Color(255, 128, 128), Plots.AttributionColor(0.5, 1));
        Assert.Equal(new Color(163, 193, 218), Plots.AttributionColor(-0.5, 1));
    }
}
