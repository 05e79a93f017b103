using Engine.Importance;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// <see cref="ImportanceRunner.Run(IReadOnlyList{ImportanceContext}, IReadOnlyList{IImportanceMethod},
/// Action{MethodRun}?, Action{string}?)"/>'s refusals: null and empty arguments by name, every network validated before
/// anything runs, targets required of every network, and the retrainer a retraining method needs (Retrain, or
/// RetrainMasked when the units are lag windows) required of every network, with the whole message.
/// </summary>
public class RunnerGuardsTests
{
    private const string RetrainWhy =
        "retrain the network on subsets of the inputs, and no way to retrain was given";

    // Reports synchronously on the reporting thread.
    private sealed class Recorder : IProgress<ImportanceProgress>
    {
        public List<ImportanceProgress> Reports { get; } = [];

        public void Report(ImportanceProgress value)
        {
            lock (Reports) Reports.Add(value);
        }
    }

    // A stand-in retrainer: a fresh random model of the subset's width (sequence output, as Fixtures.Model).
    private static readonly Retrainer Stub = (subset, seed) => Fixtures.Model(seed, features: subset.Length);

    // The same for lag windows: a last-step model of the full width (F = 3).
    private static readonly MaskedRetrainer MaskedStub = (_, seed) => Fixtures.Model(seed, lastStep: true);

    private static readonly IImportanceMethod Forward = new RetrainingStepwise(true) { Restarts = 1 };

    [Fact]
    public void Null_networks_and_methods_are_refused_by_name()
    {
        var context = Fixtures.Context(Fixtures.Model(2), 3);
        Assert.Equal("networks",
                     Assert.Throws<ArgumentNullException>(() =>
                         ImportanceRunner.Run((IReadOnlyList<ImportanceContext>)null!, [])).ParamName);
        Assert.Equal("methods",
                     Assert.Throws<ArgumentNullException>(() => ImportanceRunner.Run(context, null!)).ParamName);
    }

    [Fact]
    public void No_network_at_all_is_refused_saying_so()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ImportanceRunner.Run(Array.Empty<ImportanceContext>(), ImportanceMethods.Create(["garson"])));
        Assert.Equal("networks", e.ParamName);
        Assert.StartsWith("at least one network is needed (Parameter 'networks')", e.Message);
    }

    [Fact]
    public void Every_network_is_validated_before_any_method_runs()
    {
        // Network 1 has one input value too few: (N=12, T=4, F=3) = 144 values. Network 0 is fine and would report
        // progress if permutation ran on it first; nothing may run.
        var recorder = new Recorder();
        var good = Fixtures.Context(Fixtures.Model(2), 3) with { Progress = recorder };
        var bad = good with { Inputs = good.Inputs[..^1] };
        var ran = new List<MethodRun>();
        var e = Assert.Throws<ArgumentException>(() =>
            ImportanceRunner.Run([good, bad], ImportanceMethods.Create(["permutation"]), ran.Add));
        Assert.Equal("Inputs", e.ParamName);
        Assert.StartsWith("inputs must hold (N=12, T=4, F=3) = 144 values, but has 143", e.Message);
        Assert.Empty(recorder.Reports);
        Assert.Empty(ran);
        // Also when no method would read the network (the only one is skipped for want of targets).
        var skipped = new List<string>();
        Assert.Throws<ArgumentException>(() =>
            ImportanceRunner.Run([bad with { Targets = null }], ImportanceMethods.Create(["permutation"]),
                                 onSkipped: skipped.Add));
        Assert.Empty(skipped);
    }

    [Fact]
    public void A_method_needing_targets_is_skipped_when_any_network_lacks_them()
    {
        // Network 1 has no targets: permutation is skipped with its note (not run on network 0, then failing on 1).
        var withTargets = Fixtures.Context(Fixtures.Model(2), 3);
        var notes = new List<string>();
        var runs = ImportanceRunner.Run([withTargets, withTargets with { Targets = null }],
                                        ImportanceMethods.Create(["garson", "permutation"]), onSkipped: notes.Add);
        Assert.Equal(["garson"], runs.Select(r => r.Name));
        Assert.Equal(["permutation skipped: it measures a loss against the targets, and the data has none"], notes);
    }

    [Fact]
    public void Without_lag_windows_the_plain_retrainer_is_what_counts()
    {
        var context = Fixtures.Context(Fixtures.Model(2), 3);
        // Retrain given, RetrainMasked not: forward-stepwise runs (over the 3 features: 3 entries).
        var runs = ImportanceRunner.Run(context with { Retrain = Stub }, [Forward]);
        Assert.Equal(["forward-stepwise"], runs.Select(r => r.Name));
        Assert.Equal(3, runs[0].Result.Order!.Length);
        // RetrainMasked given, Retrain not: refused before anything runs, with the whole message.
        var e = Assert.Throws<ArgumentException>(() =>
            ImportanceRunner.Run(context with { RetrainMasked = MaskedStub }, [Forward]));
        Assert.Equal($"forward-stepwise {RetrainWhy}", e.Message);
    }

    [Fact]
    public void With_lag_windows_the_masked_retrainer_is_what_counts()
    {
        // A last-step model (not skipped under lag windows), windows 0-1 and 2-3 of the T = 4 lags.
        var model = Fixtures.Model(2, lastStep: true);
        var context = Fixtures.Context(model, 3) with
        {
            Groups = FeatureGroups.Lags("0-1,2-3", Fixtures.Steps, ["a", "b", "c"]),
        };
        // RetrainMasked given, Retrain not: forward-stepwise runs over the 2 windows.
        var runs = ImportanceRunner.Run(context with { RetrainMasked = MaskedStub }, [Forward]);
        Assert.Equal(["forward-stepwise"], runs.Select(r => r.Name));
        Assert.Equal(2, runs[0].Result.Order!.Length);
        // Retrain given, RetrainMasked not: refused (the plain retrainer cannot remove lag windows).
        var e = Assert.Throws<ArgumentException>(() =>
            ImportanceRunner.Run(context with { Retrain = Stub }, [Forward]));
        Assert.Equal($"forward-stepwise {RetrainWhy}", e.Message);
    }

    [Fact]
    public void A_retrainer_missing_from_any_network_refuses_every_method_that_needs_it_by_name()
    {
        // Network 0 has a retrainer, network 1 none: refused before anything runs (the retrainer given would throw
        // if called), naming both retraining methods in order.
        Retrainer never = (_, _) => throw new InvalidOperationException("no retraining may start");
        var context = Fixtures.Context(Fixtures.Model(2), 3);
        var e = Assert.Throws<ArgumentException>(() =>
            ImportanceRunner.Run([context with { Retrain = never }, context],
                                 [Forward, ImportanceMethods.Create("garson"), new RetrainingStepwise(false)]));
        Assert.Equal($"forward-stepwise and backward-stepwise {RetrainWhy}", e.Message);
    }
}
