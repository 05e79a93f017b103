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
/// The input projection X W + b is one product over all steps; only h U stays inside the time loop, against a
/// copy of U packed once per pass (<see cref="GemmPacked"/>); the gate math of a step is one fused kernel over
/// the batch (<see cref="LstmGates"/>). Backward is backpropagation through time: each step's dz_t is packed into dZ
/// (and summed into db) while in cache and gives dX_t = dz_t Wᵀ at once; dW and dU are products over all steps after the loop.
/// </summary>
public sealed class Lstm : Layer
{
    // Forward saves, per step t (time-major rows t*N + n):
    private float[] _gates = [];   // (T, N, 4H) activated gates i, f, g, o
    private float[] _cells = [];   // (T+1, N, H) c_t, with c_0 = 0 in block 0
    private float[] _hidden = [];  // (T+1, N, H) h_t, with h_0 = 0 in block 0
    private float[] _cellAct = []; // (T, N, H) a(c_t)
    // Backward scratch:
    private float[] _dz = [];      // (N, 4H) dL/dz_t of one step (small path: (T, N, R))
    private float[] _dh = [];      // (N, H) total gradient into h_t
    private float[] _dc = [];      // (N, H) gradient into c_t
    // Right operands packed for GemmPacked, rebuilt from the parameters on every pass:
    private float[] _packW = [];   // W (F, 4H)
    private float[] _packU = [];   // U (H, 4H)
    private float[] _packUT = [];  // Uᵀ (4H, H)
    private float[] _packWT = [];  // Wᵀ (4H, F)
    private float[] _packDz = [];  // dZ (T N, 4H), packed step by step
    // The small-layer path (LstmSequence, H ≤ 16): the saved state above with padded rows (gates and dz (T N, R) with
    // R = 16, 32 or 64, the others (·, P = R / 4)), and the parameters copied into padded layouts on every pass (Parameters
    // stay in Keras' layout: Adam and the importance methods write them in place).
    private float[] _wp = [];      // (F, R)
    private float[] _up = [];      // (H, R)
    private float[] _bp = [];      // (R)
    private float[] _utp = [];     // (R, 16) Uᵀ
    private float[] _wtp = [];     // (R, Fp) Wᵀ
    private bool _smallPass;       // which path the last Forward took

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

    /// <summary>Whether layers of at most 16 units run their whole time loop in <see cref="LstmSequence"/> (tests compare both paths).</summary>
    internal bool UseSequenceKernel { get; set; } = true;

    // From this batch size on, X W + b is computed step by step (z_t stays in cache for the recurrent product and the
    // gates); below it, one product over all steps (batch 1: each step's x_t W would stream W from L2 for one row).
    private const int StepwiseBatch = 8;

