using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using Engine.Random;

namespace Engine.Layers;

/// <summary>
/// Keras' Bidirectional wrapper around any recurrent layer (one that <see cref="Layer.RequiresSequence"/>): a forward
/// copy reads x_0 .. x_{T-1}; a backward copy reads the time-reversed input x_{T-1} .. x_0, and its sequence output is
/// reversed back, so step t pairs f_t (having read x_0..x_t) with b_t (having read x_{T-1}..x_t). Without
/// return_sequences the backward copy's output is its last step, the state after reading x_0. Outputs, per row:
/// <code>
/// concat: y = [f | b]   // 2H
/// sum:    y = f + b     // H
/// ave:    y = (f + b) / 2
/// mul:    y = f b
/// </code>
/// Parameters, in its slice: the forward copy's tensors, then the backward copy's, named "forward.kernel", ...,
/// "backward.kernel", ... in the inner layer's own layout. Config: <c>{"merge_mode": ..., "layer": {inner config}}</c>.
/// </summary>
public sealed class Bidirectional : Layer
{
    private readonly Layer _forward, _backward;
    // Forward saves (time-major rows R = T N for a sequence output, N otherwise):
    private float[] _reversed = [];  // (T, N, F) the input, steps reversed: the backward copy's input
    private float[] _outForward = [];  // (R, H) the forward copy's output
    private float[] _outBackward = []; // (R, H) the backward copy's output, in its own (reversed) step order
    // Backward scratch:
    private float[] _dForward = [];    // (R, H)
    private float[] _dBackward = [];   // (R, H), reversed step order
    private float[] _dReversed = [];   // (T, N, F) dL/d(reversed input)

    /// <summary>Wraps <paramref name="layer"/> (unbound; its copy reads the input backwards).</summary>
    public Bidirectional(Layer layer, MergeMode mergeMode = MergeMode.Concat) : base(layer.Units, layer.Activation)
    {
        if (!layer.RequiresSequence)
            throw new ArgumentException($"Bidirectional wraps a recurrent layer, not {layer.TypeName}", nameof(layer));
        _forward = layer;
        _backward = layer.CloneUnbound();
        MergeMode = mergeMode;
    }

    /// <summary>How the two directions are merged.</summary>
    public MergeMode MergeMode { get; }

    /// <summary>The wrapped layer (the forward copy; the backward copy has the same configuration).</summary>
    public Layer Layer => _forward;

    public override string TypeName => "Bidirectional";

    /// <summary>2H for concat, else H (H: the inner layer's output size).</summary>
    public override int OutputSize => MergeMode == MergeMode.Concat ? 2 * _forward.OutputSize : _forward.OutputSize;

    internal override bool OutputsSequence(bool inputIsSequence) => _forward.OutputsSequence(inputIsSequence);

    internal override bool RequiresSequence => true;

    internal override IReadOnlyList<ParameterTensor> Tensors =>
    [
        .. _forward.Tensors.Select(t => t with { Name = "forward." + t.Name }),
        .. _backward.Tensors.Select(t =>
            t with { Name = "backward." + t.Name, Offset = _forward.ParameterCount + t.Offset }),
    ];

    /// <summary>The inner layer's gate blocks.</summary>
    internal override IReadOnlyList<string> InputGates => _forward.InputGates;

    /// <summary>The inner layer's value block.</summary>
    internal override int ValueGate => _forward.ValueGate;

