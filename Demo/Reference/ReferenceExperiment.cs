using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using Engine.Random;

namespace Demo.Reference;

/// <summary>
/// The settings of the published Keras experiment this demo reproduces: 3 features x ~ U(0, 1), 10 steps,
/// target y_t = 1 where x1_t x2_t &lt; 0.25; LSTM(10, relu) -&gt; LSTM(5, relu) -&gt; LSTM(1, sigmoid), all
/// returning sequences, flattened to 10 outputs; Adam on BCE for 5 epochs of 1000 batches of 5 series;
/// perturbation importance with N(0, 0.2) noise on 250 series.
/// </summary>
public sealed record ReferenceSettings
{
    public int Epochs { get; init; } = 5;
    public int StepsPerEpoch { get; init; } = 1000;
    public int BatchSize { get; init; } = 5;
    public int Steps { get; init; } = 10;
    public int Features { get; init; } = 3;
    public int Samples { get; init; } = 250;
    public float Noise { get; init; } = 0.2f;
    public float LearningRate { get; init; } = 0.001f;
    public ulong Seed { get; init; } = 42;
    public Activation RecurrentActivation { get; init; } = Activation.Sigmoid;

    /// <summary>The reference model: 560 + 320 + 28 = 908 parameters for 3 features.</summary>
    public Sequential BuildModel()
    {
        var model = new Sequential(Features, [
            new Lstm(10, Activation.Relu, RecurrentActivation, returnSequences: true),
            new Lstm(5, Activation.Relu, RecurrentActivation, returnSequences: true),
            new Lstm(1, Activation.Sigmoid, RecurrentActivation, returnSequences: true),
        ], flatten: true);
        model.Initialize(Seed);
        return model;
    }

    /// <summary>Independent random streams for the weights (the seed itself), training data and evaluation
    /// data.</summary>
    internal RandomSource TrainingData => new RandomSource(Seed).Fork(DemoStreams.Reference.TrainingData);
    internal RandomSource EvaluationData => new RandomSource(Seed).Fork(DemoStreams.Reference.EvaluationData);
    internal RandomSource ImportanceNoise => new RandomSource(Seed).Fork(DemoStreams.Reference.ImportanceNoise);
}
