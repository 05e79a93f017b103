using Engine.Importance;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// The refusals of <see cref="FeatureGroups"/>: null arguments by name, and each bad grouping with its whole message
/// (the message names the problem and what to write instead, so all of it is pinned, not a fragment).
/// </summary>
public class FeatureGroupGuardsTests
{
    private static readonly string[] Names = ["a", "b", "c"];

    [Fact]
    public void Null_arguments_are_refused_by_name()
    {
        Assert.Equal("spec", Assert.Throws<ArgumentNullException>(() => FeatureGroups.Parse(null!, Names)).ParamName);
        // "a" has no '=': the null feature names must be refused before the spec is read.
        Assert.Equal("featureNames",
                     Assert.Throws<ArgumentNullException>(() => FeatureGroups.Parse("a", null!)).ParamName);
        Assert.Equal("groups",
                     Assert.Throws<ArgumentNullException>(() => FeatureGroups.Create(null!, Names)).ParamName);
        Assert.Equal("featureNames",
                     Assert.Throws<ArgumentNullException>(() => FeatureGroups.Create([], null!)).ParamName);
        Assert.Equal("spec", Assert.Throws<ArgumentNullException>(() => FeatureGroups.Lags(null!, 4, Names)).ParamName);
        Assert.Equal("featureNames",
                     Assert.Throws<ArgumentNullException>(() => FeatureGroups.Lags("0", 4, null!)).ParamName);
        Assert.Equal("result", Assert.Throws<ArgumentNullException>(() =>
            FeatureGroups.Parse("g=a,c", Names).Sum(null!, ImportanceRanking.ByValue)).ParamName);
    }

    [Fact]
    public void Lag_windows_over_no_steps_are_refused_as_a_count_not_as_a_window()
    {
        // Window 0 needs at least one step; steps = 0 is a bad count, refused before any window is read.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => FeatureGroups.Lags("0", 0, Names));
        Assert.Equal("steps", e.ParamName);
        Assert.Equal(0, e.ActualValue);
        Assert.StartsWith("steps must be positive, got 0", e.Message);
    }

    [Fact]
    public void An_empty_group_is_refused_where_it_is_written()
    {
        // Parse refuses g's empty member list at once, before it reads the next part ("h" would have no '=').
        Assert.Equal("group 'g' is empty: name at least one feature",
                     Assert.Throws<ArgumentException>(() => FeatureGroups.Parse("g=;h", Names)).Message);
        // Create, given the list directly, refuses it too (no unit without members).
        Assert.Equal("group 'g' is empty: name at least one feature",
                     Assert.Throws<ArgumentException>(() => FeatureGroups.Create([("g", [])], Names)).Message);
    }

    [Theory]
    [InlineData("g=a,x", "group 'g': unknown feature 'x'; features: a, b, c")]
    [InlineData("b=a", "group 'b' has the name of a feature outside it: rename the group")]
    public void Bad_specs_are_refused_with_the_whole_message(string spec, string message) =>
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => FeatureGroups.Parse(spec, Names)).Message);

    [Fact]
    public void Windows_cannot_be_crossed_with_windows()
    {
        var windows = FeatureGroups.Lags("1", 4, Names);
        Assert.Equal("the groups are lag windows already",
                     Assert.Throws<ArgumentException>(() => FeatureGroups.Lags("0", 4, Names, windows)).Message);
    }

    [Fact]
    public void A_grouping_of_no_features_has_no_lag_windows()
    {
        // No unit at all: none is a lag window (so per-feature scores, of no features, can be summed).
        var none = FeatureGroups.Create([], []);
        Assert.Equal(0, none.Count);
        Assert.False(none.HasLagWindows);
        Assert.Empty(none.Sum(new ImportanceResult("m", []), ImportanceRanking.ByValue).Features);
    }

    [Fact]
    public void Sums_into_windows_or_over_other_features_are_refused()
    {
        var scores = ImportanceResult.FromScores("garson", [1, 2, 3]);
        var e = Assert.Throws<InvalidOperationException>(() =>
            FeatureGroups.Lags("0-1,2-3", 4, Names).Sum(scores, ImportanceRanking.ByValue));
        Assert.Equal("garson scores whole features: its scores cannot be summed into lag windows", e.Message);
        // A result of 2 features summed by a grouping of 3.
        var a = Assert.Throws<ArgumentException>(() =>
            FeatureGroups.Parse("g=a,c", Names).Sum(ImportanceResult.FromScores("m", [1, 2]),
                                                   ImportanceRanking.ByValue));
        Assert.Equal("result", a.ParamName);
        Assert.Equal("the result scores 2 features, the grouping covers 3 (Parameter 'result')", a.Message);
    }
}
