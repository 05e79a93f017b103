using Engine.Importance;
using Engine.Losses;
using Engine.Optimizers;
using Engine.Random;
using Engine.Training;

namespace Demo.Reference;

/// <summary>Importance on the reference experiment: its evaluation set, feature names and how to retrain on a
/// subset.</summary>
public static class ReferenceImportance
{
    /// <summary>x1, x2, ... as the reference names its variables.</summary>
    public static string[] FeatureNames(ReferenceSettings s) =>
        Enumerable.Range(1, s.Features).Select(i => $"x{i}").ToArray();

    /// <summary>The reference's evaluation set: (Samples, Steps, Features) inputs and (Samples, Steps)
    /// targets.</summary>
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
    /// with the reference schedule from seed <c>new RandomSource(s.Seed).Fork(RandomStreams.ExtraNetworks + k)</c> (in
    /// parallel) and its own
    /// importance seed <c>new RandomSource(noise seed).Fork(k)</c>.
    /// </summary>
    public static IReadOnlyList<ImportanceContext> Networks(ReferenceSettings s, ImportanceContext trained,
                                                            int networks, int threads) =>
        ImportanceRunner.Networks(trained, Retrainer(s, s.Epochs, s.StepsPerEpoch), networks, threads, s.Seed);

    /// <summary>
    /// Retrains the reference architecture on a feature subset with the engine's trainer: fresh data from the
    /// reference generator (seeded by the retraining seed), only the subset's columns passed on, for
    /// <paramref name="epochs"/> x <paramref name="stepsPerEpoch"/> batches (the reference schedule, or a shorter one).
    /// With <paramref name="permuteTargets"/> the targets come from a second, independent generator stream
    /// (<see cref="DemoStreams.Reference.RetrainingTargets"/>): on fresh data that is what permuting the targets across
    /// series amounts to, the null networks
    /// of connection-weights-test.
    /// </summary>
    public static Retrainer Retrainer(ReferenceSettings s, int epochs, int stepsPerEpoch,
                                      bool permuteTargets = false) => (features, seed) =>
    {
        var model = (s with { Features = features.Length, Seed = seed }).BuildModel();
        var trainer = new Trainer(model, new BinaryCrossEntropy(), new Adam(s.LearningRate));
        var rng = new RandomSource(seed);
        IBatchSource data = new ReferenceData.Generator(s.BatchSize, s.Steps, s.Features,
                                                        rng.Fork(DemoStreams.Reference.RetrainingData));
        if (permuteTargets)
        {
            var targets = new ReferenceData.Generator(s.BatchSize, s.Steps, s.Features,
                                                      rng.Fork(DemoStreams.Reference.RetrainingTargets));
            data = new IndependentTargets(data, targets);
        }
        trainer.Fit(new FeatureSubsetBatchSource(data, features), epochs, stepsPerEpoch);
        return model;
    };

    // Inputs from one source, targets from another: targets unrelated to the inputs.
    private sealed class IndependentTargets(IBatchSource inputs, IBatchSource targets) : IBatchSource
    {
        private readonly float[] _unusedInputs = new float[targets.BatchSize * targets.Steps * targets.Features];
        private readonly float[] _unusedTargets = new float[inputs.BatchSize * inputs.TargetsPerSeries];
        public int BatchSize => inputs.BatchSize;
        public int Steps => inputs.Steps;
        public int Features => inputs.Features;
        public int TargetsPerSeries => inputs.TargetsPerSeries;

        public void NextBatch(Span<float> input, Span<float> target, int epoch, int stepInEpoch)
        {
            inputs.NextBatch(input, _unusedTargets, epoch, stepInEpoch);
            targets.NextBatch(_unusedInputs, target, epoch, stepInEpoch);
        }
    }
}
