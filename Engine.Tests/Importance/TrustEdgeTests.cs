using Engine.Importance;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// <see cref="ImportanceTrust"/> at its edges: the refusals, every contender flagged, rho exactly at the floor, the
/// sanity verdict's choice of unit and its interval ends, the negligible-rise thresholds and the inversion's ties.
/// </summary>
public class TrustEdgeTests
{
    private static MethodRun Run(string name, double[] scores, SampleStatistics[]? stats = null,
                                 bool randomised = false) =>
        new(name, 0, ImportanceResult.FromScores(name, scores, stats) with { RandomisedModel = randomised },
            ImportanceRanking.ByValue);

    private static SampleStatistics S(double mean, double se) => new(mean, se * 2, se, 4);

    // ---- Assess ----

    [Fact]
    public void AssessRefusesRunsThatAreAllSanityChecks()
    {
        var e = Assert.Throws<ArgumentException>(
            () => ImportanceTrust.Assess([Run("model-randomisation", [0.5, 0.5], randomised: true)]));
        Assert.Equal("runs", e.ParamName);
        Assert.Equal("no method ranks the model itself (only sanity checks) (Parameter 'runs')", e.Message);
    }

    [Fact]
    public void WhenEveryContenderMisranksTheFirstConsensusIsOverAllOfThem()
    {
        // Permutation's rise for unit 1 (0.5, SE 0.5) has an interval reaching 0 (0.5 - 1.96 x 0.5 < 0): unit 1 does
        // not matter, yet permutation ranks it 2nd, above unit 2 (rank 3): inversion (1, 2). Garson (ranks 3, 1, 2)
        // ranks it 1st, above unit 0 (rank 3): inversion (1, 0). No contender is straight, so the first consensus is
        // the mean over both: (1 + 3) / 2, (2 + 1) / 2, (3 + 2) / 2 = (2, 1.5, 2.5), mid ranks (2, 1, 3). Each one's
        // rho with it: centred ranks (-1, 0, 1) . (0, -1, 1) = 1 over sqrt(2 x 2) = 0.5, and (1, -1, 0) . (0, -1, 1)
        // = 1 over 2 = 0.5. Every one flagged: the consensus is over all of them.
        var t = ImportanceTrust.Assess(
        [
            Run("permutation", [1.0, 0.5, 0.3], [S(1.0, 0.01), S(0.5, 0.5), S(0.3, 0.01)]),
            Run("garson", [0.1, 0.5, 0.3]),
        ]);
        Assert.Equal([true, false, true], t.Relevant!);
        Assert.Equal(["permutation", "garson"], t.Flags.Select(f => f.Method));
        Assert.Equal((1, 2), t.Flags[0].Inversion);
        Assert.Equal((1, 0), t.Flags[1].Inversion);
        Assert.Equal(0.5, t.Flags[0].Spearman, 15);
        Assert.Equal(0.5, t.Flags[1].Spearman, 15);
        Assert.Equal(["permutation", "garson"], t.Passed);
        Assert.Equal([2, 1.5, 2.5], t.MeanRanks);
        Assert.Equal([1, 0, 2], t.Order);
    }

    [Fact]
    public void ARhoExactlyAtTheFloorIsNotFlagged()
    {
        // No judge. Ranks (1,2,3,4,5) twice and (2,1,4,3,5): the mean (4/3, 5/3, 10/3, 11/3, 5) orders the units
        // 1..5, and the third ranking's rho with that is 1 - 6 sum d^2 / (n (n^2 - 1)) = 1 - 6 x 4 / 120 = 0.8
        // exactly (as Pearson: 8 / sqrt(10 x 10)): at the floor, not below it, so nobody is flagged.
        var t = ImportanceTrust.Assess(
        [
            Run("occlusion", [5, 4, 3, 2, 1]), Run("integrated-gradients", [5, 4, 3, 2, 1]),
            Run("garson", [4, 5, 2, 3, 1]),
        ]);
        Assert.Empty(t.Flags);
        Assert.Equal(["occlusion", "integrated-gradients", "garson"], t.Passed);
        Assert.Equal(0.8, t.Spearman[0, 2], 15);
    }

