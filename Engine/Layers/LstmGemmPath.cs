using Engine.Kernels;
using Engine.Threading;

namespace Engine.Layers;

/// <summary>
/// The general path of an <see cref="Lstm"/> layer, any size: the input projection X W + b as one product over all
/// steps
/// for small batches, or step by step from <see cref="StepwiseBatch"/> on; only h U inside the time loop, against a
/// copy
/// of U packed once per pass (<see cref="GemmPacked"/>); the gate math of a step one fused kernel over the batch
/// (<see cref="LstmGates"/>). Large layers split their units between threads in the forward pass
/// (<see cref="LstmUnitSplit"/>, which writes this path's saved state). Backward is backpropagation through time: each
/// step's dz_t is packed into dZ (and summed into db) while in cache and gives dX_t = dz_t Wᵀ at once; dW and dU are
/// products over all steps after the loop.
/// </summary>
internal sealed class LstmGemmPath(Lstm layer) : ILstmPath
{
    // Forward saves, per step t (time-major rows t*N + n); LstmUnitSplit writes them too. What a pass keeps
    // (RecurrentLayout): all steps' blocks when backward may follow (cells and hidden also when State may), else
    // scratch (a single step's gates and a(c), two alternating blocks of c and h, h_t straight into the output).
    internal float[] Gates = [];   // (T, N, 4H) activated gates i, f, g, o
    internal float[] Cells = [];   // (T+1, N, H) c_t, with c_0 = 0 in block 0
    internal float[] Hidden = [];  // (T+1, N, H) h_t, with h_0 = 0 in block 0
    internal float[] CellAct = []; // (T, N, H) a(c_t)
    private ForwardMode _mode;     // the last forward pass's
    // Backward scratch:
    private float[] _dz = [];      // (N, 4H) dL/dz_t of one step
    private float[] _dh = [];      // (N, H) total gradient into h_t
    private float[] _dc = [];      // (N, H) gradient into c_t
    // Right operands packed for GemmPacked, rebuilt from the parameters on every pass:
    private float[] _packW = [];   // W (F, 4H)
    private float[] _packU = [];   // U (H, 4H)
    private float[] _packUT = [];  // Uᵀ (4H, H)
    private float[] _packWT = [];  // Wᵀ (4H, F)
    private float[] _packDz = [];  // dZ of steps 1.. ((T-1) N, 4H), packed step by step
    private float[] _packDz0 = []; // dZ of step 0 (N, 4H), packed
    // The team members' scratch of the running pass split by units (LstmUnitSplit), grown once.
    internal LstmUnitSplit.Part[] Parts = [];

    /// <summary>The layer this path runs.</summary>
    internal Lstm Owner => layer;

    // From this batch size on, X W + b is computed step by step (z_t stays in cache for the recurrent product and the
    // gates); below it, one product over all steps (batch 1: each step's x_t W would stream W from L2 for one row).
    internal const int StepwiseBatch = 8;

    /// <summary>h_t then c_t (N, H each) after step <paramref name="step"/> of the last forward pass.</summary>
    public void State(Span<float> state, int batch, int step)
    {
        if (!_mode.KeepsStates()) throw new InvalidOperationException("the last forward pass kept no states");
        int bh = batch * layer.Units;
        Hidden.AsSpan((step + 1) * bh, bh).CopyTo(state);
        Cells.AsSpan((step + 1) * bh, bh).CopyTo(state[bh..]);
    }

    // A forward pass from h_0 = c_0 = 0 (state empty) or from a saved state (h then c, (N, H) each).
    public unsafe void ForwardFrom(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> state,
                                   ReadOnlySpan<float> parameters, int batch, int steps, ForwardMode mode)
    {
        int h = layer.Units, rows = steps * batch;
        var layout = RecurrentLayout.Of(mode, layer.ReturnSequences);
        _mode = mode;
        // gates of every step also when X W + b is one product over all of them (batches below StepwiseBatch)
        Layer.Workspace(ref Gates, (long)(layout.AllSteps || batch < StepwiseBatch ? rows : batch) * 4 * h);
        var cells = Layer.Workspace(ref Cells, (long)(layout.AllStates ? steps + 1 : 2) * batch * h);
        var hidden = Layer.Workspace(ref Hidden,
                                     (long)(layout.AllStates ? steps + 1 : layout.Direct ? 1 : 2) * batch * h);
        Layer.Workspace(ref CellAct, (long)(layout.AllSteps ? rows : batch) * h);
        bool resumed = !state.IsEmpty;
        if (resumed)
        {
            state[..(batch * h)].CopyTo(hidden);
            state.Slice(batch * h, batch * h).CopyTo(cells);
        }
        else
        {
            cells[..(batch * h)].Clear();
            hidden[..(batch * h)].Clear();
        }
        bool split;
        fixed (float* x = input, pr = parameters, y = output)
        {
            split = LstmUnitSplit.TryForward(this, x, pr, y, steps, batch, resumed, layout);
            if (!split) ForwardAlone(x, pr, y, steps, batch, resumed, layout);
        }
        if (layout.Direct || split && !layout.AllStates) return; // the output is written
        if (layer.ReturnSequences) hidden.Slice(batch * h, rows * h).CopyTo(output);
        else hidden.Slice(RecurrentLayout.Block(steps, batch * h, layout.AllStates), batch * h).CopyTo(output);
    }

