using System.Diagnostics;
using Engine.Importance;
using Engine.Losses;
using Engine.Models;
using Engine.Random;

namespace Demo.Importance;

/// <summary>One method's run: its CLI name, wall time and result.</summary>
public sealed record MethodRun(string Name, double Seconds, ImportanceResult Result);

/// <summary>Runs importance methods by name on a trained model and an evaluation set, timing each.</summary>
public static class ImportanceRunner
{
    /// <summary>
    /// Runs <paramref name="methods"/> (CLI names, see <see cref="ImportanceMethods.Parse"/>) in order on
    /// <paramref name="model"/> with the evaluation set <paramref name="inputs"/> (N, T, F) and
    /// <paramref name="targets"/> (N, outputs per series). <paramref name="retrain"/> is needed by forward- and
    /// backward-stepwise (they are refused without it); <paramref name="threads"/> 0 means every core;
    /// <paramref name="noise"/> is input-perturbation's SD; <paramref name="restarts"/> the trainings per subset of the
    /// stepwise methods; <paramref name="retrainPermuted"/> (training on permuted targets) is needed by
    /// connection-weights-test, which trains <paramref name="nullNetworks"/> of them. <paramref name="onMethod"/> sees
    /// each run as it ends.
    /// </summary>
    public static IReadOnlyList<MethodRun> Run(Sequential model, float[] inputs, float[] targets, int count, int steps, ILoss loss,
                                               IReadOnlyList<string> methods, ulong seed, int repeats, Retrainer? retrain = null,
                                               int threads = 0, float noise = 0.2f, int restarts = 3, float[]? featureMeans = null,
                                               Action<MethodRun>? onMethod = null, Retrainer? retrainPermuted = null, int nullNetworks = 19)
    {
        var context = new ImportanceContext
        {
            Model = model, Inputs = inputs, Targets = targets, Count = count, Steps = steps, Loss = loss,
            Seed = seed, Repeats = repeats, Retrain = retrain, RetrainPermuted = retrainPermuted, FeatureMeans = featureMeans,
            Threads = threads > 0 ? threads : Environment.ProcessorCount,
        };
        return Run(context, Create(methods, noise, restarts, nullNetworks), onMethod);
    }

    /// <summary>Runs the given methods in order on one context.</summary>
    public static IReadOnlyList<MethodRun> Run(ImportanceContext context, IReadOnlyList<IImportanceMethod> methods, Action<MethodRun>? onMethod = null) =>
        Run([context], methods, onMethod);

    /// <summary>
    /// Runs the given methods in order on one or more contexts — the same data with networks trained from different
    /// seeds. With several, each method's results are combined by <see cref="ImportanceStatistics.AcrossNetworks"/>
    /// (mean and 95% interval across networks) and its seconds are the total over networks.
    /// </summary>
    public static IReadOnlyList<MethodRun> Run(IReadOnlyList<ImportanceContext> networks, IReadOnlyList<IImportanceMethod> methods, Action<MethodRun>? onMethod = null)
    {
        if (networks.Count == 0) throw new ArgumentException("at least one network is needed", nameof(networks));
        foreach (var context in networks) context.Validate();
        var needRetraining = methods.Where(m => ImportanceMethods.Retraining.Contains(m.Name)).Select(m => m.Name).ToArray();
        if (needRetraining.Length > 0 && networks.Any(c => c.Retrain is null))
            throw new ArgumentException($"{string.Join(" and ", needRetraining)} retrain the network on subsets of the inputs, and no way to retrain was given");
        var needPermuted = methods.Where(m => ImportanceMethods.PermutedRetraining.Contains(m.Name)).Select(m => m.Name).ToArray();
        if (needPermuted.Length > 0 && networks.Any(c => c.RetrainPermuted is null))
            throw new ArgumentException($"{string.Join(" and ", needPermuted)} trains networks on permuted targets, and no way to retrain was given");
        var runs = new List<MethodRun>(methods.Count);
        foreach (var method in methods)
        {
            long start = Stopwatch.GetTimestamp();
            var results = networks.Select(method.Compute).ToArray();
            var result = results.Length == 1 ? results[0] : ImportanceStatistics.AcrossNetworks(results, byMagnitude: method is ConnectionWeights or ConnectionWeightsTest);
            var run = new MethodRun(method.Name, Stopwatch.GetElapsedTime(start).TotalSeconds, result);
            runs.Add(run);
            onMethod?.Invoke(run);
        }
        return runs;
    }

    /// <summary>
    /// Importance contexts for <paramref name="networks"/> networks on the same evaluation set: network 0 is
    /// <paramref name="trained"/>, network k &gt; 0 a fresh model trained on every feature by <paramref name="train"/> from
    /// seed <c>new RandomSource(trainingSeed).Fork(100 + k)</c> (in parallel), with its own importance seed
    /// <c>new RandomSource(trained.Seed).Fork(k)</c>.
    /// </summary>
    public static IReadOnlyList<ImportanceContext> Networks(ImportanceContext trained, Retrainer train, int networks, int threads, ulong trainingSeed)
    {
        var all = Enumerable.Range(0, trained.Features).ToArray();
        var models = new Sequential[networks];
        models[0] = trained.Model;
        Parallel.For(1, networks, new ParallelOptions { MaxDegreeOfParallelism = threads },
                     k => models[k] = train(all, new RandomSource(trainingSeed).Fork(100 + (ulong)k).NextUInt64()));
        return Enumerable.Range(0, networks)
            .Select(k => k == 0 ? trained : trained with { Model = models[k], Seed = new RandomSource(trained.Seed).Fork((ulong)k).Seed })
            .ToArray();
    }

    /// <summary>
    /// The named methods with default options, except input-perturbation's noise SD <paramref name="noise"/> and the
    /// stepwise methods' <paramref name="restarts"/> and connection-weights-test's <paramref name="nullNetworks"/>.
    /// </summary>
    public static IReadOnlyList<IImportanceMethod> Create(IReadOnlyList<string> names, float noise = 0.2f, int restarts = 3, int nullNetworks = 19) =>
        names.Select(n => ImportanceMethods.Create(n) switch
        {
            InputPerturbation p => new InputPerturbation { Sigma = noise, TimeResolved = p.TimeResolved },
            RetrainingStepwise r => new RetrainingStepwise(r.IsForward) { Restarts = restarts },
            ConnectionWeightsTest => new ConnectionWeightsTest { Networks = nullNetworks },
            var m => m,
        }).ToArray();
}