    // ---- Sanity ----

    private static MethodRun Check(double[]? trained, params SampleStatistics[] stats)
    {
        var result = ImportanceResult.FromScores("model-randomisation", stats.Select(s => s.Mean).ToArray(), stats);
        return new("model-randomisation", 0, result with { RandomisedModel = true, TrainedShares = trained },
                   ImportanceRanking.ByValue);
    }

    [Fact]
    public void WithoutTrainedSharesTheVerdictIsUndecidedEvenWithValidIntervals()
    {
        var s = ImportanceTrust.Sanity(Check(null, S(0.5, 0.02), S(0.5, 0.02)));
        Assert.Null(s.Passed);
        Assert.Equal(0, s.Unit);
        Assert.True(double.IsNaN(s.Trained));
        Assert.Equal(S(0.5, 0.02), s.Randomised);
    }

    [Fact]
    public void OneUnitWithoutAnErrorMakesTheVerdictUndecidedAndReportsTheFirstUnit()
    {
        // Unit 1 has no SE (one network): not decidable, although unit 0's trained 0.5 lies 25 SE from its 0.25.
        // The verdict names unit 0 with its trained share 0.5.
        var nan = new SampleStatistics(0.25, double.NaN, double.NaN, 1);
        var s = ImportanceTrust.Sanity(Check([0.5, 0.25], S(0.25, 0.01), nan));
        Assert.Null(s.Passed);
        Assert.Equal(0, s.Unit);
        Assert.Equal(0.5, s.Trained);
        Assert.Equal(S(0.25, 0.01), s.Randomised);
    }

    [Fact]
    public void AZeroErrorIsDecidableAndADifferentShareThereIsInfinitelyFar()
    {
        // Unit 1: every randomised network gave 0.25 (SE 0); trained 0.3 is infinitely many SE away and outside the
        // interval [0.25, 0.25]: passed, for unit 1 (unit 0's 0.26 is only 0.5 SE from 0.25).
        var s = ImportanceTrust.Sanity(Check([0.26, 0.3], S(0.25, 0.02), S(0.25, 0)));
        Assert.Equal(1, s.Unit);
        Assert.Equal(0.3, s.Trained);
        Assert.True(s.Passed);
    }

    [Fact]
    public void TheUnitIsTheFarthestInStandardErrors()
    {
        // Unit 0: |0.35 - 0.25| / 0.01 = 10 SE; unit 1: |0.5 - 0.25| / 0.1 = 2.5 SE (but the larger raw distance
        // 0.25, and the larger distance x SE, 0.025 against 0.001): unit 0.
        var a = ImportanceTrust.Sanity(Check([0.35, 0.5], S(0.25, 0.01), S(0.25, 0.1)));
        Assert.Equal(0, a.Unit);
        Assert.Equal(0.35, a.Trained);
        Assert.True(a.Passed);
        // Unit 0: |0.5 - 0.4| / 0.01 = 10 SE; unit 1: |0.3 - 0.1| / 0.01 = 20 SE: unit 1 (by the sum of trained and
        // mean it would be unit 0: 90 against 40).
        var b = ImportanceTrust.Sanity(Check([0.5, 0.3], S(0.4, 0.01), S(0.1, 0.01)));
        Assert.Equal(1, b.Unit);
        Assert.Equal(0.3, b.Trained);
        Assert.True(b.Passed);
    }

