using Demo.Reference;
using Engine.Importance;
using Engine.Losses;
using Engine.Optimizers;
using Engine.Random;
using Engine.Training;

namespace Demo.Importance;

/// <summary>Importance on the reference experiment: its evaluation set, feature names and how to retrain on a subset.</summary>
public static class ReferenceImportance
{
    /// <summary>x1, x2, ... as the reference names its variables.</summary>
    public static string[] FeatureNames(ReferenceSettings s) => Enumerable.Range(1, s.Features).Select(i => $"x{i}").ToArray();

    /// <summary>The reference's evaluation set: (Samples, Steps, Features) inputs and (Samples, Steps) targets.</summary>
    public static (float[] Inputs, float[] Targets) EvaluationSet(ReferenceSettings s)
    {
        var x = new float[s.Samples * s.Steps * s.Features];
        var y = new float[s.Samples * s.Steps];
        ReferenceData.Fill(x, y, s.Features, s.EvaluationData);
        return (x, y);
    }

    /// <summary>
    /// Importance contexts for <paramref name="networks"/> networks on the same evaluation set: network 0 is
    /// <paramref name="trained"/> with the reference's noise seed, network k &gt; 0 a fresh reference model trained
    /// with the reference schedule from seed <c>new RandomSource(s.Seed).Fork(100 + k)</c> (in parallel) and its own
    /// importance seed <c>new RandomSource(noise seed).Fork(k)</c>.
    /// </summary>
    public static IReadOnlyList<ImportanceContext> Networks(ReferenceSettings s, ImportanceContext trained, int networks, int threads)
    {
        var all = Enumerable.Range(0, s.Features).ToArray();
        var train = Retrainer(s, s.Epochs, s.StepsPerEpoch);
        var models = new Engine.Models.Sequential[networks];
        models[0] = trained.Model;
        Parallel.For(1, networks, new ParallelOptions { MaxDegreeOfParallelism = threads },
                     k => models[k] = train(all, new RandomSource(s.Seed).Fork(100 + (ulong)k).NextUInt64()));
        return Enumerable.Range(0, networks)
            .Select(k => k == 0 ? trained : trained with { Model = models[k], Seed = new RandomSource(trained.Seed).Fork((ulong)k).Seed })
            .ToArray();
    }

    /// <summary>
    /// Retrains the reference architecture on a feature subset with the engine's trainer: fresh data from the
    /// reference generator (seeded by the retraining seed), only the subset's columns passed on, for
    /// <paramref name="epochs"/> x <paramref name="stepsPerEpoch"/> batches (the reference schedule, or a shorter one).
    /// </summary>
    public static Retrainer Retrainer(ReferenceSettings s, int epochs, int stepsPerEpoch) => (features, seed) =>
    {
        var model = (s with { Features = features.Length, Seed = seed }).BuildModel();
        var trainer = new Trainer(model, new BinaryCrossEntropy(), new Adam(s.LearningRate));
        var data = new ReferenceData.Generator(s.BatchSize, s.Steps, s.Features, new RandomSource(seed).Fork(1));
        trainer.Fit(new FeatureSubsetBatchSource(data, features), epochs, stepsPerEpoch);
        return model;
    };
}
