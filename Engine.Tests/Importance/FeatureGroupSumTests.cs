using Engine.Importance;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// <see cref="FeatureGroups.Sum"/> beyond the scores: a removal order whose units leave with their last member, the
/// score meaning, and the trained shares (each unit's the sum of its members').
/// </summary>
public class FeatureGroupSumTests
{
    private static readonly string[] Names = ["a", "b", "c"];

    [Fact]
    public void A_unit_leaves_with_its_last_member_even_when_its_first_goes_first()
    {
        // Backward removal a, c, b; g = {a, c} is in while c is, so g leaves second (with c) and b last:
        // order (g, b), ranks by removal Count - k: g 2, b 1. (Reading the removals by first member would give b, g.)
        var groups = FeatureGroups.Parse("g=a,c", Names);
        var features = new[] { new FeatureImportance(0, 0.1, 3), new FeatureImportance(1, 0.2, 1),
            new FeatureImportance(2, 0.3, 2) };
        var summed = groups.Sum(new ImportanceResult("m", features) { Order = [0, 2, 1] },
                                ImportanceRanking.RemovalOrder);
        Assert.Equal([0, 1], summed.Order!);
        Assert.Equal([2, 1], summed.Ranks);
    }

    [Fact]
    public void The_score_meaning_says_the_scores_were_summed()
    {
        var groups = FeatureGroups.Parse("g=a,c", Names);
        var result = ImportanceResult.FromScores("m", [0.1, 0.2, 0.3]);
        Assert.Equal("rise in loss, summed over each group",
                     groups.Sum(result with { ScoreMeaning = "rise in loss" }, ImportanceRanking.ByValue).ScoreMeaning);
        // No meaning given: the note alone, without a leading ", ".
        Assert.Equal("summed over each group", groups.Sum(result, ImportanceRanking.ByValue).ScoreMeaning);
    }

    [Fact]
    public void Trained_shares_are_summed_over_each_unit()
    {
        // Shares 0.5, 0.25, 0.125 of a, b, c: g = {a, c} gets 0.5 + 0.125 = 0.625, b keeps 0.25 (exact in binary).
        var groups = FeatureGroups.Parse("g=a,c", Names);
        var result = ImportanceResult.FromScores("m", [0.1, 0.2, 0.3]) with { TrainedShares = [0.5, 0.25, 0.125] };
        Assert.Equal([0.625, 0.25], groups.Sum(result, ImportanceRanking.ByValue).TrainedShares!);
    }
}
