using System.Diagnostics;
using Engine.Models;
using Engine.Random;

namespace Engine.Importance;

/// <summary>
/// Runs a set of importance methods over one network or several (the same data, networks trained from different
/// seeds), timing each and combining each method's results across networks. Reads each method's
/// <see cref="IImportanceMethod.Needs"/>: a method that needs targets is skipped, with a one-line note, when the data
/// has none, and so is one that cannot score the units when they are lag windows (<see cref="LagSkip"/>); one that
/// needs a retrainer the contexts lack is refused before anything runs.
/// </summary>
public static class ImportanceRunner
{
    /// <summary>Runs the given methods in order on one context (see the overload for several networks).</summary>
    public static IReadOnlyList<MethodRun> Run(ImportanceContext context, IReadOnlyList<IImportanceMethod> methods,
                                               Action<MethodRun>? onMethod = null, Action<string>? onSkipped = null) =>
        Run([context], methods, onMethod, onSkipped);

    /// <summary>
    /// Runs the given methods in order on one or more contexts: the same data with networks trained from different
    /// seeds. With several, each method's results are combined by <see cref="ImportanceStatistics.AcrossNetworks"/>
    /// (mean and 95% interval across networks, ranked as the method ranks: <see cref="IImportanceMethod.Ranking"/>)
    /// and its seconds are the total over networks. <paramref name="onMethod"/> sees each run as it ends;
    /// <paramref name="onSkipped"/> gets the one-line note of each method skipped for want of targets or because it
    /// cannot score lag windows (it is left out of the result). Throws <see cref="ArgumentException"/> when a method
    /// needs a retrainer that is missing.
    /// Each method reports its progress to <see cref="ImportanceContext.Progress"/>; when the first context's
    /// <see cref="ImportanceContext.Cancellation"/> is cancelled the method running stops between work items and the
    /// runs finished before it are returned (the caller, who cancelled, knows the list is incomplete).
    /// </summary>
    public static IReadOnlyList<MethodRun> Run(IReadOnlyList<ImportanceContext> networks,
                                               IReadOnlyList<IImportanceMethod> methods,
                                               Action<MethodRun>? onMethod = null, Action<string>? onSkipped = null)
    {
        ArgumentNullException.ThrowIfNull(networks);
        ArgumentNullException.ThrowIfNull(methods);
        if (networks.Count == 0) throw new ArgumentException("at least one network is needed", nameof(networks));
        foreach (var context in networks) context.Validate();
        bool targets = networks.All(c => c.Targets is not null);
        bool windows = networks[0].Groups is { HasLagWindows: true };
        var runnable = methods.Where(m => (targets || !m.Needs.HasFlag(ImportanceNeeds.Targets))
                                          && LagSkip(m, networks[0]) is null).ToArray();
        Refuse(runnable, networks, ImportanceNeeds.Retraining,
               c => windows ? c.RetrainMasked is null : c.Retrain is null,
               "retrain the network on subsets of the inputs, and no way to retrain was given");
        Refuse(runnable, networks, ImportanceNeeds.PermutedRetraining, c => c.RetrainPermuted is null,
               "trains networks on permuted targets, and no way to retrain was given");
        var runs = new List<MethodRun>(runnable.Length);
        foreach (var method in methods)
        {
            if (!runnable.Contains(method))
            {
                onSkipped?.Invoke(LagSkip(method, networks[0]) ?? SkipNote(method));
                continue;
            }
            if (networks[0].Cancellation.IsCancellationRequested) break;
            long start = Stopwatch.GetTimestamp();
            var results = new ImportanceResult[networks.Count];
            try
            {
                for (int k = 0; k < results.Length; k++)
                    results[k] = WorkMeter.Run(networks[k], method.Name, k, networks.Count,
                                               () => method.Scored(networks[k]));
            }
            catch (OperationCanceledException) when (networks[0].Cancellation.IsCancellationRequested)
            {
                break;
            }
            var result = Combine(results, method.Ranking);
            var run = new MethodRun(method.Name, Stopwatch.GetElapsedTime(start).TotalSeconds, result, method.Ranking);
            runs.Add(run);
            onMethod?.Invoke(run);
        }
        return runs;
    }

