using Engine.Losses;
using Engine.Models;
using Engine.Optimizers;
using Engine.Random;
using Engine.Training;

namespace Engine.Importance;

/// <summary>Ready-made <see cref="Retrainer"/>s for the stepwise methods.</summary>
public static class Retrainers
{
    /// <summary>
    /// Retrains on a fixed training set held as arrays: <paramref name="build"/>(inputs, seed) makes a fresh,
    /// initialised model of the same architecture for a subset's width; it is trained with the engine's
    /// <see cref="Trainer"/> and Adam for <paramref name="epochs"/> passes over (N, T, F) <paramref name="inputs"/> and
    /// (N, outputs per series) <paramref name="targets"/>, shuffled by the retraining seed, only the subset's
    /// columns passed on. The arrays are only read, so parallel retrainings may share them. With
    /// <paramref name="permuteTargets"/> the series' target rows are first permuted by <c>new
    /// RandomSource(seed).Fork(RandomStreams.PermutedTargets)</c>
    /// (a copy; each series keeps its inputs): the null networks of connection-weights-test.
    /// </summary>
    public static Retrainer FromArrays(Func<int, ulong, Sequential> build, float[] inputs, float[] targets, int count,
                                       int steps, int features,
                                       ILoss loss, int epochs, int batchSize, float learningRate = 0.001f,
                                       bool permuteTargets = false) => (subset, seed) =>
        Fit(build(subset.Length, seed), source => new FeatureSubsetBatchSource(source, subset), seed, inputs,
            permuteTargets ? PermuteSeries(targets, count, new RandomSource(seed).Fork(RandomStreams.PermutedTargets))
                           : targets, count, steps, features, loss, epochs, batchSize, learningRate);

    /// <summary>
    /// The <see cref="MaskedRetrainer"/> of <see cref="FromArrays"/>: <paramref name="build"/>(F, seed) makes a fresh
    /// model of the original width, trained as there on <paramref name="inputs"/> with the removed lag windows' cells
    /// set to 0 in every batch (before each series' last step).
    /// </summary>
    public static MaskedRetrainer MaskedFromArrays(Func<int, ulong, Sequential> build, float[] inputs, float[] targets,
                                                   int count, int steps, int features, ILoss loss, int epochs,
                                                   int batchSize, float learningRate = 0.001f) => (removed, seed) =>
        Fit(build(features, seed), source => new LagMaskBatchSource(source, removed), seed, inputs, targets, count,
            steps, features, loss, epochs, batchSize, learningRate);

    // Trains model with the engine's Trainer and Adam on view(the arrays, shuffled by seed).
    private static Sequential Fit(Sequential model, Func<IBatchSource, IBatchSource> view, ulong seed, float[] inputs,
                                  float[] targets, int count, int steps, int features, ILoss loss, int epochs,
                                  int batchSize, float learningRate)
    {
        var source = new ArrayBatchSource(inputs, targets, count, steps, features, targets.Length / count, batchSize,
                                          seed);
        new Trainer(model, loss, new Adam(learningRate)).Fit(view(source), epochs, source.StepsPerEpoch);
        return model;
    }

    /// <summary>The rows of (count, per) <paramref name="values"/> in a random order: row n of the result is row
    /// order[n].</summary>
    internal static float[] PermuteSeries(float[] values, int count, RandomSource rng)
    {
        int per = values.Length / count;
        var order = Enumerable.Range(0, count).ToArray();
        rng.Shuffle<int>(order);
        var result = new float[values.Length];
        for (int n = 0; n < count; n++) values.AsSpan(order[n] * per, per).CopyTo(result.AsSpan(n * per, per));
        return result;
    }
}
