using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// <see cref="CellAttribution"/>'s refusals (exact types and messages) and its values on a linear model,
/// y = 3 x1 - 2 x2 + x3 + 0.5 (one step), where a cell's change moves F by its weight times the change: every value
/// here is exact in float.
/// </summary>
public class CellAttributionGuardsTests
{
    private static Sequential Linear(int features = 3)
    {
        var model = new Sequential(features, [new Dense(1)]);
        model.Initialize(1);
        float[] w = [3, -2, 1];
        for (int i = 0; i < features; i++) model.Tensor(0, "kernel")[i] = w[i];
        model.Tensor(0, "bias")[0] = 0.5f;
        return model;
    }

    // ---- Occlusion ----

    [Fact]
    public void OcclusionPutsEachFeaturesOwnBaselineIntoItsCell()
    {
        // Series (1.5, -1, 2), baseline (0.5, 0.25, 1): A_i = w_i (x_i - b_i) = 3 x 1, -2 x -1.25, 1 x 1.
        // (Three features, so that baseline index (c - 1) mod F is told apart from (c + 1) mod F.)
        var a = CellAttribution.Occlusion(Linear(), [1.5f, -1f, 2f], 1, [0.5f, 0.25f, 1f], [1f]);
        Assert.Equal([3, 2.5, 1], a);
    }

    [Fact]
    public void OcclusionRefusesANullModel()
    {
        var e = Assert.Throws<ArgumentNullException>(
            () => CellAttribution.Occlusion(null!, [1f, 2f, 3f], 1, [0f, 0f, 0f], [1f]));
        Assert.Equal("model", e.ParamName);
        Assert.Equal("Value cannot be null. (Parameter 'model')", e.Message);
    }

    [Fact]
    public void OcclusionRefusesANullBaseline()
    {
        var e = Assert.Throws<ArgumentNullException>(
            () => CellAttribution.Occlusion(Linear(), [1f, 2f, 3f], 1, null!, [1f]));
        Assert.Equal("baseline", e.ParamName);
        Assert.Equal("Value cannot be null. (Parameter 'baseline')", e.Message);
    }

    [Fact]
    public void OcclusionRefusesABaselineOfTheWrongLength()
    {
        var e = Assert.Throws<ArgumentException>(
            () => CellAttribution.Occlusion(Linear(), [1f, 2f, 3f], 1, [0f, 0f, 0f, 0f], [1f]));
        Assert.Equal("baseline must hold F=3 values, but has 4 (Parameter 'baseline')", e.Message);
    }

    [Fact]
    public void OcclusionRefusesASeriesOfTheWrongLength()
    {
        // Two values for (T = 1, F = 3).
        var e = Assert.Throws<ArgumentException>(
            () => CellAttribution.Occlusion(Linear(), [1f, 2f], 1, [0f, 0f, 0f], [1f]));
        Assert.Equal("a series must hold (T=1, F=3) values, but has 2 (Parameter 'length')", e.Message);
    }

    [Fact]
    public void OcclusionRefusesOutputWeightsOfTheWrongLengthOrNone()
    {
        // One output per series (Dense(1), last step): two weights are refused.
        var e = Assert.Throws<ArgumentException>(
            () => CellAttribution.Occlusion(Linear(), [1f, 2f, 3f], 1, [0f, 0f, 0f], [1f, 1f]));
        Assert.Equal("output weights must hold 1 values, but have 2 (Parameter 'outputWeights')", e.Message);
        var none = Assert.Throws<ArgumentNullException>(
            () => CellAttribution.Occlusion(Linear(), [1f, 2f, 3f], 1, [0f, 0f, 0f], null!));
        Assert.Equal("outputWeights", none.ParamName);
    }

