using Engine.Importance;
using Engine.Losses;
using Engine.Models;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// <see cref="Retrainers"/>' refusals, made when the retrainer is built (not at its first retraining): null arrays and
/// non-positive shapes by name, and early stopping with permuted targets, with the whole message.
/// </summary>
public class RetrainersGuardsTests
{
    private static readonly float[] X = [0.1f, 0.2f], Y = [0f, 1f];

    private static Sequential Build(int width, ulong seed) => Fixtures.Model(seed, features: width);

    // Builds the retrainer (plain or masked) on the arrays and shapes given: (N = 2, T = 1, F = 1) by default.
    private static void Make(bool masked, float[] x, float[] y, int count = 2, int steps = 1, int features = 1)
    {
        if (masked) Retrainers.MaskedFromArrays(Build, x, y, count, steps, features, new MeanSquaredError(), 1, 1);
        else Retrainers.FromArrays(Build, x, y, count, steps, features, new MeanSquaredError(), 1, 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Null_arrays_are_refused_by_name(bool masked)
    {
        Assert.Equal("inputs", Assert.Throws<ArgumentNullException>(() => Make(masked, null!, Y)).ParamName);
        Assert.Equal("targets", Assert.Throws<ArgumentNullException>(() => Make(masked, X, null!)).ParamName);
    }

    [Theory]
    [InlineData(false, "count")]
    [InlineData(false, "steps")]
    [InlineData(false, "features")]
    [InlineData(true, "count")]
    [InlineData(true, "steps")]
    [InlineData(true, "features")]
    public void A_shape_below_one_is_refused_by_name(bool masked, string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Make(masked, X, Y, count: name == "count" ? 0 : 2, steps: name == "steps" ? 0 : 1,
                 features: name == "features" ? 0 : 1));
        Assert.Equal((name, (object?)0), (e.ParamName, e.ActualValue));
        Assert.StartsWith($"{name} must be positive, got 0 (Parameter '{name}')", e.Message);
    }

    [Fact]
    public void Early_stopping_with_permuted_targets_is_refused_saying_why()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            Retrainers.FromArrays(Build, X, Y, 2, 1, 1, new MeanSquaredError(), 1, 1, permuteTargets: true,
                                  stopping: new RetrainStopping(2, 1, 0.5f)));
        Assert.Equal("stopping", e.ParamName);
        Assert.StartsWith("early stopping watches a validation loss that a network trained on permuted targets " +
                          "cannot lower: retrain the null networks for every epoch (Parameter 'stopping')", e.Message);
    }
}
