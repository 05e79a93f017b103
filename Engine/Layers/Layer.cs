using Engine.Kernels;
using Engine.Random;

namespace Engine.Layers;

/// <summary>A named tensor inside a layer's slice of the model's flat parameter buffer.</summary>
/// <param name="Name">Keras' name: kernel, recurrent_kernel, bias.</param>
/// <param name="Offset">Offset from the start of the layer's slice.</param>
/// <param name="Shape">Shape, row-major.</param>
public sealed record ParameterTensor(string Name, int Offset, int[] Shape)
{
    /// <summary>Number of elements.</summary>
    public int Length => Shape.Aggregate(1, (a, b) => a * b);
}

/// <summary>
/// A layer of a <see cref="Models.Sequential"/> model. Activations flow time-major: a sequence is (T, N, width)
/// and a single step is (N, width). Parameters and gradients are slices of the model's flat buffers;
/// the layer keeps in its own workspace what forward saves for backward.
/// </summary>
public abstract class Layer
{
    protected Layer(int units, Activation activation)
    {
        Check.Positive(units, nameof(units));
        Units = units;
        Activation = activation;
    }

    /// <summary>Keras' type name (LSTM, Dense).</summary>
    public abstract string TypeName { get; }

    /// <summary>Width of the output (units).</summary>
    public int Units { get; }

    /// <summary>Output activation.</summary>
    public Activation Activation { get; }

    /// <summary>Width of the input, set when the layer joins a model.</summary>
    public int InputSize { get; private set; }

    /// <summary>Where the layer's slice starts in the model's flat buffers.</summary>
    public int ParameterOffset { get; private set; }

    /// <summary>Number of parameters, once the input size is known (cached by Bind: Tensors allocates, and training steps must not).</summary>
    public int ParameterCount { get; private set; }

    /// <summary>The layer's named tensors, offsets relative to its slice.</summary>
    public abstract IReadOnlyList<ParameterTensor> Tensors { get; }

    /// <summary>Whether the output is a sequence, given whether the input is one.</summary>
    public abstract bool OutputsSequence(bool inputIsSequence);

    internal void Bind(int inputSize, int offset)
    {
        Check.Positive(inputSize, nameof(inputSize));
        InputSize = inputSize;
        ParameterOffset = offset;
        ParameterCount = Tensors.Sum(t => t.Length);
    }

    /// <summary>Keras' default initialisation of the layer's slice.</summary>
    internal abstract void Initialize(Span<float> parameters, RandomSource rng);

    /// <summary>Computes the output and keeps what backward needs. Input rows: T x N when a sequence, else N.</summary>
    internal abstract void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters, int steps, int batch);

    /// <summary>
    /// From dL/d(output), adds dL/d(parameters) into <paramref name="gradients"/> (the layer's slice) and
    /// writes dL/d(input) into <paramref name="dInput"/> (overwritten). Uses what the last Forward saved.
    /// </summary>
    internal abstract void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input,
                                    ReadOnlySpan<float> parameters, int steps, int batch);

    /// <summary>A fresh, unbound layer with the same configuration and its own workspace.</summary>
    internal abstract Layer CloneUnbound();

    /// <summary>Grows a workspace buffer when a larger batch arrives; reused, never shrunk.</summary>
    protected static Span<float> Workspace(ref float[] buffer, long length)
    {
        if (buffer.Length < length) Grow(ref buffer, length); // off the common path: the call stays small enough to inline
        return buffer.AsSpan(0, (int)length);
    }

    private static void Grow(ref float[] buffer, long length)
    {
        if (length > Array.MaxLength) throw new ArgumentException($"a workspace of {length} floats is too large");
        buffer = new float[length];
    }
}