    [Fact]
    public void OcclusionRefusesANegativeStepCountAsSuch()
    {
        // steps = -1 is refused for being non-positive, before the series length (which no span can match) is read.
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => CellAttribution.Occlusion(Linear(), [1f, 2f, 3f], -1, [0f, 0f, 0f], [1f]));
        Assert.Equal("steps", e.ParamName);
        Assert.Equal("steps must be positive, got -1 (Parameter 'steps')" + Environment.NewLine +
                     "Actual value was -1.", e.Message);
    }

    // ---- Permutation ----

    // Three series: 0 and 2 are the same (0.5, 0.25, 1), series 1 is (1.5, -1, 2). Whatever donor the draws pick for
    // series 1, it is (0.5, 0.25, 1): A_i = w_i (x_i - d_i) = 3, 2.5, 1 exactly as occlusion with that baseline.
    private static readonly float[] Three = [0.5f, 0.25f, 1f, 1.5f, -1f, 2f, 0.5f, 0.25f, 1f];

    [Fact]
    public void PermutationOfTheSecondOfThreeSeries() =>
        // Series 1 of three (also: own values taken from offset series x per, and three series are allowed).
        Assert.Equal([3, 2.5, 1], CellAttribution.Permutation(Linear(), Three, 3, 1, 1, [1f], 4, 9));

    [Fact]
    public void PermutationRefusesNullsWithTheirNames()
    {
        var model = Assert.Throws<ArgumentNullException>(
            () => CellAttribution.Permutation(null!, Three, 3, 1, 1, [1f], 2, 9));
        Assert.Equal("model", model.ParamName);
        Assert.Equal("Value cannot be null. (Parameter 'model')", model.Message);
        var inputs = Assert.Throws<ArgumentNullException>(
            () => CellAttribution.Permutation(Linear(), null!, 3, 1, 1, [1f], 2, 9));
        Assert.Equal("inputs", inputs.ParamName);
        Assert.Equal("Value cannot be null. (Parameter 'inputs')", inputs.Message);
    }

    [Fact]
    public void PermutationRefusesASingleSeries()
    {
        var e = Assert.Throws<ArgumentException>(
            () => CellAttribution.Permutation(Linear(), [1f, 2f, 3f], 1, 1, 0, [1f], 2, 9));
        Assert.Equal("permutation needs at least two series (donors of other values) (Parameter 'count')",
                     e.Message);
    }

    [Fact]
    public void PermutationRefusesInputsOfTheWrongLength()
    {
        // Eight values for (N = 3, T = 1, F = 3).
        var e = Assert.Throws<ArgumentException>(
            () => CellAttribution.Permutation(Linear(), Three[..8], 3, 1, 1, [1f], 2, 9));
        Assert.Equal("inputs must hold (N=3, T=1, F=3) values (Parameter 'inputs')", e.Message);
    }

    [Fact]
    public void PermutationRefusesASeriesOutsideTheSet()
    {
        var below = Assert.Throws<ArgumentOutOfRangeException>(
            () => CellAttribution.Permutation(Linear(), Three, 3, 1, -1, [1f], 2, 9));
        Assert.Equal("series", below.ParamName);
        Assert.Equal("series ('-1') must be a non-negative value. (Parameter 'series')" + Environment.NewLine +
                     "Actual value was -1.", below.Message);
        var above = Assert.Throws<ArgumentOutOfRangeException>(
            () => CellAttribution.Permutation(Linear(), Three, 3, 1, 3, [1f], 2, 9));
        Assert.Equal("series", above.ParamName);
        Assert.Equal("series ('3') must be less than '3'. (Parameter 'series')" + Environment.NewLine +
                     "Actual value was 3.", above.Message);
    }

    [Fact]
    public void PermutationRefusesNoRepeats()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => CellAttribution.Permutation(Linear(), Three, 3, 1, 1, [1f], 0, 9));
        Assert.Equal("repeats", e.ParamName);
        Assert.Equal("repeats must be positive, got 0 (Parameter 'repeats')" + Environment.NewLine +
                     "Actual value was 0.", e.Message);
    }

    [Fact]
    public void PermutationRefusesOutputWeightsOfTheWrongLength()
    {
        var e = Assert.Throws<ArgumentException>(
            () => CellAttribution.Permutation(Linear(), Three, 3, 1, 1, [1f, 1f], 2, 9));
        Assert.Equal("output weights must hold 1 values, but have 2 (Parameter 'outputWeights')", e.Message);
    }

    [Fact]
    public void PermutationRefusesMoreCopiesThanAnArrayHolds()
    {
        // One cell (F = 1, T = 1) and int.MaxValue repeats: (1 + 1 x (2^31 - 1)) x 1 = 2^31 values, one more than
        // int.MaxValue. Refused before anything is allocated.
        var e = Assert.Throws<ArgumentException>(
            () => CellAttribution.Permutation(Linear(1), [1f, 2f], 2, 1, 0, [1f], int.MaxValue, 9));
        Assert.Equal("repeats", e.ParamName);
        Assert.Equal("too many cells x repeats (Parameter 'repeats')", e.Message);
    }
}