    internal override void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters, int steps, int batch)
    {
        _smallPass = UseSequenceKernel && LstmSequence.Supported(Units);
        if (_smallPass) { ForwardSmall(output, input, parameters, steps, batch); return; }
        int f = InputSize, h = Units, g = 4 * h, rows = steps * batch;
        ReadOnlySpan<float> w = parameters[..(f * g)], u = parameters.Slice(f * g, h * g), b = parameters.Slice((f + h) * g, g);
        var gates = Workspace(ref _gates, (long)rows * g);
        var cells = Workspace(ref _cells, (long)(steps + 1) * batch * h);
        var hidden = Workspace(ref _hidden, (long)(steps + 1) * batch * h);
        var cellAct = Workspace(ref _cellAct, (long)rows * h);
        var packW = Workspace(ref _packW, GemmPacked.PackedLength(f, g));
        var packU = Workspace(ref _packU, GemmPacked.PackedLength(h, g));
        cells[..(batch * h)].Clear();
        hidden[..(batch * h)].Clear();
        GemmPacked.PackBUnchecked(packW, w, g, transposed: false, f, g);
        GemmPacked.PackBUnchecked(packU, u, g, transposed: false, h, g);

        bool stepwise = batch >= StepwiseBatch;
        if (!stepwise)
        {
            BroadcastRows.Unchecked(gates, b, rows, g);
            GemmPacked.Unchecked(gates, g, input, f, 1, packW, rows, f, g);              // Z = X W + b, every step at once
        }
        for (int t = 0; t < steps; t++)
        {
            var zt = gates.Slice(t * batch * g, batch * g);
            int r = t * batch * h;
            if (stepwise)
            {
                BroadcastRows.Unchecked(zt, b, batch, g);
                GemmPacked.Unchecked(zt, g, input.Slice(t * batch * f, batch * f), f, 1, packW, batch, f, g); // Z_t = x_t W + b
            }
            if (t > 0) GemmPacked.Unchecked(zt, g, hidden.Slice(r, batch * h), h, 1, packU, batch, h, g); // Z_t += h_{t-1} U
            LstmGates.ForwardUnchecked(zt, cells.Slice(r + batch * h, batch * h), cellAct.Slice(r, batch * h),
                                       hidden.Slice(r + batch * h, batch * h), cells.Slice(r, batch * h), Activation, RecurrentActivation, batch, h);
        }
        if (ReturnSequences) hidden.Slice(batch * h, rows * h).CopyTo(output);
        else hidden.Slice(steps * batch * h, batch * h).CopyTo(output);
    }

    /// <inheritdoc/>
    /// <remarks>An empty <paramref name="dInput"/> skips dL/dX (the first layer of a training step needs none).</remarks>
    internal override void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input,
                                    ReadOnlySpan<float> parameters, int steps, int batch)
    {
        if (_smallPass) { BackwardSmall(dInput, gradients, dOutput, input, parameters, steps, batch); return; }
        int f = InputSize, h = Units, g = 4 * h, rows = steps * batch;
        ReadOnlySpan<float> w = parameters[..(f * g)], u = parameters.Slice(f * g, h * g);
        Span<float> dw = gradients[..(f * g)], du = gradients.Slice(f * g, h * g), db = gradients.Slice((f + h) * g, g);
        var dz = Workspace(ref _dz, (long)batch * g);                            // (N, 4H) dL/dz_t of the current step
        var packDz = Workspace(ref _packDz, GemmPacked.PackedLength(rows, g));  // dZ (T N, 4H), packed step by step
        var dh = Workspace(ref _dh, batch * h);
        var dc = Workspace(ref _dc, batch * h);
        var packUT = Workspace(ref _packUT, GemmPacked.PackedLength(g, h));
        GemmPacked.PackBUnchecked(packUT, u, g, transposed: true, g, h);
        var packWT = Workspace(ref _packWT, dInput.IsEmpty ? 0 : GemmPacked.PackedLength(g, f));
        if (!dInput.IsEmpty) GemmPacked.PackBUnchecked(packWT, w, g, transposed: true, g, f);
        dc.Clear();
        if (ReturnSequences) dOutput.Slice((steps - 1) * batch * h, batch * h).CopyTo(dh);
        else dOutput.CopyTo(dh);

        for (int t = steps - 1; t >= 0; t--)
        {
            // dh holds dL/dh_t: the output's own gradient plus, through h_{t+1}, dz_{t+1} Uᵀ.
            int r = t * batch * h;
            LstmGates.BackwardUnchecked(dz, dc, dh, _gates.AsSpan(t * batch * g, batch * g), _cells.AsSpan(r, batch * h),
                                        _cellAct.AsSpan(r, batch * h), Activation, RecurrentActivation, batch, h);
            // dz_t is in cache: pack it as rows t N.. of dZ for the weight gradients, and db += its column sums.
            PackedRows.Unchecked(packDz, db, dz, g, t * batch, batch, rows, g);
            if (t > 0)
            {
                if (ReturnSequences) dOutput.Slice((t - 1) * batch * h, batch * h).CopyTo(dh);
                else dh.Clear();
                GemmPacked.Unchecked(dh, h, dz, g, 1, packUT, batch, g, h);
            }
            if (!dInput.IsEmpty)
            {
                var dxt = dInput.Slice(t * batch * f, batch * f);
                dxt.Clear();
                GemmPacked.Unchecked(dxt, f, dz, g, 1, packWT, batch, g, f);             // dX_t = dz_t Wᵀ
            }
        }
        // Weight gradients over all steps at once: dW += Xᵀ dZ, dU += H_{t-1}ᵀ dZ (A read transposed through its strides).
        GemmPacked.Unchecked(dw, g, input, 1, f, packDz, f, rows, g);
        GemmPacked.Unchecked(du, g, _hidden.AsSpan(0, rows * h), 1, h, packDz, h, rows, g);
    }

    private unsafe void ForwardSmall(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters, int steps, int batch)
    {
        int f = InputSize, h = Units, rl = LstmSequence.PackedRowLength(h, batch), initial = batch * LstmSequence.RowLength(h) / 4;
        var gates = Workspace(ref _gates, LstmSequence.GatesLength(steps, batch, h));
        var cells = Workspace(ref _cells, LstmSequence.StateLength(steps + 1, batch, h));
        var hidden = Workspace(ref _hidden, LstmSequence.HiddenLength(steps, batch, h));
        var cellAct = Workspace(ref _cellAct, LstmSequence.StateLength(steps, batch, h));
        var wp = Workspace(ref _wp, f * rl);
        var up = Workspace(ref _up, h * rl);
        var bp = Workspace(ref _bp, rl);
        cells[..initial].Clear(); // c_0 = h_0 = 0 (at least N P floats in either layout)
        hidden[..initial].Clear();
        fixed (float* y = output, x = input, pr = parameters, wpp = wp, upp = up, bpp = bp, gp = gates, cp = cells, sp = cellAct, hp = hidden)
        {
            LstmSequence.PackForward(wpp, upp, bpp, pr, f, h, batch);
            LstmSequence.Forward(y, x, wpp, upp, bpp, gp, cp, sp, hp, Activation, RecurrentActivation, steps, batch, f, h, ReturnSequences);
        }
    }

    private unsafe void BackwardSmall(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input,
                                      ReadOnlySpan<float> parameters, int steps, int batch)
    {
        const int L = LstmSequence.Lanes;
        int f = InputSize, h = Units, g = 4 * h, fp = LstmSequence.PaddedInputs(f), rl = LstmSequence.RowLength(h);
        var utp = Workspace(ref _utp, Math.Max(rl * L, LstmSequence.PackedRowLength(h, batch)));
        var wtp = Workspace(ref _wtp, dInput.IsEmpty ? 0 : rl * fp);
        var dz = Workspace(ref _dz, (long)steps * batch * rl);
        var dh = Workspace(ref _dh, batch * L);
        var dc = Workspace(ref _dc, batch * L);
        dh.Clear(); dc.Clear();
        fixed (float* dx = dInput, gr = gradients, dy = dOutput, x = input, pr = parameters, utpp = utp, wtpp = wtp, dzp = dz,
               dhp = dh, dcp = dc, gp = _gates, cp = _cells, sp = _cellAct, hp = _hidden)
        {
            LstmSequence.PackBackward(utpp, dInput.IsEmpty ? null : wtpp, pr, f, h, batch);
            LstmSequence.Backward(dInput.IsEmpty ? null : dx, gr, gr + f * g, gr + (f + h) * g, dzp, dy, x, gp, cp, sp, hp, utpp, wtpp, dhp, dcp,
                                  Activation, RecurrentActivation, steps, batch, f, h, ReturnSequences);
        }
    }

    internal override Layer CloneUnbound() => new Lstm(Units, Activation, RecurrentActivation, ReturnSequences);
}
