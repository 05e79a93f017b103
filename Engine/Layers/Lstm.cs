using System.Numerics.Tensors;
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
/// The input projection X W + b is one product over all steps; only h U stays inside the time loop.
/// Backward is backpropagation through time; weight gradients are products over all steps after the loop.
/// </summary>
public sealed class Lstm : Layer
{
    // Forward saves, per step t (time-major rows t*N + n):
    private float[] _gates = [];   // (T, N, 4H) activated gates i, f, g, o
    private float[] _cells = [];   // (T+1, N, H) c_t, with c_0 = 0 in block 0
    private float[] _hidden = [];  // (T+1, N, H) h_t, with h_0 = 0 in block 0
    private float[] _cellAct = []; // (T, N, H) a(c_t)
    // Backward scratch:
    private float[] _dz = [];      // (T, N, 4H) dL/dz
    private float[] _dh = [];      // (N, H) total gradient into h_t
    private float[] _dc = [];      // (N, H) gradient into c_t

    public Lstm(int units, Activation activation = Activation.Tanh, Activation recurrentActivation = Activation.Sigmoid, bool returnSequences = false)
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

    public override IReadOnlyList<ParameterTensor> Tensors => [
        new("kernel", 0, [InputSize, 4 * Units]),
        new("recurrent_kernel", InputSize * 4 * Units, [Units, 4 * Units]),
        new("bias", (InputSize + Units) * 4 * Units, [4 * Units]),
    ];

    public override bool OutputsSequence(bool inputIsSequence) => ReturnSequences;

    /// <summary>The kernel W (F, 4H) in the layer's slice.</summary>
    public Span<float> Kernel(Span<float> slice) => slice[..(InputSize * 4 * Units)];
    /// <summary>The recurrent kernel U (H, 4H) in the layer's slice.</summary>
    public Span<float> RecurrentKernel(Span<float> slice) => slice.Slice(InputSize * 4 * Units, Units * 4 * Units);
    /// <summary>The bias b (4H) in the layer's slice.</summary>
    public Span<float> Bias(Span<float> slice) => slice.Slice((InputSize + Units) * 4 * Units, 4 * Units);

    internal override void Initialize(Span<float> parameters, RandomSource rng)
    {
        int g = 4 * Units;
        Initializers.GlorotUniform(Kernel(parameters), InputSize, g, rng);
        Initializers.Orthogonal(RecurrentKernel(parameters), Units, g, rng);
        var bias = Bias(parameters);
        bias.Clear();
        bias.Slice(Units, Units).Fill(1f); // Keras' unit_forget_bias
    }

    internal override void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters, int steps, int batch)
    {
        int f = InputSize, h = Units, g = 4 * h, rows = steps * batch;
        var p = parameters;
        ReadOnlySpan<float> w = p[..(f * g)], u = p.Slice(f * g, h * g), b = p.Slice((f + h) * g, g);
        var gates = Workspace(ref _gates, (long)rows * g);
        var cells = Workspace(ref _cells, (long)(steps + 1) * batch * h);
        var hidden = Workspace(ref _hidden, (long)(steps + 1) * batch * h);
        var cellAct = Workspace(ref _cellAct, (long)rows * h);
        cells[..(batch * h)].Clear();
        hidden[..(batch * h)].Clear();

        BroadcastRows.Unchecked(gates, b, rows, g);
        MatMul.Unchecked(gates, input, w, rows, f, g);
        for (int t = 0; t < steps; t++)
        {
            var zt = gates.Slice(t * batch * g, batch * g);
            MatMul.Unchecked(zt, hidden.Slice(t * batch * h, batch * h), u, batch, h, g);
            for (int n = 0; n < batch; n++)
            {
                int r = (t * batch + n) * h;
                LstmCell.ForwardUnchecked(zt.Slice(n * g, g), cells.Slice(r + batch * h, h), cellAct.Slice(r, h),
                                          hidden.Slice(r + batch * h, h), cells.Slice(r, h), Activation, RecurrentActivation, h);
            }
        }
        if (ReturnSequences) hidden.Slice(batch * h, rows * h).CopyTo(output);
        else hidden.Slice(steps * batch * h, batch * h).CopyTo(output);
    }

    internal override void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input,
                                    ReadOnlySpan<float> parameters, int steps, int batch)
    {
        int f = InputSize, h = Units, g = 4 * h, rows = steps * batch;
        ReadOnlySpan<float> w = parameters[..(f * g)], u = parameters.Slice(f * g, h * g);
        Span<float> dw = gradients[..(f * g)], du = gradients.Slice(f * g, h * g), db = gradients.Slice((f + h) * g, g);
        var dz = Workspace(ref _dz, (long)rows * g);
        var dh = Workspace(ref _dh, batch * h);
        var dc = Workspace(ref _dc, batch * h);
        dh.Clear();
        dc.Clear();

        for (int t = steps - 1; t >= 0; t--)
        {
            // dh already holds dL/dh_t through h_{t+1}; add the output's own gradient.
            if (ReturnSequences) TensorPrimitives.Add(dh, dOutput.Slice(t * batch * h, batch * h), dh);
            else if (t == steps - 1) TensorPrimitives.Add(dh, dOutput, dh);
            var dzt = dz.Slice(t * batch * g, batch * g);
            for (int n = 0; n < batch; n++)
            {
                int r = (t * batch + n) * h;
                LstmCell.BackwardUnchecked(dzt.Slice(n * g, g), dc.Slice(n * h, h), dh.Slice(n * h, h), _gates.AsSpan((t * batch + n) * g, g),
                                           _cells.AsSpan(r, h), _cellAct.AsSpan(r, h), Activation, RecurrentActivation, h);
            }
            if (t > 0)
            {
                dh.Clear();
                MatMulTransposedB.Unchecked(dh, dzt, u, batch, g, h);
            }
        }
        MatMulTransposedA.Unchecked(dw, input, dz, rows, f, g);
        MatMulTransposedA.Unchecked(du, _hidden.AsSpan(0, rows * h), dz, rows, h, g);
        SumRows.Unchecked(db, dz, rows, g);
        dInput.Clear();
        MatMulTransposedB.Unchecked(dInput, dz, w, rows, g, f);
    }

    internal override Layer CloneUnbound() => new Lstm(Units, Activation, RecurrentActivation, ReturnSequences);
}