    /// <summary>
    /// From the two copies' blocks W_f and W_b (F, H) of gate <paramref name="gate"/>: concat [W_f | W_b] (F, 2H);
    /// sum W_f + W_b; ave (W_f + W_b) / 2; mul W_f + W_b, as sum (y_j = f_j b_j is reached through both directions'
    /// weights, and the weight methods have no value for the other factor, so both paths count alike). With
    /// <paramref name="absolute"/> the blocks are |W_f| and |W_b| before they are merged.
    /// </summary>
    internal override double[,] InputWeights(ReadOnlySpan<float> parameters, int gate, bool absolute)
    {
        var wf = _forward.InputWeights(parameters[.._forward.ParameterCount], gate, absolute);
        var wb = _backward.InputWeights(parameters[_forward.ParameterCount..], gate, absolute);
        int rows = wf.GetLength(0), h = wf.GetLength(1);
        var merged = new double[rows, OutputSize];
        double scale = MergeMode == MergeMode.Ave ? 0.5 : 1;
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < h; j++)
                if (MergeMode == MergeMode.Concat) { merged[r, j] = wf[r, j]; merged[r, h + j] = wb[r, j]; }
                else merged[r, j] = scale * (wf[r, j] + wb[r, j]);
        return merged;
    }

    internal override void WriteConfig(JsonObject config)
    {
        config["merge_mode"] = MergeMode.ToString().ToLowerInvariant();
        config["layer"] = LayerRegistry.Config(_forward);
    }

    /// <summary>Reads <c>merge_mode</c> (concat, sum, ave, mul; default concat) and <c>layer</c>, a recurrent layer's
    /// config.</summary>
    internal static Bidirectional FromConfig(LayerConfig config)
    {
        var mode = Enum.Parse<MergeMode>(config.Text("merge_mode", "concat", "concat", "sum", "ave", "mul"),
                                         ignoreCase: true);
        var inner = config.Nested("layer");
        var layer = LayerRegistry.Create(inner.Json, inner.Where);
        if (!layer.RequiresSequence)
            throw new ArgumentException($"{config.Where}: 'layer' must be a recurrent layer, not {layer.TypeName}");
        return new Bidirectional(layer, mode);
    }

    private protected override void BindInner()
    {
        _forward.Bind(InputSize, InputIsSequence, 0);
        _backward.Bind(InputSize, InputIsSequence, _forward.ParameterCount);
    }

    internal override void Initialize(Span<float> parameters, RandomSource rng)
    {
        int pf = _forward.ParameterCount;
        _forward.Initialize(parameters[..pf], rng);
        _backward.Initialize(parameters[pf..], rng);
    }

    internal override void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters,
                                   int batch, int steps,
                                   ForwardMode mode)
    {
        int h = _forward.OutputSize, pf = _forward.ParameterCount, rows = OutputIsSequence ? steps * batch : batch;
        var reversed = Workspace(ref _reversed, (long)steps * batch * InputSize);
        var f = Workspace(ref _outForward, (long)rows * h);
        var b = Workspace(ref _outBackward, (long)rows * h);
        ReverseSteps(reversed, input, steps, batch * InputSize);
        _forward.Forward(f, input, parameters[..pf], batch, steps, mode);
        _backward.Forward(b, reversed, parameters[pf..], batch, steps, mode);
        int stepsOut = OutputIsSequence ? steps : 1, width = OutputSize;
        for (int t = 0; t < stepsOut; t++)
            for (int n = 0; n < batch; n++)
            {
                int row = t * batch + n, rowB = (stepsOut - 1 - t) * batch + n;
                var ft = f.Slice(row * h, h);
                var bt = b.Slice(rowB * h, h);
                var y = output.Slice(row * width, width);
                switch (MergeMode)
                {
                    case MergeMode.Concat: ft.CopyTo(y); bt.CopyTo(y[h..]); break;
                    case MergeMode.Sum: TensorPrimitives.Add(ft, bt, y); break;
                    case MergeMode.Ave: TensorPrimitives.Add(ft, bt, y); TensorPrimitives.Multiply(y, 0.5f, y); break;
                    default: TensorPrimitives.Multiply(ft, bt, y); break;
                }
            }
    }

    // dL/df and dL/db from dL/dy per row (concat: the two halves; sum: dy; ave: dy / 2; mul: dy b and dy f), the
    // backward copy's in its reversed step order; each copy's backward; dx = dx_f + (dx_b with steps reversed back).
    internal override void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput,
                                    ReadOnlySpan<float> input,
                                    ReadOnlySpan<float> parameters, int batch, int steps)
    {
        int h = _forward.OutputSize, pf = _forward.ParameterCount, stepsOut = OutputIsSequence ? steps : 1,
        rows = stepsOut * batch;
        int width = OutputSize;
        var df = Workspace(ref _dForward, (long)rows * h);
        var db = Workspace(ref _dBackward, (long)rows * h);
        ReadOnlySpan<float> f = _outForward.AsSpan(0, rows * h), b = _outBackward.AsSpan(0, rows * h);
        for (int t = 0; t < stepsOut; t++)
            for (int n = 0; n < batch; n++)
            {
                int row = t * batch + n, rowB = (stepsOut - 1 - t) * batch + n;
                var dy = dOutput.Slice(row * width, width);
                var dft = df.Slice(row * h, h);
                var dbt = db.Slice(rowB * h, h);
                switch (MergeMode)
                {
                    case MergeMode.Concat: dy[..h].CopyTo(dft); dy[h..].CopyTo(dbt); break;
                    case MergeMode.Sum: dy.CopyTo(dft); dy.CopyTo(dbt); break;
                    case MergeMode.Ave: TensorPrimitives.Multiply(dy, 0.5f, dft); dft.CopyTo(dbt); break;
                    default:
                        TensorPrimitives.Multiply(dy, b.Slice(rowB * h, h), dft);
                        TensorPrimitives.Multiply(dy, f.Slice(row * h, h), dbt);
                        break;
                }
            }
        int length = steps * batch * InputSize;
        var dReversed = dInput.IsEmpty ? [] : Workspace(ref _dReversed, length);
        bool weights = !gradients.IsEmpty; // empty: an input-gradient pass
        _forward.Backward(dInput, weights ? gradients[..pf] : [], df, input, parameters[..pf], batch, steps);
        _backward.Backward(dReversed, weights ? gradients[pf..] : [], db, _reversed.AsSpan(0, length),
                           parameters[pf..], batch, steps);
        if (dInput.IsEmpty) return;
        int block = batch * InputSize;
        for (int t = 0; t < steps; t++)
        {
            var dxt = dInput.Slice(t * block, block);
            TensorPrimitives.Add(dxt, dReversed.Slice((steps - 1 - t) * block, block), dxt);
        }
    }

    // destination step t = source step T-1-t, blocks of `block` values.
    private static void ReverseSteps(Span<float> destination, ReadOnlySpan<float> source, int steps, int block)
    {
        for (int t = 0; t < steps; t++)
            source.Slice((steps - 1 - t) * block, block).CopyTo(destination.Slice(t * block, block));
    }

    internal override Layer CloneUnbound() => new Bidirectional(_forward.CloneUnbound(), MergeMode);
}