    // The forward pass on one thread: Z = X W + b for every step into the saved gates (or x_t W + b step by step), then
    // per step Z_t += h_{t-1} U (from step 1, or from step 0 when resumed from a state in block 0) and the gate math
    // over the batch; the blocks where the layout puts them (y: the output, h_t's rows when Direct).
    internal unsafe void ForwardAlone(float* x, float* pr, float* y, int steps, int batch, bool resumed,
                                      RecurrentLayout layout)
    {
        int f = layer.InputSize, h = layer.Units, g = 4 * h, rows = steps * batch, bh = batch * h;
        ReadOnlySpan<float> input = new(x, rows * f), w = new(pr, f * g), u = new(pr + f * g, h * g),
        b = new(pr + (f + h) * g, g);
        bool stepwise = batch >= StepwiseBatch, allGates = layout.AllSteps || !stepwise, all = layout.AllStates;
        Span<float> gates = Gates.AsSpan(0, (allGates ? rows : batch) * g), cells = Cells, hidden = Hidden,
        cellAct = CellAct, output = new(y, (layer.ReturnSequences ? rows : batch) * h);

        var packW = Layer.Workspace(ref _packW, GemmPacked.PackedLength(f, g));
        var packU = Layer.Workspace(ref _packU, GemmPacked.PackedLength(h, g));
        GemmPacked.PackBUnchecked(packW, w, g, transposed: false, f, g);
        GemmPacked.PackBUnchecked(packU, u, g, transposed: false, h, g);
        if (!stepwise)
        {
            BroadcastRows.Unchecked(gates, b, rows, g);
            // Z = X W + b, every step at once
            GemmPacked.Unchecked(gates, g, input, f, 1, packW, rows, f, g);
        }
        for (int t = 0; t < steps; t++)
        {
            var zt = gates.Slice((allGates ? t : 0) * batch * g, batch * g);
            if (stepwise)
            {
                BroadcastRows.Unchecked(zt, b, batch, g);
                // Z_t = x_t W + b
                GemmPacked.Unchecked(zt, g, input.Slice(t * batch * f, batch * f), f, 1, packW, batch, f, g);
            }
            if (t > 0 || resumed) // += h U
                GemmPacked.Unchecked(zt, g, layout.Hidden(hidden, output, t - 1, bh), h, 1, packU, batch, h, g);
            LstmGates.ForwardUnchecked(zt, cells.Slice(RecurrentLayout.Block(t + 1, bh, all), bh),
                                       cellAct.Slice(layout.AllSteps ? t * bh : 0, bh),
                                       layout.Hidden(hidden, output, t, bh),
                                       cells.Slice(RecurrentLayout.Block(t, bh, all), bh),
                                       layer.Activation, layer.RecurrentActivation, batch, h);
        }
    }

