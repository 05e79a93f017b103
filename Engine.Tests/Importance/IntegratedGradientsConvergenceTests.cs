using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// Integrated gradients' search for completeness, pinned to a hand-sized model worked out in float64 by
/// <c>Fixtures/ig_convergence.py</c>: y = sigmoid(3 x1 - 2 x2 + 0.5), series (1.5, -1) and (-0.5, 0.25), zero baseline.
/// </summary>
public class IntegratedGradientsConvergenceTests
{
    private static readonly float[] X = [1.5f, -1f, -0.5f, 0.25f];

    private static ImportanceContext Context()
    {
        var model = new Sequential(2, [new Dense(1, Activation.Sigmoid)]);
        model.Initialize(1);
        model.Tensor(0, "kernel")[0] = 3;
        model.Tensor(0, "kernel")[1] = -2;
        model.Tensor(0, "bias")[0] = 0.5f;
        return new ImportanceContext
        {
            Model = model, Inputs = X, Count = 2, Steps = 1, Loss = new MeanSquaredError(),
            Threads = 1
        };
    }

    // The script's A (series x feature) and final step count; the gaps of the steps it tried.
    [Theory]
    [InlineData(1, 0.01, 512, 8, 0.004871811399391079, 0.26294822919952654, 0.11686587964423402, -0.3294297513391027,
                -0.10980991711303423)]
    [InlineData(2, 1e-3, 512, 32, 0.0002995132525688035, 0.26087859880783426, 0.11594604391459301, -0.3299881732466289,
                -0.1099960577488763)]
    [InlineData(4, 0.01, 4, 4, 0.020877934917475322, 0.2703402137314961, 0.12015120610288714, -0.32763402284214,
                -0.10921134094738)]
    [InlineData(8, 1e-9, 100, 100, 3.064149998624913e-05, 0.26075739123870756, 0.11589217388387002, -0.3300215483415039,
                -0.11000718278050128)]
    public void TheStepCountGrowsUntilTheGapIsWithinTheToleranceOrTheCap(int start, double tolerance, int cap,
                                                                         int intervals, double gap,
                                                                         double a00, double a01, double a10, double a11)
    {
        var ig = new IntegratedGradients
        {
            Steps = start, Tolerance = tolerance, MaxSteps = cap,
            From = IntegratedGradientsBaseline.Zero
        };
        var result = ig.Compute(Context());
        var c = result.Completeness!;
        Assert.Equal(intervals, c.Intervals);
        // The attributions are float gradients summed in double: the gap is exact to about 1e-6.
        Assert.True(Math.Abs(c.Gap - gap) < 2e-6, $"gap {c.Gap}, expected {gap}");
        Assert.Equal(c.Gap <= tolerance, c.Converged);
        Assert.Equal(tolerance, c.Tolerance);
        double delta0 = Sigmoid(7) - Sigmoid(0.5), delta1 = Sigmoid(-1.5) - Sigmoid(0.5);
        Assert.True(Math.Abs(c.Difference - (Math.Abs(delta0) + Math.Abs(delta1)) / 2) < 1e-6,
                    $"difference {c.Difference}");
        Close((Math.Abs(a00) + Math.Abs(a10)) / 2, result.Scores[0]);
        Close((Math.Abs(a01) + Math.Abs(a11)) / 2, result.Scores[1]);
        Close(Math.Abs(a00) / 2 + Math.Abs(a10) / 2, result.TimeMap![0, 0]);
        Assert.Contains(c.Converged ? $"at {intervals} intervals" : $"at the cap of {intervals} intervals",
                        result.Note);
        var a = IntegratedGradients.Attributions(Context().Model, X, new float[4], 2, 1, intervals);
        double[] expected = [a00, a01, a10, a11];
        for (int j = 0; j < 4; j++) Close(expected[j], a[j]);
    }

    [Fact]
    public void TheCapIsSaidInTheNote()
    {
        var result = new IntegratedGradients
        {
            Steps = 4, MaxSteps = 4,
            From = IntegratedGradientsBaseline.Zero
        }.Compute(Context());
        Assert.False(result.Completeness!.Converged);
        Assert.Equal("integrated-gradients: completeness gap 2.088% of |F(x) - F(x')| at the cap of 4 intervals: not " +
                     "below 1%", result.Note);
    }

