using System.Numerics.Tensors;
using System.Text.Json.Nodes;
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
    private float[] _packDz = [];  // dZ of steps 1.. ((T-1) N, 4H), packed step by step
    private float[] _packDz0 = []; // dZ of step 0 (N, 4H), packed
    // The small-layer path (LstmSequence, H ≤ 16): the saved state above with padded rows (gates and dz (T N, R) with
    // R = 16, 32 or 64, the others (·, P = R / 4)), and the parameters copied into padded layouts on every pass (Parameters
    // stay in Keras' layout: Adam and the importance methods write them in place).
    private float[] _wp = [];      // (F, R)
    private float[] _up = [];      // (H, R)
    private float[] _bp = [];      // (R)
    private float[] _utp = [];     // (R, 16) Uᵀ
    private float[] _wtp = [];     // (R, Fp) Wᵀ
    private bool _smallPass;       // which path the last Forward took
    private int _packedInputs = -1; // the input width _utp and _wtp were laid out for (-1: not yet)

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

    public override bool RequiresSequence => true;

    /// <summary>The kernel's gate blocks, in Keras' order.</summary>
    public override IReadOnlyList<string> InputGates => ["i", "f", "c", "o"];

    /// <summary>The candidate block c: g = a(x W^c + h U^c + b^c) carries the input's value into the cell.</summary>
    public override int ValueGate => 2;

    /// <summary>Gate block (F, H) of the kernel W (F, 4H).</summary>
    public override double[,] InputWeights(ReadOnlySpan<float> parameters, int gate, bool absolute) =>
        KernelBlock(parameters[..(InputSize * 4 * Units)], InputSize, Units, 4, gate, absolute);

    public override void WriteConfig(JsonObject config)
    {
        config["units"] = Units;
        config["activation"] = Activation.Name();
        config["recurrent_activation"] = RecurrentActivation.Name();
        config["return_sequences"] = ReturnSequences;
    }

    /// <summary>Reads <c>units</c>, <c>activation</c> (default tanh), <c>recurrent_activation</c> (default sigmoid), <c>return_sequences</c> (default false).</summary>
    public static Lstm FromConfig(LayerConfig config) =>
        new(config.Units(), config.Activation("activation", Activation.Tanh), config.Activation("recurrent_activation", Activation.Sigmoid),
            config.Bool("return_sequences", false));

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

    internal override unsafe void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters, int batch, int steps,
                                          bool training)
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

    // One member's scratch for its units (see ForwardPart): per thread, shared by every layer that thread runs (a layer
    // reads it only inside its forward pass). The layer's _parts lists the members' scratch for the running pass.
    private sealed class Part
    {
        public float[] W = [], U = [], Bias = [], Z = [], C = [], S = [], H = [], A = [];
    }
    [ThreadStatic] private static Part? t_part;
    private Part[] _parts = [];

    private readonly unsafe struct ForwardJob(Lstm layer, float* x, float* parameters, int steps, int batch) : ITeamWork
    {
        public void Execute(TeamMember member) => layer.ForwardPart(member, x, parameters, steps, batch);
    }

    // The forward pass for member m's units [u0, u0 + hp) of Count near-equal slices. Alone (Count 1) it is the plain
    // pass: Z = X W + b for every step into the saved gates, then per step Z_t += h_{t-1} U and the gate math over the
    // batch. In a team each member packs its columns of the four gate blocks of W and U (its own copy, which stays in
    // its core's cache), computes its columns of Z for every step, then per step its columns of h_{t-1} U and the gate
    // math for its units, all into its own scratch: writes to cache lines the other members also write would bounce
    // between the cores on every step. A barrier per step publishes h_t; each member then gathers the whole h_t row
    // from the others' scratch. After the last step the members copy the saved state (gates, c, a(c), h), a share of the
    // rows each, into the layer's (T, N, ·) layouts. Every element is computed as on one thread: bit-identical results.
    private unsafe void ForwardPart(TeamMember m, float* x, float* pr, int steps, int batch)
    {
        int f = InputSize, h = Units, g = 4 * h, rows = steps * batch, bh = batch * h;
        int u0 = m.Start(h), hp = m.End(h) - u0, gp = 4 * hp;
        ReadOnlySpan<float> input = new(x, rows * f), w = new(pr, f * g), u = new(pr + f * g, h * g), b = new(pr + (f + h) * g, g);
        Span<float> gates = _gates.AsSpan(0, rows * g), cells = _cells, hidden = _hidden, cellAct = _cellAct;
        bool stepwise = batch >= StepwiseBatch;
        if (m.Count == 1)
        {
            var packW = Workspace(ref _packW, GemmPacked.PackedLength(f, g));
            var packU = Workspace(ref _packU, GemmPacked.PackedLength(h, g));
            GemmPacked.PackBUnchecked(packW, w, g, transposed: false, f, g);
            GemmPacked.PackBUnchecked(packU, u, g, transposed: false, h, g);
            if (!stepwise)
            {
                BroadcastRows.Unchecked(gates, b, rows, g);
                GemmPacked.Unchecked(gates, g, input, f, 1, packW, rows, f, g);              // Z = X W + b, every step at once
            }
            for (int t = 0; t < steps; t++)
            {
                var zt = gates.Slice(t * batch * g, batch * g);
                int r = t * bh;
                if (stepwise)
                {
                    BroadcastRows.Unchecked(zt, b, batch, g);
                    GemmPacked.Unchecked(zt, g, input.Slice(t * batch * f, batch * f), f, 1, packW, batch, f, g); // Z_t = x_t W + b
                }
                if (t > 0) GemmPacked.Unchecked(zt, g, hidden.Slice(r, bh), h, 1, packU, batch, h, g); // Z_t += h_{t-1} U
                LstmGates.ForwardUnchecked(zt, cells.Slice(r + bh, bh), cellAct.Slice(r, bh), hidden.Slice(r + bh, bh), cells.Slice(r, bh),
                                           Activation, RecurrentActivation, batch, h);
            }
            return;
        }
        var part = _parts[m.Index] = t_part ??= new Part();
        int bp = batch * hp;
        var z = Workspace(ref part.Z, (long)rows * gp);                  // (T N, 4 hp) this member's gate columns
        var c = Workspace(ref part.C, (long)(steps + 1) * bp);           // ((T+1) N, hp) c_t, block 0 = c_0 = 0
        var s = Workspace(ref part.S, (long)rows * hp);                  // (T N, hp) a(c_t)
        var hs = Workspace(ref part.H, (long)(steps + 1) * bp);          // ((T+1) N, hp) h_t, block 0 = h_0 = 0
        var hRow = Workspace(ref part.A, bh);                            // (N, H) h_{t-1} gathered from every member
        if (hp > 0)
        {
            var packW = Workspace(ref part.W, GemmPacked.PackedLength(f, gp));
            var packU = Workspace(ref part.U, GemmPacked.PackedLength(h, gp));
            var bias = Workspace(ref part.Bias, gp);
            for (int q = 0; q < 4; q++) b.Slice(q * h + u0, hp).CopyTo(bias.Slice(q * hp, hp));
            c[..bp].Clear();
            hs[..bp].Clear();
            GemmPacked.PackColumnsUnchecked(packW, w, g, f, 4, h, u0, hp);
            GemmPacked.PackColumnsUnchecked(packU, u, g, h, 4, h, u0, hp);
            if (!stepwise)
            {
                BroadcastRows.Unchecked(z, bias, rows, gp);
                GemmPacked.Unchecked(z, gp, input, f, 1, packW, rows, f, gp);
            }
        }
        for (int t = 0; t < steps; t++)
        {
            if (hp > 0)
            {
                var zt = z.Slice(t * batch * gp, batch * gp);
                if (stepwise)
                {
                    BroadcastRows.Unchecked(zt, part.Bias.AsSpan(0, gp), batch, gp);
                    GemmPacked.Unchecked(zt, gp, input.Slice(t * batch * f, batch * f), f, 1, part.W, batch, f, gp);
                }
                if (t > 0)
                {
                    for (int q = 0; q < m.Count; q++) Gather(hRow, _parts[q].H, t, batch, h, new TeamMember(q, m.Count, null));
                    GemmPacked.Unchecked(zt, gp, hRow, h, 1, part.U, batch, h, gp);
                }
                LstmGates.ForwardUnchecked(zt, c.Slice((t + 1) * bp, bp), s.Slice(t * bp, bp), hs.Slice((t + 1) * bp, bp), c.Slice(t * bp, bp),
                                           Activation, RecurrentActivation, batch, hp);
            }
            m.Barrier(); // h_t published (after the last step: every member's state complete)
        }
        // Member m copies rows [r0, r1) of the saved state from every member's scratch.
        int r0 = m.Start(rows), r1 = m.End(rows);
        for (int q = 0; q < m.Count; q++)
        {
            var other = _parts[q];
            var mq = new TeamMember(q, m.Count, null);
            int v0 = mq.Start(h), vp = mq.End(h) - v0;
            if (vp == 0) continue;
            for (int row = r0; row < r1; row++)
            {
                for (int gate = 0; gate < 4; gate++) other.Z.AsSpan(row * 4 * vp + gate * vp, vp).CopyTo(gates.Slice(row * g + gate * h + v0, vp));
                other.C.AsSpan((row + batch) * vp, vp).CopyTo(cells.Slice((row + batch) * h + v0, vp));
                other.S.AsSpan(row * vp, vp).CopyTo(cellAct.Slice(row * h + v0, vp));
                other.H.AsSpan((row + batch) * vp, vp).CopyTo(hidden.Slice((row + batch) * h + v0, vp));
            }
        }
    }

    // hRow (N, H) gets member q's units of h_{t-1} (block t of its scratch).
    private static void Gather(Span<float> hRow, float[] hq, int t, int batch, int h, TeamMember q)
    {
        int v0 = q.Start(h), vp = q.End(h) - v0;
        if (vp == 0) return;
        for (int n = 0; n < batch; n++) hq.AsSpan((t * batch + n) * vp, vp).CopyTo(hRow.Slice(n * h + v0, vp));
    }

    /// <inheritdoc/>
    /// <remarks>An empty <paramref name="dInput"/> skips dL/dX (the first layer of a training step needs none).</remarks>
    internal override void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input,
                                    ReadOnlySpan<float> parameters, int batch, int steps)
    {
        if (_smallPass) { BackwardSmall(dInput, gradients, dOutput, input, parameters, steps, batch); return; }
        int f = InputSize, h = Units, g = 4 * h, rows = steps * batch;
        ReadOnlySpan<float> w = parameters[..(f * g)], u = parameters.Slice(f * g, h * g);
        Span<float> dw = gradients[..(f * g)], du = gradients.Slice(f * g, h * g), db = gradients.Slice((f + h) * g, g);
        var dz = Workspace(ref _dz, (long)batch * g);                            // (N, 4H) dL/dz_t of the current step
        // dZ packed step by step, steps 1.. and step 0 apart: dU needs no step 0 (h_{-1} = 0), dW needs all steps.
        int later = rows - batch;
        var packDz = Workspace(ref _packDz, later == 0 ? 0 : GemmPacked.PackedLength(later, g)); // dZ_{1..} ((T-1) N, 4H)
        var packDz0 = Workspace(ref _packDz0, GemmPacked.PackedLength(batch, g));                  // dZ_0 (N, 4H)
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
            GatesBackward(dz, dc, dh, _gates.AsSpan(t * batch * g, batch * g), _cells.AsSpan(r, batch * h),
                          _cellAct.AsSpan(r, batch * h), Activation, RecurrentActivation, batch, h);
            // dz_t is in cache: pack it as rows t N.. of dZ for the weight gradients, and db += its column sums.
            if (t > 0) PackedRows.Unchecked(packDz, db, dz, g, (t - 1) * batch, batch, later, g);
            else PackedRows.Unchecked(packDz0, db, dz, g, 0, batch, batch, g);
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
        // Weight gradients over all steps at once (A read transposed through its strides): dW += X_0ᵀ dZ_0 + X_{1..}ᵀ dZ_{1..},
        // dU += H_{t-1}ᵀ dZ over t ≥ 1 (hidden block t holds h_{t-1}).
        GemmPacked.Unchecked(dw, g, input, 1, f, packDz0, f, batch, g);
        if (later == 0) return;
        GemmPacked.Unchecked(dw, g, input[(batch * f)..], 1, f, packDz, f, later, g);
        GemmPacked.Unchecked(du, g, _hidden.AsSpan(batch * h, later * h), 1, h, packDz, h, later, g);
    }

    /// <summary>Gate backward steps of at least this many (row, unit) pairs split their batch rows between threads.</summary>
    internal const int RowThreadThreshold = 1 << 12;

    // LstmGates.BackwardUnchecked for one step; a large batch is split by rows between the team's members (rows are
    // independent, so results do not depend on the thread count).
    private static unsafe void GatesBackward(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev,
                                             ReadOnlySpan<float> s, Activation a, Activation r, int rows, int units)
    {
        if (rows > 1 && Parallelism.MaxThreads > 1 && rows * units >= RowThreadThreshold)
            fixed (float* dzp = dz, dcp = dc, dhp = dh, gp = gates, cp = cPrev, sp = s)
                if (Parallelism.TryRun(new GatesBackwardJob(dzp, dcp, dhp, gp, cp, sp, a, r, rows, units))) return;
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
        var dz = Workspace(ref _dz, LstmSequence.DzLength(steps, batch, h));
        var dh = Workspace(ref _dh, batch * L);
        var dc = Workspace(ref _dc, batch * L);
        dh.Clear(); dc.Clear();
        fixed (float* dx = dInput, gr = gradients, dy = dOutput, x = input, pr = parameters, utpp = utp, wtpp = wtp, dzp = dz,
               dhp = dh, dcp = dc, gp = _gates, cp = _cells, sp = _cellAct, hp = _hidden)
        {
            // The zeros of the transposed copies are written once per layout: grown workspaces start zeroed, and only a layer bound
            // again (another input width) finds other values there.
            LstmSequence.PackBackward(utpp, dInput.IsEmpty ? null : wtpp, pr, f, h, batch, clear: _packedInputs != f);
            _packedInputs = f;
            LstmSequence.Backward(dInput.IsEmpty ? null : dx, gr, gr + f * g, gr + (f + h) * g, dzp, dy, x, gp, cp, sp, hp, utpp, wtpp, dhp, dcp,
                                  Activation, RecurrentActivation, steps, batch, f, h, ReturnSequences);
        }
    }

    internal override Layer CloneUnbound() => new Lstm(Units, Activation, RecurrentActivation, ReturnSequences);
}
