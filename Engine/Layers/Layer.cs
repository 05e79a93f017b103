using System.Text.Json.Nodes;
using Engine.Kernels;
using Engine.Random;

namespace Engine.Layers;

/// <summary>
/// The layer contract. A layer of a <see cref="Models.Sequential"/> model declares:
/// <list type="bullet">
/// <item>its shapes: bound to an input of <see cref="InputSize"/> values per row, a sequence or not
/// (<see cref="InputIsSequence"/>), it outputs <see cref="OutputSize"/> values per row, a sequence or not
/// (<see cref="OutputIsSequence"/>);</item>
/// <item>its parameters: named tensors (<see cref="Tensors"/>) in its slice of the model's flat buffer, and how its
/// input
/// weights reach its outputs (<see cref="InputGates"/>, <see cref="ValueGate"/>, <see cref="InputWeights"/>), for the
/// weight-based importance methods;</item>
/// <item>its configuration (<see cref="WriteConfig"/>), from which <see cref="LayerRegistry"/> builds it again when a
/// model is loaded;</item>
/// <item>forward and backward, side by side in each layer's file.</item>
/// </list>
/// One shape convention everywhere: arguments are (batch N, steps T); activations flow time-major, a sequence is
/// (T, N, width) and a single step (N, width). Parameters and gradients are slices of the model's flat buffers; the
/// layer keeps in its own workspace what forward saves for backward.
/// </summary>
public abstract class Layer
{
    private protected Layer(int units, Activation activation)
    {
        Check.Positive(units, nameof(units));
        Units = units;
        Activation = activation;
    }

    /// <summary>Keras' class name (LSTM, Dense, ...): the key of <see cref="LayerRegistry"/>.</summary>
    public abstract string TypeName { get; }

    /// <summary>The layer's units (Keras' <c>units</c>).</summary>
    public int Units { get; }

    /// <summary>Output activation.</summary>
    public Activation Activation { get; }

    /// <summary>Values per output row (the units, unless a layer says otherwise).</summary>
    public virtual int OutputSize => Units;

    /// <summary>Values per input row, set when the layer joins a model.</summary>
    internal int InputSize { get; private set; }

    /// <summary>Whether the input is a sequence (T rows per series) or one row per series; set when the layer joins a
    /// model.</summary>
    internal bool InputIsSequence { get; private set; }

    /// <summary>Whether the output is a sequence, given how the layer was bound.</summary>
    internal bool OutputIsSequence => OutputsSequence(InputIsSequence);

    /// <summary>Whether the output is a sequence, given whether the input is one.</summary>
    internal abstract bool OutputsSequence(bool inputIsSequence);

    /// <summary>Whether the layer needs a sequence input (a recurrent layer).</summary>
    internal virtual bool RequiresSequence => false;

    /// <summary>Where the layer's slice starts in the model's flat buffers.</summary>
    internal int ParameterOffset { get; private set; }

    /// <summary>Number of parameters, once the input size is known (cached by Bind: Tensors allocates, and training
    /// steps must not).</summary>
    public int ParameterCount { get; private set; }

    /// <summary>The layer's named tensors, offsets relative to its slice.</summary>
    internal abstract IReadOnlyList<ParameterTensor> Tensors { get; }

    /// <summary>
    /// The blocks of the input kernel, one per gate (LSTM: i, f, c, o; a Dense layer: one block, "kernel"; a layer
    /// without input weights, such as Dropout: none, and <see cref="InputWeights"/> is the identity).
    /// </summary>
    internal virtual IReadOnlyList<string> InputGates => ["kernel"];

    /// <summary>The gate block that carries the input's value to the output (an LSTM's candidate c).</summary>
    internal virtual int ValueGate => 0;

    /// <summary>
    /// The weights (<see cref="InputSize"/>, <see cref="OutputSize"/>) from the layer's inputs to its outputs through
    /// gate block <paramref name="gate"/> of <see cref="InputGates"/>, from the layer's slice
    /// <paramref name="parameters"/>; absolute values when <paramref name="absolute"/>.
    /// </summary>
    internal abstract double[,] InputWeights(ReadOnlySpan<float> parameters, int gate, bool absolute);

    /// <summary>Writes the layer's configuration (Keras' keys: units, activation, ...) for
    /// <see cref="LayerRegistry"/>.</summary>
    internal abstract void WriteConfig(JsonObject config);

