using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using FsCheck;
using FsCheck.Xunit;
using Xunit;

namespace Engine.Tests.Importance;

public class StatisticsAndRegistryTests
{
    [Fact]
    public void SummariseGivesMeanSampleSdStandardErrorAndInterval()
    {
        var s = ImportanceStatistics.Summarise([1.0, 2.0, 3.0, 4.0]);
        Assert.Equal(2.5, s.Mean);
        Assert.Equal(Math.Sqrt(5.0 / 3), s.Sd, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3) / 2, s.Se, 12);
        Assert.Equal(4, s.Count);
        Assert.Equal(2.5 + 1.96 * s.Se, s.Ci95High, 12);
        Assert.True(double.IsNaN(ImportanceStatistics.Summarise([7.0]).Sd));
    }

    [Fact]
    public void RanksPutTheLargestFirstAndShareTies()
    {
        Assert.Equal([2, 1, 3, 3], ImportanceStatistics.Ranks([0.5, 0.9, 0.1, 0.1]));
        Assert.Equal([1, 2, 3], ImportanceStatistics.Ranks([-6, 5.5, 0], byMagnitude: true));
        Assert.Equal([2, 1], ImportanceStatistics.Ranks([double.NaN, -1]));
    }

    [Property(MaxTest = 50)]
    public bool RanksArePermutationOfOneToFWithoutTies(NormalFloat[] values)
    {
        var scores = values.Select(v => v.Get).Distinct().ToArray();
        return ImportanceStatistics.Ranks(scores).Order().SequenceEqual(Enumerable.Range(1, scores.Length));
    }

    [Fact]
    public void AcrossNetworksAveragesScoresAndCountsLastPlaces()
    {
        var a = ImportanceResult.FromScores("m", [0.5, 0.3, 0.1]) with { TimeMap = new double[,] { { 1, 2, 3 } } };
        var b = ImportanceResult.FromScores("m", [0.7, 0.1, 0.2]) with { TimeMap = new double[,] { { 3, 2, 1 } } };
        var combined = ImportanceStatistics.AcrossNetworks([a, b]);
        Assert.Equal([0.6, 0.2, 0.15], combined.Scores.Select(v => Math.Round(v, 12)));
        Assert.Equal([1, 2, 3], combined.Ranks);
        var s = combined.Features[0].Statistics!.Value;
        Assert.Equal(2, s.Count);
        Assert.Equal(Math.Sqrt(0.02), s.Sd, 12);
        Assert.Equal(new double[] { 2, 2, 2 }, combined.TimeMap!.Cast<double>());
        Assert.Contains("mean rank 1.0, 2.5, 2.5", combined.Note);
        Assert.Contains("strictly last in 0, 1, 1 of 2", combined.Note);
        Assert.Throws<ArgumentException>(() =>
            ImportanceStatistics.AcrossNetworks([a, ImportanceResult.FromScores("other", [1, 2, 3])]));
    }

    [Fact]
    public void AcrossNetworksKeepsTheWorstCompletenessGap()
    {
        // Integrated gradients over three networks: the gaps 0.002, 0.03 (not converged) and none; the worst is
        // reported.
        var a = ImportanceResult.FromScores("m",
                                            [1, 2]) with
        { Completeness = new CompletenessGap(0.002, 0.5, 32, 0.01) };
        var b = ImportanceResult.FromScores("m",
                                            [2, 1]) with
        { Completeness = new CompletenessGap(0.03, 0.25, 512, 0.01) };
        var c = ImportanceResult.FromScores("m", [1, 1]);
        var combined = ImportanceStatistics.AcrossNetworks([a, b, c]);
        Assert.Equal(0.03, combined.Completeness!.Gap);
        Assert.Equal(512, combined.Completeness.Intervals);
        Assert.False(combined.Completeness.Converged);
    }

    [Fact]
    public void AcrossNetworksRanksSignedScoresByMagnitudeOfTheMean()
    {
        // Connection weights on two networks: means [-2, 1, 0.5]; by magnitude -2 ranks first. SD of [-3, -1] =
        // sqrt(2),
        // SE = 1, interval -2 -+ 1.96.
        var a = ImportanceResult.FromScores("cw", [-3, 1.5, 0.5], byMagnitude: true);
        var b = ImportanceResult.FromScores("cw", [-1, 0.5, 0.5], byMagnitude: true);
        var combined = ImportanceStatistics.AcrossNetworks([a, b], byMagnitude: true);
        Assert.Equal([-2.0, 1.0, 0.5], combined.Scores);
        Assert.Equal([1, 2, 3], combined.Ranks);
        var s = combined.Features[0].Statistics!.Value;
        Assert.Equal(Math.Sqrt(2), s.Sd, 12);
        Assert.Equal(1.0, s.Se, 12);
        Assert.Equal(-2 - 1.96, s.Ci95Low, 12);
        Assert.Equal(-2 + 1.96, s.Ci95High, 12);
        Assert.Equal(0.0, combined.Features[2].Statistics!.Value.Sd); // equal scores: no spread
        Assert.Equal([3, 1, 2], ImportanceStatistics.AcrossNetworks([a, b]).Ranks); // signed: -2 ranks last
    }

    [Fact]
    public void SpearmanOfIdenticalAndReversedOrders()
    {
        Assert.Equal(1.0, ImportanceStatistics.Spearman([1, 2, 3], [10, 20, 30]), 12);
        Assert.Equal(-1.0, ImportanceStatistics.Spearman([1, 2, 3], [3, 2, 1]), 12);
    }

    [Fact]
    public void RegistryKnowsFourteenMethodsByName()
    {
        Assert.Equal(14, ImportanceMethods.Names.Count);
        foreach (var name in ImportanceMethods.Names) Assert.Equal(name, ImportanceMethods.Create(name).Name);
        Assert.Equal(ImportanceMethods.Names, ImportanceMethods.Parse("all"));
        Assert.Equal(["garson", "permutation"], ImportanceMethods.Parse(" garson, Permutation,garson"));
    }

    [Fact]
    public void RegistryRejectsUnknownNamesListingTheValidOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => ImportanceMethods.Parse("garson,olden"));
        Assert.Contains("'olden'", e.Message);
        foreach (var name in ImportanceMethods.Names) Assert.Contains(name, e.Message);
        Assert.Throws<ArgumentException>(() => ImportanceMethods.Parse(" , "));
        Assert.Throws<ArgumentException>(() => ImportanceMethods.Create("lek"));
    }

    [Fact]
    public void ForwardSearchAddsTheBestFeatureFirst()
    {
        // Additive loss: 1 - sum of the included features' weights. Forward enters by weight, scores = weights.
        double[] weight = [0.1, 0.5, 0.05, 0.3];
        double Loss(ulong mask) => 1 - Enumerable.Range(0, 4).Where(i => (mask >> i & 1) != 0).Sum(i => weight[i]);
        var (scores, ranks, order) = StepwiseSearch.Forward(4, masks => masks.Select(m => new[] { Loss(m) }).ToArray());
        Assert.Equal([1, 3, 0, 2], order);
        Assert.Equal([3, 1, 4, 2], ranks);
        for (int i = 0; i < 4; i++) Assert.Equal(weight[i], scores[i].Mean, 12);
        var backward = StepwiseSearch.Backward(4, masks => masks.Select(m => new[] { Loss(m) }).ToArray());
        Assert.Equal([2, 0, 3, 1], backward.Order);
        Assert.Equal(ranks, backward.Ranks);
        for (int i = 0; i < 4; i++) Assert.Equal(weight[i], backward.Scores[i].Mean, 12);
    }

    [Fact]
    public void StepwiseWithoutARetrainerSaysWhatIsMissing()
    {
        var context = Fixtures.Context(Fixtures.Model(1), 1);
        var e = Assert.Throws<InvalidOperationException>(() => new RetrainingStepwise(forward: true).Compute(context));
        Assert.Contains("Retrain", e.Message);
    }

    [Fact]
    public void ContextRejectsMismatchedShapes()
    {
        var context = Fixtures.Context(Fixtures.Model(1), 1);
        // Every method refuses a context whose inputs do not fit it (the weight methods, too, which read no data).
        // The context has no targets and no retrainers, so a method that checked those first would throw
        // InvalidOperationException instead: the shape is checked before anything else, by every one of the 14.
        foreach (var name in ImportanceMethods.Names)
        {
            var method = ImportanceMethods.Create(name);
            var e = Assert.Throws<ArgumentException>(() => method.Compute(context with { Count = context.Count + 1 }));
            Assert.Contains("inputs must hold", e.Message);
        }
    }

    [Fact]
    public void SummariseStaysAccurateFarFromZero()
    {
        // Samples 1e8 + 0.1, 0.2, 0.3: spacing 0.1 (to the 1.5e-8 spacing of doubles near 1e8), so SD = 0.1. The
        // two-pass sum of (s - mean)^2 keeps it; the one-pass sum s^2 - n mean^2 loses every digit at this offset.
        var s = ImportanceStatistics.Summarise([1e8 + 0.1, 1e8 + 0.2, 1e8 + 0.3]);
        Assert.Equal(1e8 + 0.2, s.Mean, 6);
        Assert.Equal(0.1, s.Sd, 6);
        Assert.Equal(0.1 / Math.Sqrt(3), s.Se, 6);
    }

    [Fact]
    public void AcrossNetworksDropsWhatOneNetworkLacksAndGivesOneNetworkNoSpread()
    {
        // Network a has a time map, gate scores and trained shares; b has trained shares only.
        var a = ImportanceResult.FromScores("m", [0.5, 0.3]) with
        {
            TimeMap = new double[,] { { 1, 2 } },
            GateScores = new double[,] { { 3, 4 } },
            TrainedShares = [0.6, 0.4],
        };
        var b = ImportanceResult.FromScores("m", [0.7, 0.1]) with { TrainedShares = [0.2, 0.8] };
        var combined = ImportanceStatistics.AcrossNetworks([a, b]);
        Assert.Null(combined.TimeMap);
        Assert.Null(combined.GateScores);
        Assert.Equal([0.4, 0.6], combined.TrainedShares!.Select(v => Math.Round(v, 12)));
        Assert.Null(ImportanceStatistics.AcrossNetworks([a, b with { TrainedShares = null }]).TrainedShares);
        // One network: its scores, maps and shares as they are, without SD or interval.
        var one = ImportanceStatistics.AcrossNetworks([a]);
        Assert.Equal([0.5, 0.3], one.Scores);
        Assert.All(one.Features, f => Assert.Null(f.Statistics));
        Assert.Equal([1.0, 2.0], one.TimeMap!.Cast<double>());
        Assert.Equal([3.0, 4.0], one.GateScores!.Cast<double>());
        Assert.Equal([0.6, 0.4], one.TrainedShares!);
        Assert.Contains("m over 1 networks: mean rank 1.0, 2.0; strictly last in 0, 1 of 1", one.Note);
    }
}

