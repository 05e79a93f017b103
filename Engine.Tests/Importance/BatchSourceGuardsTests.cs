using Engine.Importance;
using Engine.Training;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// The refusals of the retrainers' batch sources (<see cref="FeatureSubsetBatchSource"/>,
/// <see cref="LagMaskBatchSource"/>): null arguments by name, and features or lags the source does not have, with the
/// exact exception, the offending value and our whole message; the last valid index is accepted.
/// </summary>
public class BatchSourceGuardsTests
{
    private const int T = 4, F = 3;

    // One series of T = 4 steps and F = 3 features holding 0..11 (x[t, i] = 3t + i), one target.
    private static ArrayBatchSource Source() =>
        new([.. Enumerable.Range(0, T * F).Select(v => (float)v)], [0f], 1, T, F, 1, 1, 7);

    [Fact]
    public void A_subset_refuses_null_arguments_by_name()
    {
        Assert.Equal("source",
                     Assert.Throws<ArgumentNullException>(() => new FeatureSubsetBatchSource(null!, [0])).ParamName);
        Assert.Equal("features",
                     Assert.Throws<ArgumentNullException>(() => new FeatureSubsetBatchSource(Source(), null!))
                           .ParamName);
    }

    [Fact]
    public void A_subset_refuses_no_features()
    {
        var e = Assert.Throws<ArgumentException>(() => new FeatureSubsetBatchSource(Source(), []));
        Assert.Equal("features", e.ParamName);
        Assert.StartsWith("a subset needs at least one feature", e.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(F)] // one past the last feature (2)
    public void A_subset_refuses_a_feature_the_source_does_not_have(int feature)
    {
        // [0, feature]: the bad index is not the first, so every index is checked.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureSubsetBatchSource(Source(), [0, feature]));
        Assert.Equal("features", e.ParamName);
        Assert.Equal(feature, e.ActualValue);
        Assert.StartsWith($"feature index {feature} is outside the source's 3 features", e.Message);
    }

    [Fact]
    public void A_subset_passes_on_its_features_in_its_order_the_last_one_included()
    {
        // Features [2, 0] of x[t, i] = 3t + i: (2, 0), (5, 3), (8, 6), (11, 9).
        var subset = new FeatureSubsetBatchSource(Source(), [2, 0]);
        Assert.Equal(2, subset.Features);
        var batch = new float[T * 2];
        subset.NextBatch(batch, new float[1], 0, 0);
        Assert.Equal([2f, 0f, 5f, 3f, 8f, 6f, 11f, 9f], batch);
    }

    [Fact]
    public void A_mask_refuses_null_arguments_by_name()
    {
        // A non-empty list, so that a missing source check would fail later on the source, not pass unnoticed.
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() =>
            new LagMaskBatchSource(null!, [(0, new LagWindow(0, 0))])).ParamName);
        Assert.Equal("removed",
                     Assert.Throws<ArgumentNullException>(() => new LagMaskBatchSource(Source(), null!)).ParamName);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(F)]
    public void A_mask_refuses_a_feature_the_source_does_not_have(int feature)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LagMaskBatchSource(Source(), [(0, new LagWindow(0, 0)), (feature, new LagWindow(0, 0))]));
        Assert.Equal("removed", e.ParamName);
        Assert.Equal(feature, e.ActualValue);
        Assert.StartsWith($"feature index {feature} is outside the source's 3 features", e.Message);
    }

    [Fact]
    public void A_mask_refuses_a_window_reaching_past_the_first_step_by_its_last_lag()
    {
        // Lags 1-4 over T = 4 steps: lag 4 (the window's last, not its first) is one past the oldest step (lag 3).
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LagMaskBatchSource(Source(), [(2, new LagWindow(1, 4))]));
        Assert.Equal("removed", e.ParamName);
        Assert.Equal(4, e.ActualValue);
        Assert.StartsWith("lag 4 is past the source's 4 steps", e.Message);
        // Lags 1-3 reach the first step exactly and are accepted.
        Assert.Equal(F, new LagMaskBatchSource(Source(), [(2, new LagWindow(1, 3))]).Features);
    }
}