    /// <remarks>An empty <paramref name="dInput"/> skips dL/dX (the first layer of a training step needs
    /// none).</remarks>
    public void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput,
                         ReadOnlySpan<float> input,
                         ReadOnlySpan<float> parameters, int batch, int steps)
    {
        if (!_mode.KeepsBackward())
            throw new InvalidOperationException("the last forward pass kept nothing for Backward");
        int f = layer.InputSize, h = layer.Units, g = 4 * h, rows = steps * batch;
        ReadOnlySpan<float> w = parameters[..(f * g)], u = parameters.Slice(f * g, h * g);
        bool weights = !gradients.IsEmpty; // empty: an input-gradient pass
        Span<float> dw = weights ? gradients[..(f * g)] : [], du = weights ? gradients.Slice(f * g, h * g) : [],
        db = weights ? gradients.Slice((f + h) * g, g) : [];
        // (N, 4H) dL/dz_t of the current step
        var dz = Layer.Workspace(ref _dz, (long)batch * g);
        // dZ packed step by step, steps 1.. and step 0 apart: dU needs no step 0 (h_{-1} = 0), dW needs all steps.
        int later = rows - batch;
        // dZ_{1..} ((T-1) N, 4H)
        var packDz = Layer.Workspace(ref _packDz, later == 0 || !weights ? 0 : GemmPacked.PackedLength(later, g));
        var packDz0 = Layer.Workspace(ref _packDz0, weights ? GemmPacked.PackedLength(batch, g) : 0);    // dZ_0 (N, 4H)
        var dh = Layer.Workspace(ref _dh, batch * h);
        var dc = Layer.Workspace(ref _dc, batch * h);
        var packUT = Layer.Workspace(ref _packUT, GemmPacked.PackedLength(g, h));
        GemmPacked.PackBUnchecked(packUT, u, g, transposed: true, g, h);
        var packWT = Layer.Workspace(ref _packWT, dInput.IsEmpty ? 0 : GemmPacked.PackedLength(g, f));
        if (!dInput.IsEmpty) GemmPacked.PackBUnchecked(packWT, w, g, transposed: true, g, f);
        dc.Clear();
        if (layer.ReturnSequences) dOutput.Slice((steps - 1) * batch * h, batch * h).CopyTo(dh);
        else dOutput.CopyTo(dh);

        for (int t = steps - 1; t >= 0; t--)
        {
            // dh holds dL/dh_t: the output's own gradient plus, through h_{t+1}, dz_{t+1} Uᵀ.
            int r = t * batch * h;
            GatesBackward(dz, dc, dh, Gates.AsSpan(t * batch * g, batch * g), Cells.AsSpan(r, batch * h),
                          CellAct.AsSpan(r, batch * h), layer.Activation, layer.RecurrentActivation, batch, h);
            // dz_t is in cache: pack it as rows t N.. of dZ for the weight gradients, and db += its column sums.
            if (!weights) { }
            else if (t > 0) PackedRows.Unchecked(packDz, db, dz, g, (t - 1) * batch, batch, later, g);
            else PackedRows.Unchecked(packDz0, db, dz, g, 0, batch, batch, g);
            if (t > 0)
            {
                if (layer.ReturnSequences) dOutput.Slice((t - 1) * batch * h, batch * h).CopyTo(dh);
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
        // Weight gradients over all steps at once (A read transposed through its strides): dW += X_0ᵀ dZ_0 + X_{1..}ᵀ
        // dZ_{1..},
        // dU += H_{t-1}ᵀ dZ over t ≥ 1 (hidden block t holds h_{t-1}).
        if (!weights) return;
        GemmPacked.Unchecked(dw, g, input, 1, f, packDz0, f, batch, g);
        if (later == 0) return;
        GemmPacked.Unchecked(dw, g, input[(batch * f)..], 1, f, packDz, f, later, g);
        GemmPacked.Unchecked(du, g, Hidden.AsSpan(batch * h, later * h), 1, h, packDz, h, later, g);
    }

    /// <summary>Gate backward steps of at least this many (row, unit) pairs split their batch rows between
    /// threads.</summary>
    internal const int RowThreadThreshold = 1 << 12;

    // LstmGates.BackwardUnchecked for one step; a large batch is split by rows between the team's members (rows are
    // independent, so results do not depend on the thread count).
    private static unsafe void GatesBackward(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh,
                                             ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev,
                                             ReadOnlySpan<float> s, Activation a, Activation r, int rows, int units)
    {
        if (rows > 1 && Parallelism.MaxThreads > 1 && rows * units >= RowThreadThreshold)
            fixed (float* dzp = dz, dcp = dc, dhp = dh, gp = gates, cp = cPrev, sp = s)
                if (Parallelism.TryRun(new GatesBackwardJob(dzp, dcp, dhp, gp, cp, sp, a, r, rows, units))) return;
        LstmGates.BackwardUnchecked(dz, dc, dh, gates, cPrev, s, a, r, rows, units);
    }

    private readonly unsafe struct GatesBackwardJob(float* dz, float* dc, float* dh, float* gates, float* cPrev,
                                                    float* s,
                                                    Activation a, Activation r, int rows, int units) : ITeamWork
    {
        public void Execute(TeamMember member)
        {
            int n0 = member.Start(rows), n = member.End(rows) - n0, h = units, g = 4 * units;
            if (n == 0) return;
            LstmGates.BackwardUnchecked(new Span<float>(dz + n0 * g, n * g), new Span<float>(dc + n0 * h, n * h),
                                        new ReadOnlySpan<float>(dh + n0 * h, n * h),
                                        new ReadOnlySpan<float>(gates + n0 * g, n * g),
                                        new ReadOnlySpan<float>(cPrev + n0 * h, n * h),
                                        new ReadOnlySpan<float>(s + n0 * h, n * h), a, r, n, units);
        }
    }
}
