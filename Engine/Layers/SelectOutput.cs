using System.Text.Json.Nodes;
using Engine.Kernels;
using Engine.Random;

namespace Engine.Layers;

/// <summary>
/// Keeps one value of each row: <c>y_r = x_r,Index</c>, one output per row (per step of a sequence). No parameters.
/// Appended to a model of several outputs by <see cref="Importance.OutputSelection"/>, so that every importance
/// method, unchanged, scores output <see cref="Index"/> alone (a class's probability, one regression target). Its
/// one input block is the (I, 1) column e_Index, so the weight-based methods follow that output's weights only.
/// Never saved (not in <see cref="LayerRegistry"/>): it exists for the length of an importance run.
/// </summary>
internal sealed class SelectOutput : Layer
{
    public SelectOutput(int index) : base(1, Activation.Linear)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Index = index;
    }

    /// <summary>The output kept, in [0, InputSize).</summary>
    public int Index { get; }

    public override string TypeName => "SelectOutput";

    internal override IReadOnlyList<ParameterTensor> Tensors => [];

    internal override bool OutputsSequence(bool inputIsSequence) => inputIsSequence;

    internal override IReadOnlyList<string> InputGates => ["select"];

    /// <summary>The column e_Index (I, 1): 1 from input <see cref="Index"/>, 0 from the others.</summary>
    internal override double[,] InputWeights(ReadOnlySpan<float> parameters, int gate, bool absolute)
    {
        if (gate != 0) throw new ArgumentOutOfRangeException(nameof(gate), gate, "SelectOutput has one block");
        var column = new double[InputSize, 1];
        column[Index, 0] = 1;
        return column;
    }

    internal override void WriteConfig(JsonObject config) => config["index"] = Index;

    private protected override void BindInner()
    {
        if (Index >= InputSize)
            throw new ArgumentException($"selects output {Index}, but the layer before it has {InputSize}");
    }

    internal override void Initialize(Span<float> parameters, RandomSource rng) { }

    // y_r = x_{r, Index}, rows T x N (time-major) or N.
    internal override void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters,
                                   int batch, int steps, ForwardMode mode)
    {
        int rows = Rows(batch, steps), width = InputSize;
        for (int r = 0; r < rows; r++) output[r] = input[r * width + Index];
    }

    /// <summary>Row by row: resumes at any step.</summary>
    internal override bool ResumesForward => true;

    // dx_{r, Index} = dy_r, 0 elsewhere.
    internal override void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput,
                                    ReadOnlySpan<float> input, ReadOnlySpan<float> parameters, int batch, int steps)
    {
        if (dInput.IsEmpty) return;
        int rows = Rows(batch, steps), width = InputSize;
        dInput[..(rows * width)].Clear();
        for (int r = 0; r < rows; r++) dInput[r * width + Index] = dOutput[r];
    }

    /// <summary>Rows are independent copies: a prefix of steps reads and writes only its own rows.</summary>
    internal override bool BackwardOverPrefix(int batch) => true;

    internal override Layer CloneUnbound() => new SelectOutput(Index);
}