    /// <summary>The note for a method skipped because the data has no targets.</summary>
    internal static string SkipNote(IImportanceMethod method) =>
        $"{method.Name} skipped: it measures a loss against the targets, and the data has none";

    /// <summary>
    /// The note for a method skipped because the units are lag windows: it scores whole features, or it retrains
    /// (forward-, backward-stepwise) and the model has sequence outputs
    /// (<see cref="RetrainingStepwise.SequenceNote"/>); null when it scores them (or there are none).
    /// </summary>
    internal static string? LagSkip(IImportanceMethod method, ImportanceContext context) =>
        context.Groups is not { HasLagWindows: true } ? null
        : !method.ScoresGroups ? $"{method.Name} skipped: it scores whole features, not lag windows"
        : method is RetrainingStepwise && context.Model.OutputsSequence ? RetrainingStepwise.SequenceNote(method.Name)
        : null;

    // A method that needs what some context lacks: one ArgumentException naming every such method.
    private static void Refuse(IImportanceMethod[] methods, IReadOnlyList<ImportanceContext> networks,
                               ImportanceNeeds need,
                               Func<ImportanceContext, bool> lacks, string why)
    {
        var names = methods.Where(m => m.Needs.HasFlag(need)).Select(m => m.Name).ToArray();
        if (names.Length > 0 && networks.Any(lacks))
            throw new ArgumentException($"{string.Join(" and ", names)} {why}");
    }

    /// <summary>
    /// Importance contexts for <paramref name="networks"/> networks on the same evaluation set: network 0 is
    /// <paramref name="trained"/>, network k &gt; 0 a fresh model trained on every feature by <paramref name="train"/>
    /// from
    /// seed <c>new RandomSource(trainingSeed).Fork(RandomStreams.ExtraNetworks + k)</c> (in parallel on up to
    /// <paramref name="threads"/> threads), with its own importance seed <c>new RandomSource(trained.Seed).Fork(k)</c>.
    /// </summary>
    public static IReadOnlyList<ImportanceContext> Networks(ImportanceContext trained, Retrainer train, int networks,
                                                            int threads,
                                                            ulong trainingSeed)
    {
        ArgumentNullException.ThrowIfNull(trained);
        ArgumentNullException.ThrowIfNull(train);
        Check.Positive(networks, nameof(networks));
        Check.Positive(threads, nameof(threads));
        var contexts = new ImportanceContext[networks];
        Parallel.For(0, networks, new ParallelOptions { MaxDegreeOfParallelism = threads },
                     k => contexts[k] = Network(trained, train, k, trainingSeed));
        return contexts;
    }

    /// <summary>Network <paramref name="k"/> of <see cref="Networks"/> alone (a work item of a sharded run): it
    /// depends on k and the seeds only.</summary>
    internal static ImportanceContext Network(ImportanceContext trained, Retrainer train, int k, ulong trainingSeed)
    {
        ArgumentNullException.ThrowIfNull(trained);
        ArgumentNullException.ThrowIfNull(train);
        if (k == 0) return trained;
        var all = Enumerable.Range(0, trained.Features).ToArray();
        ulong seed = new RandomSource(trainingSeed).Fork(RandomStreams.ExtraNetworks + (ulong)k).NextUInt64();
        return trained with
        {
            Model = train(all, seed),
            Seed = new RandomSource(trained.Seed).Fork((ulong)k).Seed,
        };
    }

    /// <summary>
    /// One method's results on several networks combined as <see cref="Run(IReadOnlyList{ImportanceContext},
    /// IReadOnlyList{IImportanceMethod}, Action{MethodRun}?, Action{string}?)"/> combines them: one network's result
    /// as it is, several by <see cref="ImportanceStatistics.AcrossNetworks"/> (ranked as the method ranks).
    /// </summary>
    internal static ImportanceResult Combine(IReadOnlyList<ImportanceResult> results, ImportanceRanking ranking) =>
        results.Count == 1 ? results[0] : ImportanceStatistics.AcrossNetworks(results, ranking.ByMagnitude());
}