public class RetrainerTests
{
    [Fact]
    public void ArrayRetrainerTrainsAModelOnTheSubsetReproducibly()
    {
        var context = Fixtures.Context(Fixtures.Model(1), 2, count: 20);
        Sequential Build(int inputs, ulong seed)
        {
            var m = new Sequential(inputs, [new Lstm(3, returnSequences: true), new Dense(1, Activation.Sigmoid)],
                                   flatten: true);
            m.Initialize(seed);
            return m;
        }
        var retrain = Retrainers.FromArrays(Build, context.Inputs, context.Targets!, context.Count, context.Steps,
                                                            context.Features, context.Loss, epochs: 3, batchSize: 4);
        var a = retrain([0, 2], 5);
        var b = retrain([0, 2], 5);
        Assert.Equal(2, a.InputFeatures);
        Assert.Equal(a.Parameters, b.Parameters);
        var untrained = Build(2, 5);
        Assert.NotEqual(untrained.Parameters, a.Parameters);
        // Forward-stepwise runs on it end to end.
        var result =
            new RetrainingStepwise(forward: true) { Restarts = 2 }.Compute(context with
            {
                Retrain = retrain,
                Threads = 2
            });
        Assert.Equal([0, 1, 2], result.Order!.Order());
        Assert.Equal([1, 2, 3], result.Ranks.Order());
    }
}
