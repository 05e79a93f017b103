using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// What methods declare (<see cref="IImportanceMethod.Needs"/>, <see cref="IImportanceMethod.Ranking"/>) is true of
/// what they do, the runner acts on it (skips target-less methods with a note), and
/// <see cref="ImportanceMethods.Create(string, ImportanceOptions?)"/>
/// gives each method its options.
/// </summary>
public class MethodContractTests
{
    public static IEnumerable<object[]> AllMethods => ImportanceMethods.Names.Select(n => new object[] { n });

    private static readonly ImportanceOptions Cheap = new() { Restarts = 1, NullNetworks = 3 };

    // A tiny retrainer: LSTM(2) -> Dense(1, sigmoid) on the context's own data, one epoch.
    private static Retrainer Retrainer(ImportanceContext c, bool permute = false) =>
        Retrainers.FromArrays((inputs, seed) =>
        {
            var m = new Sequential(inputs, [new Lstm(2, returnSequences: true), new Dense(1, Activation.Sigmoid)],
                                   flatten: true);
            m.Initialize(seed);
            return m;
        }, c.Inputs, c.Targets!, c.Count, c.Steps, c.Features, c.Loss, epochs: 1, batchSize: 4,
        permuteTargets: permute);

    private static ImportanceContext WithRetrainers(ImportanceContext c) =>
        c with { Retrain = Retrainer(c), RetrainPermuted = Retrainer(c, permute: true) };

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void NeedsTargetsExactlyWhenItSaysSo(string name)
    {
        var method = ImportanceMethods.Create(name, Cheap);
        var context = WithRetrainers(Fixtures.Context(Fixtures.Model(3), 4, repeats: 2));
        var withoutTargets = context with { Targets = null };
        if (method.Needs.HasFlag(ImportanceNeeds.Targets))
        {
            // A retrainer of its own that ignores the targets: the method itself must still refuse.
            var e = Record.Exception(() => method.Compute(withoutTargets));
            Assert.True(e is InvalidOperationException or ArgumentException,
                        $"{name} ran without targets ({e?.GetType().Name})");
        }
        else
        {
            // Runs, and gives exactly what it gives with targets: it never read them.
            var a = method.Compute(withoutTargets);
            var b = method.Compute(context);
            Assert.Equal(b.Scores, a.Scores);
        }
    }

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void NeedsRetrainersExactlyWhenItSaysSo(string name)
    {
        var method = ImportanceMethods.Create(name, Cheap);
        var context = Fixtures.Context(Fixtures.Model(3), 4, repeats: 2);
        foreach (var (need, drop) in new (ImportanceNeeds, Func<ImportanceContext, ImportanceContext>)[]
                 {
                     (ImportanceNeeds.Retraining, c => c with { RetrainPermuted = Retrainer(c, permute: true) }),
                     (ImportanceNeeds.PermutedRetraining, c => c with { Retrain = Retrainer(c) }),
                 })
        {
            var lacking = drop(context);
            if (method.Needs.HasFlag(need)) Assert.Throws<InvalidOperationException>(() => method.Compute(lacking));
            else Assert.Equal(method.Compute(WithRetrainers(context)).Scores, method.Compute(lacking).Scores);
        }
    }

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void RanksAsItSays(string name)
    {
        var method = ImportanceMethods.Create(name, Cheap);
        var result = method.Compute(WithRetrainers(Fixtures.Context(Fixtures.Model(5), 6, repeats: 2)));
        int f = result.Features.Count;
        // The ranks written out from the scores or the order, independently of how the method computed them.
        var expected = new int[f];
        switch (method.Ranking)
        {
            case ImportanceRanking.EntryOrder:
                for (int j = 0; j < f; j++) expected[result.Order![j]] = j + 1;
                break;
            case ImportanceRanking.RemovalOrder:
                for (int j = 0; j < f; j++) expected[result.Order![j]] = f - j;
                break;
            default:
                var key = result.Scores.Select(s =>
                    method.Ranking == ImportanceRanking.Magnitude ? Math.Abs(s) : s).ToArray();
                for (int i = 0; i < f; i++) expected[i] = 1 + key.Count(k => k > key[i]);
                break;
        }
        Assert.Equal(expected, result.Ranks);
        Assert.Equal(method.Ranking is ImportanceRanking.EntryOrder or ImportanceRanking.RemovalOrder,
                     result.Order is not null);
        // Only the sanity check scores randomised networks rather than the model.
        Assert.Equal(name == "model-randomisation", result.RandomisedModel);
    }

