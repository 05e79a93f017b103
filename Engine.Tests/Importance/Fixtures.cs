using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Random;

namespace Engine.Tests.Importance;

/// <summary>Small models and data sets for the importance tests.</summary>
internal static class Fixtures
{
    public const int Features = 3, Steps = 4, Count = 12;

    /// <summary>
    /// A small stacked model with random weights (biases too): LSTM(4) -> LSTM(3) -> Dense(1, sigmoid), sequence output
    /// flattened, or with <paramref name="lastStep"/> LSTM(4) -> LSTM(3, last step) -> Dense(2, sigmoid).
    /// Smooth activations (tanh) unless <paramref name="relu"/>.
    /// </summary>
    public static Sequential Model(ulong seed, bool lastStep = false, bool relu = false, int features = Features)
    {
        var act = relu ? Activation.Relu : Activation.Tanh;
        var model = lastStep
            ? new Sequential(features,
                             [new Lstm(4, act, returnSequences: true), new Lstm(3, act),
                              new Dense(2, Activation.Sigmoid)])
            : new Sequential(features,
                             [new Lstm(4, act, returnSequences: true), new Lstm(3, act, returnSequences: true),
                              new Dense(1, Activation.Sigmoid)], flatten: true);
        model.Initialize(seed);
        // Keras' initialiser leaves biases at 0/1; random ones make the checks less special.
        var rng = new RandomSource(seed).Fork(7);
        for (int k = 0; k < model.Layers.Count; k++)
        {
            var bias = model.Tensor(k, "bias");
            for (int j = 0; j < bias.Length; j++) bias[j] += rng.Uniform(-0.5f, 0.5f);
            var kernel = model.Tensor(k, "kernel");
            for (int j = 0; j < kernel.Length; j++) kernel[j] *= 1.5f;
        }
        return model;
    }

    /// <summary>Zeroes row <paramref name="feature"/> of the first layer's kernel, all four gate blocks.</summary>
    public static void ZeroInputRow(Sequential model, int feature)
    {
        var kernel = model.Tensor(0, "kernel");
        int width = kernel.Length / model.InputFeatures;
        kernel.Slice(feature * width, width).Clear();
    }

    /// <summary>An evaluation set: x ~ U(0, 1) (centred to mean 0 per feature when asked), targets in {0, 1}.</summary>
    public static ImportanceContext Context(Sequential model, ulong seed, bool centred = false, int count = Count,
                                            int threads = 1, int repeats = 3)
    {
        int features = model.InputFeatures;
        var rng = new RandomSource(seed).Fork(11);
        var x = new float[count * Steps * features];
        rng.FillUniform(x);
        if (centred)
            for (int i = 0; i < features; i++)
            {
                double mean = 0;
                for (int c = i; c < x.Length; c += features) mean += x[c];
                mean /= x.Length / features;
                for (int c = i; c < x.Length; c += features) x[c] -= (float)mean;
            }
        var y = new float[count * model.OutputsPerSeries(Steps)];
        for (int j = 0; j < y.Length; j++) y[j] = rng.NextFloat() < 0.5f ? 1f : 0f;
        return new ImportanceContext
        {
            Model = model, Inputs = x, Targets = y, Count = count, Steps = Steps, Loss = new BinaryCrossEntropy(),
            Seed = seed, Threads = threads, Repeats = repeats,
        };
    }
}
