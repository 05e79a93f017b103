using System.Numerics.Tensors;
using Engine.Kernels;
using Engine.Random;
using Engine.Threading;
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
/// the batch (<see cref="LstmGates"/>). Backward is backpropagation through time; the weight gradients and dX
/// are products over all steps after the loop.
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
    // Right operands packed for GemmPacked, rebuilt from the parameters on every pass:
    private float[] _packW = [];   // W (F, 4H)
    private float[] _packU = [];   // U (H, 4H)
    private float[] _packUT = [];  // Uᵀ (4H, H)
    private float[] _packWT = [];  // Wᵀ (4H, F)
    private float[] _packDz = [];  // dZ (T N, 4H)
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

    internal override unsafe void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters, int steps, int batch)
    {
        _smallPass = UseSequenceKernel && LstmSequence.Supported(Units);
        if (_smallPass) { ForwardSmall(output, input, parameters, steps, batch); return; }
        int h = Units, rows = steps * batch;
        Workspace(ref _gates, (long)rows * 4 * h);
        var cells = Workspace(ref _cells, (long)(steps + 1) * batch * h);
        var hidden = Workspace(ref _hidden, (long)(steps + 1) * batch * h);
        Workspace(ref _cellAct, (long)rows * h);
        cells[..(batch * h)].Clear();
        hidden[..(batch * h)].Clear();
        fixed (float* x = input, pr = parameters)
        {
            if (Parallelism.MaxThreads > 1 && (long)batch * h * 4 * h >= ThreadThreshold)
            {
                using var lease = Parallelism.Lease();
                if (_parts.Length < lease.Count) _parts = new Part[lease.Count];
                lease.Run(new ForwardJob(this, x, pr, steps, batch));
            }
            else ForwardPart(TeamMember.Alone, x, pr, steps, batch);
        }
        if (ReturnSequences) hidden.Slice(batch * h, rows * h).CopyTo(output);
        else hidden.Slice(steps * batch * h, batch * h).CopyTo(output);
    }

    /// <summary>Recurrent products (batch H 4H multiply-adds per step) from this size on split the layer's units between threads.</summary>
    internal const long ThreadThreshold = 1 << 15;

    // One member's buffers for its units' gate columns (see ForwardPart); each member allocates its own.
    private sealed class Part
    {
        public float[] W = [], U = [], Bias = [], Z = [];
    }
    private Part[] _parts = [];

    private readonly unsafe struct ForwardJob(Lstm layer, float* x, float* parameters, int steps, int batch) : ITeamWork
    {
        public void Execute(TeamMember member) => layer.ForwardPart(member, x, parameters, steps, batch);
    }

    // The forward pass for member m's units [u0, u1) of Count near-equal slices: it packs its columns of the four gate
    // blocks of W and U (its own copy: it stays in this core's cache), computes its columns of Z = X W + b for every
    // step, then per step its columns of h_{t-1} U and the gate math for its units; a barrier per step makes all of
    // h_t visible before step t+1 reads it. Each element is computed as by one thread, so results are bit-identical.
    // Alone (Count 1), Z is the saved gates buffer itself and the gate math runs over the whole batch in one call.
    private unsafe void ForwardPart(TeamMember m, float* x, float* pr, int steps, int batch)
    {
        int f = InputSize, h = Units, g = 4 * h, rows = steps * batch, bh = batch * h;
        int u0 = m.Start(h), hp = m.End(h) - u0, gp = 4 * hp;
        bool alone = m.Count == 1;
        if (hp == 0) { for (int t = 1; t < steps; t++) m.Barrier(); return; }
        ReadOnlySpan<float> input = new(x, rows * f), w = new(pr, f * g), u = new(pr + f * g, h * g), b = new(pr + (f + h) * g, g);
        Span<float> gates = _gates.AsSpan(0, rows * g), cells = _cells, hidden = _hidden, cellAct = _cellAct;
        Span<float> packW, packU, z;
        ReadOnlySpan<float> bias = b;
        if (alone)
        {
            packW = Workspace(ref _packW, GemmPacked.PackedLength(f, g));
            packU = Workspace(ref _packU, GemmPacked.PackedLength(h, g));
            z = gates;
        }
        else
        {
            var part = _parts[m.Index] ??= new Part();
            packW = Workspace(ref part.W, GemmPacked.PackedLength(f, gp));
            packU = Workspace(ref part.U, GemmPacked.PackedLength(h, gp));
            var partBias = Workspace(ref part.Bias, gp);
            for (int q = 0; q < 4; q++) b.Slice(q * h + u0, hp).CopyTo(partBias.Slice(q * hp, hp));
            bias = partBias;
            z = Workspace(ref part.Z, (long)rows * gp);
        }
        GemmPacked.PackColumnsUnchecked(packW, w, g, f, 4, h, u0, hp);
        GemmPacked.PackColumnsUnchecked(packU, u, g, h, 4, h, u0, hp);
        BroadcastRows.Unchecked(z, bias, rows, gp);
        GemmPacked.Unchecked(z, gp, input, f, 1, packW, rows, f, gp);                   // Z = X W + b, every step at once
        for (int t = 0; t < steps; t++)
        {
            var zt = z.Slice(t * batch * gp, batch * gp);
            int r = t * bh;
            if (t > 0) GemmPacked.Unchecked(zt, gp, hidden.Slice(r, bh), h, 1, packU, batch, h, gp); // Z_t += h_{t-1} U
            if (alone)
                LstmGates.ForwardUnchecked(zt, cells.Slice(r + bh, bh), cellAct.Slice(r, bh), hidden.Slice(r + bh, bh), cells.Slice(r, bh),
                                           Activation, RecurrentActivation, batch, h);
            else
            {
                for (int n = 0; n < batch; n++)
                {
                    int o = r + n * h + u0;
                    var zn = zt.Slice(n * gp, gp);
                    LstmGates.ForwardUnchecked(zn, cells.Slice(o + bh, hp), cellAct.Slice(o, hp), hidden.Slice(o + bh, hp), cells.Slice(o, hp),
                                               Activation, RecurrentActivation, 1, hp);
                    var saved = gates.Slice((t * batch + n) * g + u0);
                    for (int q = 0; q < 4; q++) zn.Slice(q * hp, hp).CopyTo(saved.Slice(q * h, hp)); // into the (T, N, 4H) layout backward reads
                }
                if (t + 1 < steps) m.Barrier();
            }
        }
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
        var dz = Workspace(ref _dz, (long)rows * g);
        var dh = Workspace(ref _dh, batch * h);
        var dc = Workspace(ref _dc, batch * h);
        var packUT = Workspace(ref _packUT, GemmPacked.PackedLength(g, h));
        GemmPacked.PackBUnchecked(packUT, u, g, transposed: true, g, h);
        dc.Clear();
        if (ReturnSequences) dOutput.Slice((steps - 1) * batch * h, batch * h).CopyTo(dh);
        else dOutput.CopyTo(dh);

        for (int t = steps - 1; t >= 0; t--)
        {
            // dh holds dL/dh_t: the output's own gradient plus, through h_{t+1}, dz_{t+1} Uᵀ.
            var dzt = dz.Slice(t * batch * g, batch * g);
            int r = t * batch * h;
            GatesBackward(dzt, dc, dh, _gates.AsSpan(t * batch * g, batch * g), _cells.AsSpan(r, batch * h),
                          _cellAct.AsSpan(r, batch * h), Activation, RecurrentActivation, batch, h);
            if (t > 0)
            {
                if (ReturnSequences) dOutput.Slice((t - 1) * batch * h, batch * h).CopyTo(dh);
                else dh.Clear();
                GemmPacked.Unchecked(dh, h, dzt, g, 1, packUT, batch, g, h);
            }
        }
        // Weight gradients over all steps at once: dW += Xᵀ dZ, dU += H_{t-1}ᵀ dZ (A read transposed through its strides).
        var packDz = Workspace(ref _packDz, GemmPacked.PackedLength(rows, g));
        GemmPacked.PackBUnchecked(packDz, dz, g, transposed: false, rows, g);
        GemmPacked.Unchecked(dw, g, input, 1, f, packDz, f, rows, g);
        GemmPacked.Unchecked(du, g, _hidden.AsSpan(0, rows * h), 1, h, packDz, h, rows, g);
        SumRows.Unchecked(db, dz, rows, g);
        if (dInput.IsEmpty) return;
        var packWT = Workspace(ref _packWT, GemmPacked.PackedLength(g, f));
        GemmPacked.PackBUnchecked(packWT, w, g, transposed: true, g, f);
        dInput.Clear();
        GemmPacked.Unchecked(dInput, f, dz, g, 1, packWT, rows, g, f);                     // dX = dZ Wᵀ
    }

    /// <summary>Gate backward steps of at least this many (row, unit) pairs split their batch rows between threads.</summary>
    internal const int RowThreadThreshold = 1 << 12;

    // LstmGates.BackwardUnchecked for one step; a large batch is split by rows between the team's members (rows are
    // independent, so results do not depend on the thread count).
    private static unsafe void GatesBackward(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev,
                                             ReadOnlySpan<float> s, Activation a, Activation r, int rows, int units)
    {
        if (rows > 1 && Parallelism.MaxThreads > 1 && rows * units >= RowThreadThreshold)
        {
            using var lease = Parallelism.Lease();
            if (lease.Count > 1)
            {
                fixed (float* dzp = dz, dcp = dc, dhp = dh, gp = gates, cp = cPrev, sp = s)
                    lease.Run(new GatesBackwardJob(dzp, dcp, dhp, gp, cp, sp, a, r, rows, units));
                return;
            }
        }
        LstmGates.BackwardUnchecked(dz, dc, dh, gates, cPrev, s, a, r, rows, units);
    }

    private readonly unsafe struct GatesBackwardJob(float* dz, float* dc, float* dh, float* gates, float* cPrev, float* s,
                                                    Activation a, Activation r, int rows, int units) : ITeamWork
    {
        public void Execute(TeamMember member)
        {
            int n0 = member.Start(rows), n = member.End(rows) - n0, h = units, g = 4 * units;
            if (n == 0) return;
            LstmGates.BackwardUnchecked(new Span<float>(dz + n0 * g, n * g), new Span<float>(dc + n0 * h, n * h), new ReadOnlySpan<float>(dh + n0 * h, n * h),
                                        new ReadOnlySpan<float>(gates + n0 * g, n * g), new ReadOnlySpan<float>(cPrev + n0 * h, n * h),
                                        new ReadOnlySpan<float>(s + n0 * h, n * h), a, r, n, units);
        }
    }

    private unsafe void ForwardSmall(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters, int steps, int batch)
    {
        const int L = LstmSequence.Lanes;
        int f = InputSize, h = Units, g = 4 * h, rows = steps * batch, rl = LstmSequence.RowLength(h), p = rl / 4;
        var gates = Workspace(ref _gates, (long)rows * rl);
        var cells = Workspace(ref _cells, (long)(steps + 1) * batch * p + L); // + L: rows are stored as whole vectors
        var hidden = Workspace(ref _hidden, (long)(steps + 1) * batch * p + L);
        var cellAct = Workspace(ref _cellAct, (long)rows * p + L);
        var wp = Workspace(ref _wp, f * rl);
        var up = Workspace(ref _up, h * rl);
        var bp = Workspace(ref _bp, rl);
        cells[..(batch * p)].Clear();
        hidden[..(batch * p)].Clear();
        fixed (float* y = output, x = input, pr = parameters, wpp = wp, upp = up, bpp = bp, gp = gates, cp = cells, sp = cellAct, hp = hidden)
        {
            LstmSequence.PackRows(wpp, pr, f, h);
            LstmSequence.PackRows(upp, pr + f * g, h, h);
            LstmSequence.PackRows(bpp, pr + (f + h) * g, 1, h);
            LstmSequence.Forward(y, x, wpp, upp, bpp, gp, cp, sp, hp, Activation, RecurrentActivation, steps, batch, f, h, ReturnSequences);
        }
    }

    private unsafe void BackwardSmall(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input,
                                      ReadOnlySpan<float> parameters, int steps, int batch)
    {
        const int L = LstmSequence.Lanes;
        int f = InputSize, h = Units, g = 4 * h, fp = LstmSequence.PaddedInputs(f), rl = LstmSequence.RowLength(h);
        var utp = Workspace(ref _utp, rl * L);
        var wtp = Workspace(ref _wtp, dInput.IsEmpty ? 0 : rl * fp);
        var dz = Workspace(ref _dz, (long)steps * batch * rl);
        var dh = Workspace(ref _dh, batch * L);
        var dc = Workspace(ref _dc, batch * L);
        dh.Clear(); dc.Clear();
        fixed (float* dx = dInput, gr = gradients, dy = dOutput, x = input, pr = parameters, utpp = utp, wtpp = wtp, dzp = dz,
               dhp = dh, dcp = dc, gp = _gates, cp = _cells, sp = _cellAct, hp = _hidden)
        {
            LstmSequence.PackTransposed(utpp, pr + f * g, h, h, L);
            if (!dInput.IsEmpty) LstmSequence.PackTransposed(wtpp, pr, f, h, fp);
            LstmSequence.Backward(dInput.IsEmpty ? null : dx, gr, gr + f * g, gr + (f + h) * g, dzp, dy, x, gp, cp, sp, hp, utpp, wtpp, dhp, dcp,
                                  Activation, RecurrentActivation, steps, batch, f, h, ReturnSequences);
        }
    }

    internal override Layer CloneUnbound() => new Lstm(Units, Activation, RecurrentActivation, ReturnSequences);
}