    [Fact]
    public void TheIntervalEndsCountAsInside()
    {
        // The trained share exactly at mean - 1.96 SE (or + 1.96 SE), the same double as the interval's end: inside,
        // so the check fails. Unit 1's trained share equals its mean, so unit 0 is the farthest.
        double low = 0.25 - 1.96 * 0.02, high = 0.25 + 1.96 * 0.02;
        var atLow = ImportanceTrust.Sanity(Check([low, 0.25], S(0.25, 0.02), S(0.25, 0.02)));
        Assert.Equal(0, atLow.Unit);
        Assert.False(atLow.Passed);
        var atHigh = ImportanceTrust.Sanity(Check([high, 0.25], S(0.25, 0.02), S(0.25, 0.02)));
        Assert.Equal(0, atHigh.Unit);
        Assert.False(atHigh.Passed);
    }

    // ---- Matters ----

    private static FeatureImportance[] Judge(params double[] scores) =>
        scores.Select((s, j) => new FeatureImportance(j, s, 0)).ToArray();

    [Fact]
    public void MattersRefusesNoJudges()
    {
        var e = Assert.Throws<ArgumentException>(() => ImportanceTrust.Matters([]));
        Assert.Equal("judges", e.ParamName);
        Assert.Equal("at least one judge is needed (Parameter 'judges')", e.Message);
    }

    [Fact]
    public void ARiseOfExactlyTwoPercentOfTheLargestIsNotNegligible() =>
        // 0.02 x 1.0 = 0.02, the same double: not below the share.
        Assert.Equal([true, true], ImportanceTrust.Matters([Judge(1.0, 0.02)]));

    [Fact]
    public void TheShareIsOfTheLargestRise() =>
        // Largest 2: the threshold is 0.02 x 2 = 0.04, so 0.03 is negligible and 0.05 is not.
        Assert.Equal([true, false, true], ImportanceTrust.Matters([Judge(2, 0.03, 0.05)]));

    [Fact]
    public void WhenNoRiseIsPositiveEveryUnitIsNegligible() =>
        // Largest rise 0: nothing has an effect, not even the units at 0.
        Assert.Equal([false, false, false], ImportanceTrust.Matters([Judge(0, -0.1, 0)]));

    [Fact]
    public void AnIntervalWhoseLowEndIsExactlyZeroIsNegligible()
    {
        // Unit 1: mean 0.98, SE 0.5, low end 0.98 - 1.96 x 0.5 = 0 exactly (halving is exact in binary).
        Assert.Equal(0.0, 0.98 - 1.96 * 0.5);
        FeatureImportance[] judge =
            [
                new(0, 1.0, 1, new SampleStatistics(1.0, 0.02, 0.01, 4)),
                new(1, 0.98, 2, new SampleStatistics(0.98, 1, 0.5, 4)),
            ];
        Assert.Equal([true, false], ImportanceTrust.Matters([judge]));
    }

    // ---- Inversion ----

    [Fact]
    public void WhenEveryUnitMattersThereIsNoInversion() =>
        Assert.Null(ImportanceTrust.Inversion([1, 2, 3], [true, true, true]));

    [Fact]
    public void AnIrrelevantUnitAtIndexZeroCanBeTheInversion() =>
        // Unit 0 does not matter and ranks 1st, above unit 1 (2nd), which does.
        Assert.Equal((0, 1), ImportanceTrust.Inversion([1, 2], [false, true]));

    [Fact]
    public void TheInversionIsTheBestIrrelevantNotTheLastOne() =>
        // Irrelevant units 0 (rank 1) and 2 (rank 2): the best-ranked is unit 0, not the later one.
        Assert.Equal((0, 1), ImportanceTrust.Inversion([1, 3, 2], [false, true, false]));

    [Fact]
    public void TiesAreResolvedToTheLowerIndex()
    {
        // Relevant units 0 and 1 tie as the worst (rank 2): unit 0. Irrelevant unit 2 ranks 1st, above them.
        Assert.Equal((2, 0), ImportanceTrust.Inversion([2, 2, 1], [true, true, false]));
        // Irrelevant units 0 and 1 tie as the best (rank 1): unit 0. Relevant unit 2 ranks 3rd, below them.
        Assert.Equal((0, 2), ImportanceTrust.Inversion([1, 1, 3], [false, false, true]));
    }
}
