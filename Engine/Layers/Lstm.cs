using System.Text.Json.Nodes;
using Engine.Kernels;
using Engine.Random;
using Engine.Training;

namespace Engine.Layers;

/// <summary>
/// Long short-term memory layer with Keras' layout and semantics. Parameters, in its slice:
/// <code>
/// kernel            // (F, 4H), gate blocks i, f, c, o
/// recurrent_kernel  // (H, 4H), gate blocks i, f, c, o
/// bias              // (4H)
/// </code>
/// z_t = x_t W + h_{t-1} U + b; i, f, o = r(z); g = a(z_c); c_t = f c_{t-1} + i g; h_t = o a(c_t); h_0 = c_0 = 0.
/// The layer holds its configuration and its parameters' layout; a pass runs in one of its execution strategies, each
/// its own type owning its buffers, with forward and backward side by side: <see cref="LstmGemmPath"/> (any size; large
/// layers split their units between threads in <see cref="LstmUnitSplit"/>) and <see cref="LstmSmallPath"/> (H ≤ 16,
/// the whole time loop in <see cref="LstmSequence"/>).
/// </summary>
public sealed class Lstm : Layer
{
    public Lstm(int units, Activation activation = Activation.Tanh, Activation recurrentActivation = Activation.Sigmoid,
                bool returnSequences = false)
        : base(units, activation)
    {
        RecurrentActivation = recurrentActivation;
        ReturnSequences = returnSequences;
    }

    /// <summary>The gate activation (Keras' recurrent_activation).</summary>
    public Activation RecurrentActivation { get; }

    /// <summary>Whether every step's h is output (else only the last).</summary>
    public bool ReturnSequences { get; }

    public override string TypeName => "LSTM";

    internal override IReadOnlyList<ParameterTensor> Tensors => [
        new("kernel", 0, [InputSize, 4 * Units]),
        new("recurrent_kernel", InputSize * 4 * Units, [Units, 4 * Units]),
        new("bias", (InputSize + Units) * 4 * Units, [4 * Units]),
    ];

    internal override bool OutputsSequence(bool inputIsSequence) => ReturnSequences;

    internal override bool RequiresSequence => true;

    /// <summary>The kernel's gate blocks, in Keras' order.</summary>
    internal override IReadOnlyList<string> InputGates => ["i", "f", "c", "o"];

    /// <summary>The candidate block c: g = a(x W^c + h U^c + b^c) carries the input's value into the cell.</summary>
    internal override int ValueGate => 2;

    /// <summary>Gate block (F, H) of the kernel W (F, 4H).</summary>
    internal override double[,] InputWeights(ReadOnlySpan<float> parameters, int gate, bool absolute) =>
        KernelBlock(parameters[..(InputSize * 4 * Units)], InputSize, Units, 4, gate, absolute);

    internal override void WriteConfig(JsonObject config)
    {
        config["units"] = Units;
        config["activation"] = Activation.Name();
        config["recurrent_activation"] = RecurrentActivation.Name();
        config["return_sequences"] = ReturnSequences;
    }

    /// <summary>Reads <c>units</c>, <c>activation</c> (default tanh), <c>recurrent_activation</c> (default sigmoid),
    /// <c>return_sequences</c> (default false).</summary>
    internal static Lstm FromConfig(LayerConfig config) =>
        new(config.Units(), config.Activation("activation", Activation.Tanh),
            config.Activation("recurrent_activation", Activation.Sigmoid),
            config.Bool("return_sequences", false));

    /// <summary>The kernel W (F, 4H) in the layer's slice.</summary>
    internal Span<float> Kernel(Span<float> slice) => slice[..(InputSize * 4 * Units)];
    /// <summary>The recurrent kernel U (H, 4H) in the layer's slice.</summary>
    internal Span<float> RecurrentKernel(Span<float> slice) => slice.Slice(InputSize * 4 * Units, Units * 4 * Units);
    /// <summary>The bias b (4H) in the layer's slice.</summary>
    internal Span<float> Bias(Span<float> slice) => slice.Slice((InputSize + Units) * 4 * Units, 4 * Units);