    [Fact]
    public void ConnectionWeightsRankByMagnitudeAndTheRestBySign()
    {
        // Signed connection weights are the one ranking where a large negative score is important.
        var byMagnitude = ImportanceMethods.Names.Where(n =>
            ImportanceMethods.Create(n).Ranking == ImportanceRanking.Magnitude);
        Assert.Equal(["connection-weights", "connection-weights-test"], byMagnitude);
        Assert.Equal(ImportanceRanking.EntryOrder, ImportanceMethods.Create("forward-stepwise").Ranking);
        Assert.Equal(ImportanceRanking.RemovalOrder, ImportanceMethods.Create("backward-stepwise").Ranking);
        Assert.Equal("entry", ImportanceRanking.EntryOrder.OrderWord());
        Assert.Equal("removal", ImportanceRanking.RemovalOrder.OrderWord());
        Assert.Null(ImportanceRanking.ByValue.OrderWord());
    }

    [Fact]
    public void RunnerSkipsMethodsThatNeedTargetsWithANote()
    {
        var context = Fixtures.Context(Fixtures.Model(2), 3) with { Targets = null };
        var notes = new List<string>();
        var runs = ImportanceRunner.Run(context,
                                        ImportanceMethods.Create(["garson", "permutation", "forward-stepwise",
                                                                  "partial-derivatives", "occlusion"]),
                                        onSkipped: notes.Add);
        Assert.Equal(["garson", "partial-derivatives"], runs.Select(r => r.Name));
        Assert.Equal(3, notes.Count);
        Assert.All(notes, n =>
            { Assert.DoesNotContain('\n', n); Assert.Contains("skipped", n); Assert.Contains("targets", n); });
        Assert.StartsWith("permutation ", notes[0]);
        Assert.StartsWith("forward-stepwise ", notes[1]);
        Assert.StartsWith("occlusion ", notes[2]);
        // With targets nothing is skipped, and the retrainer is required again.
        var withTargets = Fixtures.Context(Fixtures.Model(2), 3);
        var e = Assert.Throws<ArgumentException>(() =>
            ImportanceRunner.Run(withTargets, ImportanceMethods.Create(["garson", "forward-stepwise"])));
        Assert.Contains("forward-stepwise", e.Message);
    }

    [Fact]
    public void RunnerRecordsHowEachMethodRanks()
    {
        var context = Fixtures.Context(Fixtures.Model(2), 3);
        var runs = ImportanceRunner.Run(context,
                                        ImportanceMethods.Create(["connection-weights", "improved-stepwise-1",
                                                                  "garson"]));
        Assert.Equal([ImportanceRanking.Magnitude, ImportanceRanking.RemovalOrder, ImportanceRanking.ByValue],
                     runs.Select(r => r.Ranking));
    }

    [Fact]
    public void CreateGivesEachMethodItsOptions()
    {
        var options = new ImportanceOptions { Noise = 0.7f, TimeMaps = false, Restarts = 5, NullNetworks = 4 };
        var perturbation = Assert.IsType<InputPerturbation>(ImportanceMethods.Create("input-perturbation", options));
        Assert.Equal(0.7f, perturbation.Sigma);
        Assert.False(perturbation.TimeResolved);
        Assert.Equal(5,
                     Assert.IsType<RetrainingStepwise>(ImportanceMethods.Create("forward-stepwise", options)).Restarts);
        Assert.Equal(5,
                     Assert.IsType<RetrainingStepwise>(ImportanceMethods.Create("backward-stepwise",
                                                                                options)).Restarts);
        Assert.Equal(4,
                     Assert.IsType<ConnectionWeightsTest>(ImportanceMethods.Create("connection-weights-test",
                                                                                   options)).Networks);
        // The defaults: noise 0.2 with time maps, 3 restarts, 19 null networks.
        var defaults = Assert.IsType<InputPerturbation>(ImportanceMethods.Create("input-perturbation"));
        Assert.Equal(0.2f, defaults.Sigma);
        Assert.True(defaults.TimeResolved);
        Assert.Equal(3, Assert.IsType<RetrainingStepwise>(ImportanceMethods.Create("forward-stepwise")).Restarts);
        var test = Assert.IsType<ConnectionWeightsTest>(ImportanceMethods.Create("connection-weights-test"));
        Assert.Equal(19, test.Networks);
        // The noise reaches the scores: ten times the SD, a larger RMS change.
        var context = Fixtures.Context(Fixtures.Model(2), 3);
        var small = ImportanceMethods.Create("input-perturbation",
                                             new ImportanceOptions
                                             {
                                                 Noise = 0.01f,
                                                 TimeMaps = false
                                             }).Compute(context);
        var large = ImportanceMethods.Create("input-perturbation",
                                             new ImportanceOptions { Noise = 0.1f, TimeMaps = false }).Compute(context);
        Assert.All(Enumerable.Range(0, 3), i => Assert.True(large.Scores[i] > 3 * small.Scores[i]));
        Assert.Null(small.TimeMap);
    }
}
