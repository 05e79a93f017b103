using Engine.Importance;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// The refusals of <see cref="ImportanceContext.Validate"/> with their whole messages (the sizes in them are computed
/// here by hand), a lag window reaching exactly T, and the message for a loss asked of a context without targets.
/// </summary>
public class ContextGuardsTests
{
    // The fixture: N = 12 series, T = 4 steps, F = 3 features, a sequence model with 1 unit per step (4 outputs per
    // series): inputs 12 x 4 x 3 = 144 values, targets 12 x 4 = 48.
    private static ImportanceContext Context() => Fixtures.Context(Fixtures.Model(1), 2);

    [Fact]
    public void The_fixture_is_valid()
    {
        var context = Context();
        Assert.Equal(144, context.Inputs.Length);
        Assert.Equal(48, context.Targets!.Length);
        context.Validate();
    }

    [Fact]
    public void Inputs_of_the_wrong_size_are_refused_with_the_size_they_need()
    {
        // 144 = 12 x 4 x 3 (12 x 4 / 3 = 16 and 12 / 4 x 3 = 9 would be wrong), and the 143 given.
        var context = Context() with { Inputs = new float[143] };
        var e = Assert.Throws<ArgumentException>(context.Validate);
        Assert.Equal("Inputs", e.ParamName);
        Assert.StartsWith("inputs must hold (N=12, T=4, F=3) = 144 values, but has 143", e.Message);
        // No inputs at all: has 0.
        e = Assert.Throws<ArgumentException>((Context() with { Inputs = null! }).Validate);
        Assert.StartsWith("inputs must hold (N=12, T=4, F=3) = 144 values, but has 0", e.Message);
    }

    [Fact]
    public void Targets_of_the_wrong_size_are_refused_with_the_size_they_need()
    {
        // 48 = 12 series x 4 outputs (12 / 4 = 3 would be wrong).
        var context = Context() with { Targets = new float[47] };
        var e = Assert.Throws<ArgumentException>(context.Validate);
        Assert.Equal("Targets", e.ParamName);
        Assert.StartsWith("targets must hold (N=12, 4) = 48 values, but has 47", e.Message);
    }

    [Fact]
    public void Feature_means_of_the_wrong_size_are_refused()
    {
        var context = Context() with { FeatureMeans = [0f, 0f] };
        var e = Assert.Throws<ArgumentException>(context.Validate);
        Assert.Equal("FeatureMeans", e.ParamName);
        Assert.StartsWith("feature means must hold F=3 values, but has 2", e.Message);
    }

    [Fact]
    public void Groups_over_another_feature_count_are_refused()
    {
        var context = Context() with { Groups = FeatureGroups.Parse("g=a,b", ["a", "b"]) };
        var e = Assert.Throws<ArgumentException>(context.Validate);
        Assert.Equal("Groups", e.ParamName);
        Assert.StartsWith("the groups cover 2 features, the model has F=3", e.Message);
    }

    [Fact]
    public void A_lag_window_reaching_lag_T_is_refused_and_lag_T_minus_1_is_not()
    {
        // Windows 0 and 1-2 (made for 4 steps) over series of T = 2 steps: lag 2 is one before the first step.
        var groups = FeatureGroups.Lags("0,1-2", 4, ["a", "b", "c"]);
        var model = Fixtures.Model(1);
        var two = Fixtures.Context(model, 2) with
        {
            Steps = 2,
            Inputs = new float[12 * 2 * 3],
            Targets = new float[12 * 2],
            Groups = groups
        };
        var e = Assert.Throws<ArgumentException>(two.Validate);
        Assert.Equal("Groups", e.ParamName);
        Assert.StartsWith("a lag window reaches lag 2, and the series have T=2 steps", e.Message);
        // T = 3: lag 2 is the first step, accepted.
        (two with { Steps = 3, Inputs = new float[12 * 3 * 3], Targets = new float[12 * 3] }).Validate();
    }

    [Fact]
    public void A_loss_without_targets_is_refused_naming_who_asked()
    {
        var context = Context() with { Targets = null };
        Assert.Equal("permutation measures a loss against targets: give the context Targets",
                     Assert.Throws<InvalidOperationException>(() => new Permutation().Compute(context)).Message);
        // The loss helper, asked directly, names the method generically.
        const string helper =
            "a loss-based importance method measures a loss against targets: give the context Targets";
        Assert.Equal(helper, Assert.Throws<InvalidOperationException>(() =>
            Engine.Importance.Series.Loss(context.Model, context.Inputs, context)).Message);
    }
}