    internal override void Initialize(Span<float> parameters, RandomSource rng)
    {
        int g = 4 * Units;
        Initializers.GlorotUniform(Kernel(parameters), InputSize, g, rng);
        Initializers.Orthogonal(RecurrentKernel(parameters), Units, g, rng);
        var bias = Bias(parameters);
        bias.Clear();
        bias.Slice(Units, Units).Fill(1f); // Keras' unit_forget_bias
    }


    /// <summary>Whether layers of at most 16 units run their whole time loop in <see cref="LstmSequence"/> (tests
    /// compare both paths).</summary>
    internal bool UseSequenceKernel { get; set; } = true;

    // The execution strategies, each owning its buffers, created when first used; _last ran the last forward pass.
    private LstmGemmPath? _gemm;
    private LstmSmallPath? _small;
    private ILstmPath? _last;

    /// <summary>The strategy the last forward pass took (tests check that the path under test is the one
    /// taken).</summary>
    internal ILstmPath? LastPath => _last;

    internal override void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters,
                                   int batch, int steps,
                                   ForwardMode mode)
    {
        _last = Path();
        _last.Forward(output, input, parameters, batch, steps, mode);
    }

    // The path a pass takes: by the layer's size only, so a resumed pass takes the full pass's path.
    private bool Small => UseSequenceKernel && LstmSequence.Supported(Units);
    private ILstmPath Path() => Small ? _small ??= new LstmSmallPath(this) : _gemm ??= new LstmGemmPath(this);

    /// <inheritdoc/>
    /// <remarks>Both paths resume from h and c; the state is h_t then c_t, (N, H) each.</remarks>
    internal override bool ResumesForward => true;

    /// <inheritdoc/>
    /// <remarks>
    /// The small path computes each row on its own. The general path's X W over all steps (batches below
    /// <see cref="LstmGemmPath.StepwiseBatch"/>) groups rows by <see cref="GemmPacked.MicroRows"/> from the first:
    /// the same groups only when the skipped rows are a whole number of groups.
    /// </remarks>
    internal override bool ResumesAt(int batch, int steps, int start) =>
        Small || batch >= LstmGemmPath.StepwiseBatch || (long)start * batch % GemmPacked.MicroRows == 0;

    internal override int StateSize => 2 * Units;

    internal override void State(Span<float> state, int batch, int step)
    {
        if (_last is null) throw new InvalidOperationException("State needs a Forward pass first");
        _last.State(state, batch, step);
    }

    internal override void ForwardFrom(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> state,
                                       ReadOnlySpan<float> parameters, int batch, int steps, int start)
    {
        _last = Path();
        _last.ForwardFrom(output, input, state, parameters, batch, steps - start, ForwardMode.Predict);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Both paths keep their state time-major (step t in rows t N ..) and run backward one step at a time; the small
    /// path's dX = dZ Wᵀ over all rows takes them <see cref="LstmSequence.InputGradientRows"/> at a time, so a row's
    /// block is the same for any T only when the batch is a multiple of that.
    /// </remarks>
    internal override bool BackwardOverPrefix(int batch) => batch % LstmSequence.InputGradientRows == 0;

    /// <inheritdoc/>
    /// <remarks>An empty <paramref name="dInput"/> skips dL/dX (the first layer of a training step needs
    /// none).</remarks>
    internal override void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput,
                                    ReadOnlySpan<float> input,
                                    ReadOnlySpan<float> parameters, int batch, int steps)
    {
        if (_last is null) throw new InvalidOperationException("Backward needs a Forward pass first");
        _last.Backward(dInput, gradients, dOutput, input, parameters, batch, steps);
    }

    internal override Layer CloneUnbound() => new Lstm(Units, Activation, RecurrentActivation, ReturnSequences);
}
