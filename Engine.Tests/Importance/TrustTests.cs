using Engine.Importance;
using Xunit;

namespace Engine.Tests.Importance;

public class AgreementTests
{
    // Four rankings of five inputs, two with ties (competition ranks): C ties inputs 2 and 3 at rank 2, D ties
    // inputs 4 and 5 at rank 3.
    private static readonly int[][] Four = [[1, 2, 3, 4, 5], [1, 3, 2, 4, 5], [1, 2, 2, 4, 5], [2, 1, 5, 3, 3]];

    [Fact]
    public void MidRanksSplitTiesEvenly() =>
        Assert.Equal([2, 1, 5, 3.5, 3.5], ImportanceAgreement.MidRanks([2, 1, 5, 3, 3]));

    [Fact]
    public void KendallWWithTiesMatchesTheTextbookFormula()
    {
        // By hand: rank sums R = 5, 8.5, 12.5, 15.5, 18.5 (mid ranks), centre m (n + 1) / 2 = 12, S = 116;
        // ties: C and D each have one pair, T = 2 (2^3 - 2) = 12; W = 12 x 116 / (16 x 120 - 4 x 12) = 1392 / 1872
        // = 29/39. numpy (float64, the same formula): 0.74358974358974361. Without the tie correction it would be
        // 1392 / 1920 = 0.725.
        Assert.Equal(29.0 / 39.0, ImportanceAgreement.KendallW(Four), 15);
        Assert.Equal(0.74358974358974361, ImportanceAgreement.KendallW(Four), 15);
    }

    [Fact]
    public void KendallWIsOneForIdenticalRankingsAndLowForOpposedOnes()
    {
        Assert.Equal(1.0, ImportanceAgreement.KendallW([[2, 1, 3], [2, 1, 3]]), 15);
        // Two equal, one reversed: R = 5, 6, 7, S = 2, W = 24 / (9 x 24) = 1/9 (numpy 0.1111111111111111).
        Assert.Equal(1.0 / 9, ImportanceAgreement.KendallW([[1, 2, 3], [1, 2, 3], [3, 2, 1]]), 15);
        Assert.True(double.IsNaN(ImportanceAgreement.KendallW([[1, 1, 1], [1, 1, 1]])));
        Assert.True(double.IsNaN(ImportanceAgreement.KendallW([[1, 2, 3]])));
    }

    [Fact]
    public void MeanRanksAreTheMeanMidRanks() =>
        Assert.Equal([1.25, 2.125, 3.125, 3.875, 4.625], ImportanceAgreement.MeanRanks(Four));

    [Fact]
    public void SpearmanMatrixMatchesNumpy()
    {
        // numpy: corrcoef of the mid ranks.
        double[,] expected =
        {
            { 1, 0.8999999999999998, 0.97467943448089633, 0.56428809364683474 },
            { 0.8999999999999998, 1, 0.97467943448089633, 0.15389675281277312 },
            { 0.97467943448089644, 0.97467943448089644, 1, 0.36842105263157904 },
            { 0.56428809364683474, 0.15389675281277312, 0.36842105263157904, 1 },
        };
        var rho = ImportanceAgreement.SpearmanMatrix(Four);
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++) Assert.Equal(expected[a, b], rho[a, b], 14);
    }

    [Fact]
    public void RankingsOfDifferentLengthsAreRefused() =>
        Assert.Throws<ArgumentException>(() => ImportanceAgreement.KendallW([[1, 2], [1, 2, 3]]));
}

public class TrustTests
{
    private static FeatureImportance F(int j, double score, int rank, double? ciLow = null) =>
        new(j, score, rank,
            ciLow is { } low ? new SampleStatistics(score, 0, (score - low) / ImportanceStatistics.Z95, 4) : null);

    private static MethodRun Run(string name, double[] scores, bool randomised = false,
                                 ImportanceRanking ranking = ImportanceRanking.ByValue) =>
        new(name, 0, ImportanceResult.FromScores(name, scores) with { RandomisedModel = randomised }, ranking);

    [Fact]
    public void AnInputMattersUnlessHalfTheJudgesFindItNegligible()
    {
        // Judge 1: largest 1.0, so 0.019 (< 2% = 0.02) is negligible and 0.021 is not; judge 2 gives input 2 an
        // interval reaching 0 and input 3 one just above.
        var one = new[] { F(0, 1.0, 1), F(1, 0.019, 4), F(2, 0.021, 3), F(3, 0.5, 2) };
        Assert.Equal([true, false, true, true], ImportanceTrust.Matters([one]));
        var two = new[] { F(0, 1.0, 1), F(1, 0.5, 2, ciLow: 0.1), F(2, 0.2, 4, ciLow: -0.01), F(3, 0.3, 3, 0.01) };
        Assert.Equal([true, true, false, true], ImportanceTrust.Matters([two]));
        // Two judges: negligible for either one is half of them: does not matter.
        Assert.Equal([true, false, false, true], ImportanceTrust.Matters([one, two]));
        // Three: input 2 negligible for one of three: matters.
        Assert.Equal([true, false, true, true], ImportanceTrust.Matters([one, two, one]));
    }

