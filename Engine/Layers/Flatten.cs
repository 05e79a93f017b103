using System.Text.Json.Nodes;
using Engine.Kernels;
using Engine.Random;

namespace Engine.Layers;

/// <summary>
/// Keras' Flatten after a layer that returns sequences: a series' T steps of W values become one row of T x W,
/// y[n, t W + w] = x[t, n, w] (time-major input (T, N, W) -> (N, T W)); no parameters. The steps are fixed when the
/// model is built (config <c>steps</c>, Keras' input length), so a Dense layer after it has a (T W, O) kernel; a pass
/// with another number of steps is refused. (A model whose last layer returns sequences reports them flattened through
/// <see cref="Models.Sequential.Flatten"/> instead, for any number of steps.)
/// </summary>
public sealed class Flatten : Layer
{
    /// <param name="steps">T, the steps of every series this model reads.</param>
    public Flatten(int steps) : base(1, Activation.Linear)
    {
        Check.Positive(steps, nameof(steps));
        Steps = steps;
    }

    /// <summary>T, the steps of every series this model reads.</summary>
    public int Steps { get; }

    public override string TypeName => "Flatten";

    /// <summary>T x W.</summary>
    public override int OutputSize => Steps * InputSize;

    internal override bool RequiresSequence => true;

    internal override bool OutputsSequence(bool inputIsSequence) => false;

    internal override IReadOnlyList<ParameterTensor> Tensors => [];

    /// <summary>One block that copies input w to every step's output t W + w.</summary>
    internal override IReadOnlyList<string> InputGates => ["identity"];

    /// <summary>(W, T W) with ones at [w, t W + w]: each input unit reaches its value at every step.</summary>
    internal override double[,] InputWeights(ReadOnlySpan<float> parameters, int gate, bool absolute)
    {
        if (gate != 0) throw new ArgumentOutOfRangeException(nameof(gate), gate, "Flatten has one block");
        var block = new double[InputSize, OutputSize];
        for (int t = 0; t < Steps; t++)
            for (int w = 0; w < InputSize; w++) block[w, t * InputSize + w] = 1;
        return block;
    }

    internal override void WriteConfig(JsonObject config) => config["steps"] = Steps;

    /// <summary>Reads <c>steps</c> (1 to 2^20).</summary>
    internal static Flatten FromConfig(LayerConfig config) => new(config.WholeNumber("steps", 1, 1 << 20));

    internal override void Initialize(Span<float> parameters, RandomSource rng) { }

    internal override void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters,
                                   int batch, int steps, ForwardMode mode)
    {
        CheckSteps(steps);
        TransposeBatchTime.Unchecked(output, input, steps, batch, InputSize); // (T, N, W) -> (N, T, W)
    }

    internal override void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput,
                                    ReadOnlySpan<float> input, ReadOnlySpan<float> parameters, int batch, int steps)
    {
        if (dInput.IsEmpty) return;
        TransposeBatchTime.Unchecked(dInput, dOutput, batch, steps, InputSize); // (N, T, W) -> (T, N, W)
    }

    private void CheckSteps(int steps)
    {
        if (steps != Steps)
            throw new ArgumentException($"the model flattens series of {Steps} steps (Keras' Flatten fixes the " +
                                        $"length), but got {steps} steps");
    }

    internal override Layer CloneUnbound() => new Flatten(Steps);
}