    [Fact]
    public void TheZeroBaselineIsTheZeroPointAndTheMeanBaselineTheTrainingMeans()
    {
        var context = Context() with { FeatureMeans = [0.25f, -0.75f] };
        Assert.Equal([2f, -3f, 2f, -3f],
                     new IntegratedGradients
                     {
                         From = IntegratedGradientsBaseline.Zero,
                         ZeroPoint = [2f, -3f]
                     }.Baseline(context));
        Assert.Equal([0f, 0f, 0f, 0f],
                     new IntegratedGradients { From = IntegratedGradientsBaseline.Zero }.Baseline(context));
        Assert.Equal([0.25f, -0.75f, 0.25f, -0.75f], new IntegratedGradients().Baseline(context));
        var ig = new IntegratedGradients { From = IntegratedGradientsBaseline.Mean };
        Assert.Contains("mean baseline", ig.Compute(context).ScoreMeaning);
    }

    [Fact]
    public void TheNoiseBaselineHasTheDataMeanAndSpread()
    {
        // 2000 series of one step: feature 0 in {1, 3} (mean 2, SD ~1), feature 1 in {-1, -1.5} (mean -1.25, SD ~0.25).
        const int n = 2000;
        var x = new float[2 * n];
        for (int s = 0; s < n; s++) { x[2 * s] = s % 2 == 0 ? 1 : 3; x[2 * s + 1] = s % 2 == 0 ? -1 : -1.5f; }
        var context = Context() with { Inputs = x, Count = n, FeatureMeans = [2f, -1.25f], Seed = 5 };
        var noise = new IntegratedGradients { From = IntegratedGradientsBaseline.Noise };
        var b = noise.Baseline(context);
        for (int i = 0; i < 2; i++)
        {
            var column = Enumerable.Range(0, n).Select(s => (double)b[2 * s + i]).ToArray();
            var stats = ImportanceStatistics.Summarise(column);
            double mean = i == 0 ? 2 : -1.25, sd = i == 0 ? 1 : 0.25;
            Assert.True(Math.Abs(stats.Mean - mean) < 4 * sd / Math.Sqrt(n), $"feature {i}: mean {stats.Mean}");
            Assert.True(Math.Abs(stats.Sd - sd) < 0.05 * sd, $"feature {i}: SD {stats.Sd}");
        }
        Assert.Equal(b, noise.Baseline(context));
        Assert.NotEqual(b, noise.Baseline(context with { Seed = 6 }));
        var result = noise.Compute(context);
        Assert.Contains("noise baseline", result.ScoreMeaning);
        Assert.True(result.Completeness!.Converged);
    }

    [Fact]
    public void ExplainSearchesTheSameWayForOneOutput()
    {
        // The script's first case (from 1 interval to 8) through Explain, with the output weight 1.
        var ig = new IntegratedGradients { Steps = 1, From = IntegratedGradientsBaseline.Zero };
        var (a, gap) = ig.Explain(Context().Model, X, new float[4], 2, 1, [1f]);
        Assert.Equal(8, gap.Intervals);
        double[] expected = [0.26294822919952654, 0.11686587964423402, -0.3294297513391027, -0.10980991711303423];
        for (int j = 0; j < 4; j++) Close(expected[j], a[j]);
        // The search kept the sums of 1, 2 and 4 intervals' points and added only the new ones: the same numbers as
        // the 8 intervals' points summed afresh, up to the order of the double sums.
        var fresh = IntegratedGradients.Attributions(Context().Model, X, new float[4], 2, 1, 8, [1f]);
        for (int j = 0; j < 4; j++) Assert.Equal(fresh[j], a[j], 1e-14);
    }

    [Fact]
    public void CellAttributionsAreTheOutputChangesOfOneCell()
    {
        // y = sigmoid(3 x1 - 2 x2 + 0.5); series 0 = (1.5, -1), series 1 = (-0.5, 0.25), worked out by hand.
        var model = Context().Model;
        var occlusion = CellAttribution.Occlusion(model, X.AsSpan(0, 2), 1, [0.25f, -0.75f], [1f]);
        Close(Sigmoid(7) - Sigmoid(0.75 + 2 + 0.5), occlusion[0]);
        Close(Sigmoid(7) - Sigmoid(4.5 + 1.5 + 0.5), occlusion[1]);
        // With two series the donor is always the other one.
        var permutation = CellAttribution.Permutation(model, X, 2, 1, 0, [1f], 3, 9);
        Close(Sigmoid(7) - Sigmoid(-1.5 + 2 + 0.5), permutation[0]);
        Close(Sigmoid(7) - Sigmoid(4.5 - 0.5 + 0.5), permutation[1]);
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static void Close(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 2e-6 * (1 + Math.Abs(expected)),
                    $"expected {expected}, got {actual}");
}