    [Fact]
    public void InversionNamesTheBestIrrelevantAboveTheWorstRelevant()
    {
        bool[] relevant = [true, true, false, true, false];
        Assert.Null(ImportanceTrust.Inversion([1, 2, 4, 3, 5], relevant));
        Assert.Equal((2, 1), ImportanceTrust.Inversion([1, 5, 2, 3, 4], relevant));
        // A tie is not "above".
        Assert.Null(ImportanceTrust.Inversion([1, 3, 3, 2, 5], relevant));
    }

    [Fact]
    public void AssessFlagsTheMethodsThatMisrankAndBuildsTheConsensusFromTheRest()
    {
        // Truth: a > b > c > d, d does not matter (permutation's rise 0.001 < 2% of 1.0).
        var runs = new[]
        {
            Run("permutation", [1.0, 0.5, 0.2, 0.001]),
            Run("partial-derivatives", [0.6, 0.2, 0.3, 0.05]), // b, c swapped: rho 0.8 with the first consensus
            Run("connection-weights", [0.9, 0.01, 0.4, 0.3]), // ranks d above b
            Run("garson", [0.1, 0.2, 0.3, 0.4]), // reversed
            Run("model-randomisation", [0.26, 0.24, 0.25, 0.25], randomised: true),
        };
        var t = ImportanceTrust.Assess(runs);
        Assert.Equal(["permutation", "partial-derivatives", "connection-weights", "garson"], t.Contenders);
        Assert.Equal([true, true, true, false], t.Relevant!);
        Assert.Equal(["permutation"], t.Judges);
        // connection-weights and garson rank d above b (and a): flagged first. The first consensus, over permutation
        // (1, 2, 3, 4) and partial derivatives (1, 3, 2, 4), is (1, 2.5, 2.5, 4); each has rho 0.9486832980505138
        // (numpy) >= 0.8 with it: kept.
        Assert.Equal(["connection-weights", "garson"], t.Flags.Select(f => f.Method));
        Assert.Equal((3, 1), t.Flags[0].Inversion);
        Assert.Equal((3, 0), t.Flags[1].Inversion);
        Assert.Equal(-0.9486832980505139, t.Flags[1].Spearman, 14); // garson (4, 3, 2, 1): the reverse
        Assert.Equal(["permutation", "partial-derivatives"], t.Passed);
        Assert.Equal([1, 2.5, 2.5, 4], t.MeanRanks);
        Assert.Equal([0, 1, 2, 3], t.Order);
        // W over (1,2,3,4) and (1,3,2,4): R = 2, 5, 5, 8, S = 18, W = 12 x 18 / (4 x 60) = 0.9.
        Assert.Equal(0.9, t.KendallW, 14);
        // Over all four: R = 7, 12, 9, 12, S = 9 + 4 + 1 + 4 = 18, W = 12 x 18 / (16 x 60) = 0.225 (numpy 0.225).
        Assert.Equal(0.225, t.KendallWAll, 14);
        Assert.Equal(4, t.Spearman.GetLength(0));
        Assert.Equal("model-randomisation", t.Sanity!.Method);
        Assert.Null(t.Sanity.Passed); // no trained shares in this made-up result
    }

    private static MethodRun Randomised(double[] trained, double[] mean, double se)
    {
        var stats = mean.Select(m => new SampleStatistics(m, se * 2, se, 4)).ToArray();
        var result = ImportanceResult.FromScores("model-randomisation", mean, stats);
        return new("model-randomisation", 0, result with { RandomisedModel = true, TrainedShares = trained },
                   ImportanceRanking.ByValue);
    }

    [Fact]
    public void TheSanityCheckPassesWhenATrainedShareLiesOutsideItsRandomisedInterval()
    {
        // Randomised shares 0.25 each, SE 0.02: intervals [0.2108, 0.2892]. Trained 0.30 for input 1 is 2.5 SE
        // away (the farthest; input 0's 0.22 is 1.5 SE): outside, passed.
        var passed = ImportanceTrust.Sanity(Randomised([0.22, 0.30, 0.24, 0.24], [0.25, 0.25, 0.25, 0.25], 0.02));
        Assert.Equal(1, passed.Unit);
        Assert.Equal(0.30, passed.Trained);
        Assert.True(passed.Passed);
        // Every trained share within 1.96 SE: failed (0.289 < 0.25 + 1.96 x 0.02 = 0.2892).
        var failed = ImportanceTrust.Sanity(Randomised([0.289, 0.25, 0.25, 0.22], [0.25, 0.25, 0.25, 0.25], 0.02));
        Assert.Equal(0, failed.Unit);
        Assert.False(failed.Passed);
    }

    [Fact]
    public void WithoutAJudgeRelevanceIsNotJudgedAndOnlyDisagreementFlags()
    {
        var t = ImportanceTrust.Assess([Run("occlusion", [3, 2, 1]), Run("garson", [1, 2, 3]),
                                        Run("integrated-gradients", [3, 2, 1])]);
        Assert.Null(t.Relevant);
        Assert.Empty(t.Judges);
        Assert.Equal(["garson"], t.Flags.Select(f => f.Method));
        Assert.Null(t.Flags[0].Inversion);
        Assert.Equal(1.0, t.KendallW, 15);
        Assert.Null(t.Sanity);
    }
}
