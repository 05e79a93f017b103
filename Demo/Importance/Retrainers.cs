using Engine.Importance;
using Engine.Losses;
using Engine.Models;
using Engine.Optimizers;
using Engine.Training;

namespace Demo.Importance;

/// <summary>Ready-made <see cref="Retrainer"/>s for the stepwise methods.</summary>
public static class Retrainers
{
    /// <summary>
    /// Retrains on a fixed training set held as arrays: <paramref name="build"/>(inputs, seed) makes a fresh,
    /// initialised model of the same architecture for a subset's width; it is trained with the engine's
    /// <see cref="Trainer"/> and Adam for <paramref name="epochs"/> passes over (N, T, F) <paramref name="inputs"/> and
    /// (N, outputs per series) <paramref name="targets"/>, shuffled by the retraining seed, only the subset's
    /// columns passed on. The arrays are only read, so parallel retrainings may share them.
    /// </summary>
    public static Retrainer FromArrays(Func<int, ulong, Sequential> build, float[] inputs, float[] targets, int count, int steps, int features,
                                       ILoss loss, int epochs, int batchSize, float learningRate = 0.001f) => (subset, seed) =>
    {
        var model = build(subset.Length, seed);
        var source = new ArrayBatchSource(inputs, targets, count, steps, features, targets.Length / count, batchSize, seed);
        new Trainer(model, loss, new Adam(learningRate)).Fit(new FeatureSubsetBatchSource(source, subset), epochs, source.StepsPerEpoch);
        return model;
    };
}