    /// <summary>
    /// Binds the layer to an input and a slice of the flat buffers; throws when the input does not suit it, with a
    /// message
    /// that reads on from the layer's name ("needs a sequence input, ...").
    /// </summary>
    internal void Bind(int inputSize, bool inputIsSequence, int offset)
    {
        Check.Positive(inputSize, nameof(inputSize));
        if (RequiresSequence && !inputIsSequence)
            throw new ArgumentException("needs a sequence input, but the layer before it returns only the last step: " +
                                        "set return_sequences (returnSequences) on it");
        InputSize = inputSize;
        InputIsSequence = inputIsSequence;
        ParameterOffset = offset;
        BindInner();
        long count = Tensors.Sum(t => t.Shape.Aggregate(1L, (a, b) => a * b));
        if (count > Array.MaxLength)
            throw new ArgumentException($"would have {count} parameters, more than an array holds");
        ParameterCount = (int)count;
    }

    /// <summary>Called by Bind once the input is known, before the tensors are counted: a wrapper binds its inner
    /// layers.</summary>
    private protected virtual void BindInner() { }

    /// <summary>Keras' default initialisation of the layer's slice.</summary>
    internal abstract void Initialize(Span<float> parameters, RandomSource rng);

    /// <summary>
    /// Computes the output, and keeps what <paramref name="mode"/> says a later call may read
    /// (<see cref="ForwardMode"/>: what <see cref="Backward"/> reads in a training step or
    /// <see cref="ForwardMode.KeepForBackward"/>, every step's <see cref="State"/> in <see cref="ForwardMode.Record"/>,
    /// nothing in <see cref="ForwardMode.Predict"/>); the output is the same in every mode (dropout masks only in
    /// <see cref="ForwardMode.Training"/>). Input and output rows: T x N (time-major) for a sequence, else N.
    /// </summary>
    internal abstract void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters,
                                   int batch, int steps, ForwardMode mode);

    /// <summary>
    /// From dL/d(output), adds dL/d(parameters) into <paramref name="gradients"/> (the layer's slice; empty: not
    /// wanted, an input-gradient pass, and the layer skips those products) and writes dL/d(input) into
    /// <paramref name="dInput"/> (overwritten; empty: not wanted). Uses what the last Forward saved. dInput does not
    /// depend on whether the parameter gradients are computed.
    /// </summary>
    internal abstract void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput,
                                    ReadOnlySpan<float> input,
                                    ReadOnlySpan<float> parameters, int batch, int steps);

    /// <summary>
    /// Whether <see cref="Backward"/> with <c>steps</c> = T' after a forward pass of T &gt; T' steps of
    /// <paramref name="batch"/> series reads only the first T' steps of what that forward saved, and gives for them,
    /// bit
    /// for bit, the dInput the full backward gives when dOutput is zero after step T' (up to the sign of zeros): the
    /// layer
    /// is causal and its kernels' paths do not depend on T. The input-gradient methods then stop each output step's
    /// backward pass at that step.
    /// </summary>
    internal virtual bool BackwardOverPrefix(int batch) => false;

    /// <summary>
    /// Whether the layer can resume a forward pass after a step: <see cref="ForwardFrom"/> over steps s..T-1 from its
    /// state after step s-1 (<see cref="State"/> of a full pass) gives, bit for bit, the outputs of those steps a full
    /// <see cref="Forward"/> (not training) gives: the layer is causal (output step t reads input steps 0..t only) and
    /// its kernels compute each row the same way whatever the steps. A model resumes only when all its layers do
    /// (<see cref="Models.Sequential.CanResume"/>); a layer that reads later steps (a backward-in-time direction,
    /// Flatten) says false, and the methods run full passes.
    /// </summary>
    internal virtual bool ResumesForward => false;

    /// <summary>
    /// Whether <see cref="ForwardFrom"/> may start at step <paramref name="start"/> of <paramref name="steps"/> for
    /// <paramref name="batch"/> series and still compute every row as the full pass does: a product over the rows of
    /// all steps groups them from its first row, so it needs the skipped rows to be whole groups
    /// (<see cref="GemmPacked.MicroRows"/>), and a vector kernel over all rows computes a short span's values with
    /// scalar code. Only when <see cref="ResumesForward"/>.
    /// </summary>
    internal virtual bool ResumesAt(int batch, int steps, int start) => ResumesForward;

    /// <summary>Floats of state per series that carry a pass from one step to the next (LSTM: h and c; GRU: h; a
    /// row-wise layer: 0); only when <see cref="ResumesForward"/>.</summary>
    internal virtual int StateSize => 0;

    /// <summary>
    /// Writes the layer's state after step <paramref name="step"/> of the last <see cref="Forward"/> (of
    /// <paramref name="batch"/> series, in a mode that <see cref="ForwardModes.KeepsStates"/>) into
    /// <paramref name="state"/>, N x <see cref="StateSize"/> floats in the layer's own layout (what
    /// <see cref="ForwardFrom"/> reads); only when <see cref="ResumesForward"/>.
    /// </summary>
    internal virtual void State(Span<float> state, int batch, int step) { }

    /// <summary>
    /// The forward pass over steps <paramref name="start"/>..T-1 of a pass of T = <paramref name="steps"/> steps,
    /// resumed from <paramref name="state"/> (<see cref="State"/> after step start - 1; unused for a row-wise layer):
    /// input and output hold those T - start steps only, as <see cref="Forward"/> for T - start steps. The full T
    /// lets a kernel keep the path the full pass takes. Keeps nothing (<see cref="ForwardMode.Predict"/>). Only when
    /// <see cref="ResumesForward"/> and 0 &lt; start &lt; T. By default a row-wise layer's <see cref="Forward"/> over
    /// those steps.
    /// </summary>
    internal virtual void ForwardFrom(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> state,
                                      ReadOnlySpan<float> parameters, int batch, int steps, int start)
    {
        if (!ResumesForward || StateSize != 0)
            throw new NotSupportedException($"{TypeName} cannot resume a forward pass");
        Forward(output, input, parameters, batch, steps - start, ForwardMode.Predict);
    }

    /// <summary>
    /// Whether the last forward's output is <c>sigmoid(z)</c> of pre-activations this layer can hand to a loss fused
    /// with
    /// the sigmoid (<see cref="PreActivation"/>, <see cref="BackwardFromPreActivation"/>).
    /// </summary>
    internal virtual bool HasSigmoidLogits => false;

    /// <summary>
    /// Whether the last forward's output is the row-wise softmax of pre-activations this layer can hand to a loss
    /// fused with the softmax (<see cref="PreActivation"/>, <see cref="BackwardFromPreActivation"/>).
    /// </summary>
    internal virtual bool HasSoftmaxLogits => false;

    /// <summary>The pre-activations z of the last forward pass, (rows, OutputSize); only when
    /// <see cref="HasSigmoidLogits"/> or <see cref="HasSoftmaxLogits"/>.</summary>
    internal virtual ReadOnlySpan<float> PreActivation(int rows) =>
        throw new NotSupportedException($"{TypeName} has no pre-activations");

    /// <summary>Backward from dL/dz (a loss fused with the sigmoid or softmax supplies it); only when
    /// <see cref="HasSigmoidLogits"/> or <see cref="HasSoftmaxLogits"/>.</summary>
    internal virtual void BackwardFromPreActivation(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dz,
                                                    ReadOnlySpan<float> input,
                                                    ReadOnlySpan<float> parameters, int rows) =>
        throw new NotSupportedException($"{TypeName} has no pre-activations");

    /// <summary>Rows of the input (and output) for a batch: T x N for a sequence, N otherwise.</summary>
    private protected int Rows(int batch, int steps) => InputIsSequence ? batch * steps : batch;

    /// <summary>A fresh, unbound layer with the same configuration and its own workspace.</summary>
    internal abstract Layer CloneUnbound();

    /// <summary>Grows a workspace buffer when a larger batch arrives; reused, never shrunk.</summary>
    internal static Span<float> Workspace(ref float[] buffer, long length)
    {
        // off the common path: the call stays small enough to inline
        if (buffer.Length < length) Grow(ref buffer, length);
        return buffer.AsSpan(0, (int)length);
    }

    private static void Grow(ref float[] buffer, long length)
    {
        if (length > Array.MaxLength) throw new ArgumentException($"a workspace of {length} floats is too large");
        buffer = new float[length];
    }

    /// <summary>The identity (I, I), the one input block of a layer that passes its input on (Dropout,
    /// LastStep).</summary>
    private protected double[,] IdentityBlock(int gate)
    {
        if (gate != 0)
            throw new ArgumentOutOfRangeException(nameof(gate), gate, $"{TypeName} has one block, the identity");
        var identity = new double[InputSize, InputSize];
        for (int i = 0; i < InputSize; i++) identity[i, i] = 1;
        return identity;
    }

    /// <summary>Block <paramref name="gate"/> of <paramref name="gates"/> equal blocks of a kernel (rows, gates x
    /// units), as doubles.</summary>
    private protected static double[,] KernelBlock(ReadOnlySpan<float> kernel, int rows, int units, int gates, int gate,
                                           bool absolute)
    {
        if ((uint)gate >= (uint)gates)
            throw new ArgumentOutOfRangeException(nameof(gate), gate, $"the kernel has {gates} gate blocks");
        var block = new double[rows, units];
        int width = gates * units, offset = gate * units;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < units; c++)
            {
                double w = kernel[r * width + offset + c];
                block[r, c] = absolute ? Math.Abs(w) : w;
            }
        return block;
    }
}
