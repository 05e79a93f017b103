using System.Text.Json.Nodes;
using Engine.Kernels;
using Engine.Random;

namespace Engine.Layers;

/// <summary>
/// Keras' Dropout: the identity at inference (any mode but <see cref="ForwardMode.Training"/>); in a training step,
/// inverted dropout, <c>y = x m / (1 - rate)</c> with one mask value m ~ Bernoulli(1 - rate) per element, so E[y] = x.
/// No parameters; <see cref="Layer.OutputSize"/> = <see cref="Layer.InputSize"/>. The masks come from the layer's own
/// <see cref="RandomSource"/>, seeded from the model's generator in <see cref="Initialize"/> (before that, from seed
/// 0): the same seed gives the same masks, whatever the thread count (a training step runs the layer on one thread).
/// Keras' <c>noise_shape</c> and <c>seed</c> are not supported.
/// </summary>
public class Dropout : Layer
{
    private float[] _mask = [];   // (rows, I) for Dropout, (N, I) for SpatialDropout1D: 0 or 1 / (1 - rate)
    private bool _masked;         // whether the last Forward applied a mask (a training step with rate > 0)
    private RandomSource _random = new(0);

    /// <param name="rate">The fraction of inputs dropped in a training step, in [0, 1).</param>
    public Dropout(double rate) : base(1, Activation.Linear)
    {
        if (!(rate >= 0 && rate < 1))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "the dropout rate must be in [0, 1)");
        Rate = rate;
    }

    /// <summary>The fraction of inputs dropped in a training step.</summary>
    public double Rate { get; }

    public override string TypeName => "Dropout";

    /// <summary>The input size: dropout keeps the width.</summary>
    public override int OutputSize => InputSize;

    internal override IReadOnlyList<ParameterTensor> Tensors => [];

    internal override bool OutputsSequence(bool inputIsSequence) => inputIsSequence;

    /// <summary>
    /// One block, the identity: at inference the layer passes its input through. (One block rather than none, so a
    /// Dropout before the first recurrent layer leaves the weight methods a first layer with a value block.)
    /// </summary>
    internal override IReadOnlyList<string> InputGates => ["identity"];

    /// <summary>The identity (I, I).</summary>
    internal override double[,] InputWeights(ReadOnlySpan<float> parameters, int gate, bool absolute) =>
        IdentityBlock(gate);

    internal override void WriteConfig(JsonObject config) => config["rate"] = Rate;

    /// <summary>Reads <c>rate</c> in [0, 1) (required).</summary>
    internal static Dropout FromConfig(LayerConfig config) => new(ReadRate(config));

    private protected static double ReadRate(LayerConfig config)
    {
        double rate = config.Number("rate", 0, 1);
        if (rate >= 1) throw new ArgumentException($"{config.Where}: 'rate' must be below 1, not {rate}");
        return rate;
    }

    /// <summary>Draws the mask generator's seed from the model's generator.</summary>
    internal override void Initialize(Span<float> parameters, RandomSource rng) =>
        _random = new RandomSource(rng.NextUInt64());

    /// <summary>Mask entries one value of the mask covers per step: (N, I) shared over time for the spatial
    /// form.</summary>
    private protected virtual int MaskRows(int batch, int steps) => Rows(batch, steps);

    // Time-major rows t N + n; mask row (r mod maskRows): the element's own row, or (spatial) its series' row.
    internal override void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters,
                                   int batch, int steps,
                                   ForwardMode mode)
    {
        int n = Rows(batch, steps) * InputSize;
        _masked = mode == ForwardMode.Training && Rate > 0;
        if (!_masked) { input[..n].CopyTo(output); return; }
        int m = MaskRows(batch, steps) * InputSize;
        var mask = Workspace(ref _mask, m);
        float keep = 1f / (float)(1 - Rate);
        for (int k = 0; k < m; k++) mask[k] = _random.NextDouble() < Rate ? 0f : keep;
        for (int k = 0; k < n; k += m) Multiply(output.Slice(k, m), input.Slice(k, m), mask);
    }

    /// <summary>Outside training the identity, row by row: resumes at any step.</summary>
    internal override bool ResumesForward => true;

    // dx = dy m (the identity when the last Forward drew no mask).
    internal override void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput,
                                    ReadOnlySpan<float> input,
                                    ReadOnlySpan<float> parameters, int batch, int steps)
    {
        if (dInput.IsEmpty) return;
        int n = Rows(batch, steps) * InputSize;
        if (!_masked) { dOutput[..n].CopyTo(dInput); return; }
        int m = MaskRows(batch, steps) * InputSize;
        var mask = _mask.AsSpan(0, m);
        for (int k = 0; k < n; k += m) Multiply(dInput.Slice(k, m), dOutput.Slice(k, m), mask);
    }

    private static void Multiply(Span<float> destination, ReadOnlySpan<float> x, ReadOnlySpan<float> y) =>
        System.Numerics.Tensors.TensorPrimitives.Multiply(x, y, destination);

    internal override Layer CloneUnbound() => new Dropout(Rate);
}
