using System.Text.Json.Nodes;
using Engine.Kernels;
using Engine.Random;

namespace Engine.Layers;

/// <summary>
/// The last step of a sequence: y_n = x_{T-1, n}, (T, N, W) -> (N, W); no parameters. Not a Keras layer: it is
/// torch's <c>out[:, -1]</c> after a layer that returns sequences, which differs from return_sequences = False for a
/// bidirectional layer (whose last step holds the backward direction after one step), and is what the ONNX reader
/// gives such an export (docs/IMPORT.md).
/// </summary>
public sealed class LastStep : Layer
{
    public LastStep() : base(1, Activation.Linear) { }

    public override string TypeName => "LastStep";

    /// <summary>The input's width: the step is passed on whole.</summary>
    public override int OutputSize => InputSize;

    internal override bool RequiresSequence => true;

    internal override bool OutputsSequence(bool inputIsSequence) => false;

    internal override IReadOnlyList<ParameterTensor> Tensors => [];

    /// <summary>One block, the identity: the step is passed on unchanged.</summary>
    internal override IReadOnlyList<string> InputGates => ["identity"];

    /// <summary>The identity (I, I).</summary>
    internal override double[,] InputWeights(ReadOnlySpan<float> parameters, int gate, bool absolute) =>
        IdentityBlock(gate);

    internal override void WriteConfig(JsonObject config) { }

    internal static LastStep FromConfig(LayerConfig config) => new();

    internal override void Initialize(Span<float> parameters, RandomSource rng) { }

    // Time-major input: step T-1 is the last N rows.
    internal override void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters,
                                   int batch, int steps, ForwardMode mode)
    {
        int width = batch * InputSize;
        input.Slice((steps - 1) * width, width).CopyTo(output);
    }

    /// <summary>The last step of the remaining steps is the last step: resumes at any step.</summary>
    internal override bool ResumesForward => true;

    internal override void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput,
                                    ReadOnlySpan<float> input, ReadOnlySpan<float> parameters, int batch, int steps)
    {
        if (dInput.IsEmpty) return;
        int width = batch * InputSize;
        dInput[..((steps - 1) * width)].Clear();
        dOutput[..width].CopyTo(dInput.Slice((steps - 1) * width, width));
    }

    internal override Layer CloneUnbound() => new LastStep();
}
