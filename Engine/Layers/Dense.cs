using System.Text.Json.Nodes;
using Engine.Kernels;
using Engine.Random;
using Engine.Training;

namespace Engine.Layers;

/// <summary>
/// Fully connected layer, applied to every row of its input (to every step of a sequence, like Keras'
/// TimeDistributed(Dense)). Parameters, in its slice:
/// <code>
/// kernel  // (I, O)
/// bias    // (O)
/// </code>
/// y = a(x K + b), or with <see cref="Softmax"/> (Keras' activation "softmax", k &gt; 1 outputs) the row-wise
/// y_j = e^{z_j - m} / sum_k e^{z_k - m} of z = x K + b, m = max_k z_k; its backward is dz = y (dy - sum_k dy_k y_k).
/// Softmax is a Dense option rather than an <see cref="Kernels.Activation"/>: it couples a row's elements, where the
/// activations are elementwise (the recurrent gates use them); <see cref="Layer.Activation"/> is linear then.
/// </summary>
public sealed class Dense : Layer
{
    private float[] _preActivation = []; // (rows, O) z = x K + b, the logits for a fused loss
    private float[] _output = [];        // (rows, O) y = a(z)
    private float[] _dz = [];            // (rows, O)

    public Dense(int units, Activation activation = Activation.Linear) : base(units, activation) { }

    /// <summary>A Dense layer with a softmax output (Keras' activation "softmax").</summary>
    public static Dense WithSoftmax(int units) => new(units) { Softmax = true };

    /// <summary>Whether the output is the row-wise softmax of x K + b (then <see cref="Layer.Activation"/> is
    /// linear).</summary>
    public bool Softmax { get; private init; }

    public override string TypeName => "Dense";

    internal override IReadOnlyList<ParameterTensor> Tensors => [
        new("kernel", 0, [InputSize, Units]),
        new("bias", InputSize * Units, [Units]),
    ];

    internal override bool OutputsSequence(bool inputIsSequence) => inputIsSequence;

    /// <summary>The kernel (I, O): one block.</summary>
    internal override double[,] InputWeights(ReadOnlySpan<float> parameters, int gate, bool absolute) =>
        KernelBlock(parameters, InputSize, Units, 1, gate, absolute);

    internal override void WriteConfig(JsonObject config)
    {
        config["units"] = Units;
        config["activation"] = Softmax ? "softmax" : Activation.Name();
    }

    /// <summary>Reads <c>units</c> and <c>activation</c> (default linear; "softmax" too).</summary>
    internal static Dense FromConfig(LayerConfig config) =>
        config.Text("activation", "linear") == "softmax"
            ? WithSoftmax(config.Units())
            : new(config.Units(), config.Activation("activation", Activation.Linear));

    internal override bool HasSigmoidLogits => Activation == Activation.Sigmoid;

    internal override bool HasSoftmaxLogits => Softmax;

    internal override ReadOnlySpan<float> PreActivation(int rows) => _preActivation.AsSpan(0, rows * Units);

    internal override void Initialize(Span<float> parameters, RandomSource rng)
    {
        Initializers.GlorotUniform(parameters[..(InputSize * Units)], InputSize, Units, rng);
        parameters.Slice(InputSize * Units, Units).Clear();
    }

    // Dense sees its input as plain rows: T x N for a sequence, N otherwise.
    internal override void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters,
                                   int batch, int steps, ForwardMode mode) =>
        Run(output, input, parameters, Rows(batch, steps), Rows(batch, steps), mode.KeepsBackward());

    /// <inheritdoc/>
    /// <remarks>Rows are independent; a resumed pass keeps the product's path of the full pass's rows.</remarks>
    internal override bool ResumesForward => true;

    /// <inheritdoc/>
    /// <remarks>
    /// The product over all rows groups them by <see cref="GemmPacked.MicroRows"/> from the first; the activation over
    /// all rows (<see cref="System.Numerics.Tensors.TensorPrimitives"/>) computes spans shorter than a vector of 16
    /// with other code (scalar exp), so the remaining steps must hold at least 16 values.
    /// </remarks>
    internal override bool ResumesAt(int batch, int steps, int start) =>
        (long)start * batch % GemmPacked.MicroRows == 0 && (long)(steps - start) * batch * Units >= 16;

    internal override void ForwardFrom(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> state,
                                       ReadOnlySpan<float> parameters, int batch, int steps, int start) =>
        Run(output, input, parameters, (steps - start) * batch, (long)steps * batch, keep: false);

    // y = a(x K + b) over the rows, on the product's path for pathRows rows; y is kept for backward (and copied to the
    // output) only when asked.
    private void Run(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters, int rows,
                     long pathRows, bool keep)
    {
        int i = InputSize, o = Units;
        var z = Workspace(ref _preActivation, (long)rows * o);
        var y = keep ? Workspace(ref _output, (long)rows * o) : output[..(rows * o)];
        BroadcastRows.Unchecked(z, parameters.Slice(i * o, o), rows, o);
        MatMul.Unchecked(z, input, parameters[..(i * o)], rows, i, o, pathRows);
        if (Softmax) Kernels.Softmax.Forward(z, y, rows, o);
        else Activations.ForwardUnchecked(Activation, z, y);
        if (keep) y.CopyTo(output);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Rows are independent, but the product dX = dz Kᵀ takes a path by its row count; with one unit each dX element is
    /// one product, the same on every path. So: one unit, no softmax.
    /// </remarks>
    internal override bool BackwardOverPrefix(int batch) => Units == 1 && !Softmax;

    internal override void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput,
                                    ReadOnlySpan<float> input,
                                    ReadOnlySpan<float> parameters, int batch, int steps)
    {
        int rows = Rows(batch, steps);
        var dz = Workspace(ref _dz, (long)rows * Units);
        var y = _output.AsSpan(0, rows * Units);
        if (Softmax) Kernels.Softmax.Backward(y, dOutput[..(rows * Units)], dz, rows, Units);
        else ActivationGradient.FromOutputUnchecked(Activation, y, dOutput, dz);
        BackwardFromPreActivation(dInput, gradients, dz, input, parameters, rows);
    }

    internal override void BackwardFromPreActivation(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dz,
                                                     ReadOnlySpan<float> input,
                                            ReadOnlySpan<float> parameters, int rows)
    {
        int i = InputSize, o = Units;
        if (!gradients.IsEmpty) // empty: an input-gradient pass
        {
            MatMulTransposedA.Unchecked(gradients[..(i * o)], input, dz, rows, i, o);
            SumRows.Unchecked(gradients.Slice(i * o, o), dz, rows, o);
        }
        if (dInput.IsEmpty) return; // the first layer of a training step needs no dX
        dInput.Clear();
        MatMulTransposedB.Unchecked(dInput, dz, parameters[..(i * o)], rows, o, i);
    }

    internal override Layer CloneUnbound() => new Dense(Units, Activation) { Softmax = Softmax };
}
