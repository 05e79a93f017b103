using Engine.Kernels;
using Engine.Threading;

namespace Engine.Layers;

/// <summary>
/// The forward pass of a large <see cref="Lstm"/> layer split by units between the threads of the shared
/// <see cref="WorkerTeam"/> (W3: one series, 256 units): member m computes units [u0, u0 + hp) of Count near-equal
/// slices. Each member packs its columns of the four gate blocks of W and U (its own copy, which stays in its core's
/// cache), computes its columns of Z for every step, then per step its columns of h_{t-1} U and the gate math for its
/// units, all into its own scratch: writes to cache lines the other members also write would bounce between the cores
/// on every step. A barrier per step publishes h_t; each member then gathers the whole h_t row from the others'
/// scratch. What the members keep follows the pass's <see cref="RecurrentLayout"/>: when backward may follow, every
/// step's gates, c, a(c) and h, which after the last step they copy, a share of the rows each, into the
/// <see cref="LstmGemmPath"/>'s (T, N, ·) layouts, so its backward pass is the same (only c and h when just the states
/// are kept); when nothing is kept, one step's gates and a(c) and two alternating blocks of c and h, and each member
/// copies its share of the rows of every h_t (or of the last) straight into the output. Every element is computed as
/// on one thread: bit-identical results.
/// </summary>
internal static class LstmUnitSplit
{
    /// <summary>Recurrent products (batch H 4H multiply-adds per step) from this size on split the layer's units
    /// between threads.</summary>
    internal const long ThreadThreshold = 1 << 15;

    /// <summary>
    /// One member's scratch for its units: per thread, shared by every layer that thread runs (a layer reads it only
    /// inside its forward pass). A pass lists its members' scratch in <see cref="LstmGemmPath.Parts"/>.
    /// </summary>
    internal sealed class Part
    {
        public float[] W = [], U = [], Bias = [], Z = [], C = [], S = [], H = [], A = [];
    }
    [ThreadStatic] private static Part? t_part;

    /// <summary>Runs the forward pass split by units when threads are allowed, the team is free and the layer is large
    /// enough; false when not. When the layout keeps no states the members write the output themselves (every step's
    /// h, or the last).</summary>
    public static unsafe bool TryForward(LstmGemmPath path, float* x, float* pr, float* y, int steps, int batch,
                                         bool resumed, RecurrentLayout layout)
    {
        long h = path.Owner.Units;
        if (Parallelism.MaxThreads <= 1 || batch * h * 4 * h < ThreadThreshold) return false;
        using var lease = Parallelism.Lease();
        if (lease.Count == 1) return false;
        if (path.Parts.Length < lease.Count) path.Parts = new Part[lease.Count];
        lease.Run(new ForwardJob(path, path.Parts, x, pr, y, steps, batch, resumed, layout));
        return true;
    }

    private readonly unsafe struct ForwardJob(LstmGemmPath path, Part[] parts, float* x, float* parameters, float* y,
                                              int steps, int batch, bool resumed, RecurrentLayout layout)
        : ITeamWork
    {
        public void Execute(TeamMember member) =>
            ForwardPart(path, parts, member, x, parameters, y, steps, batch, resumed, layout);
    }

    // Resumed: block 0 of the path's Hidden and Cells holds the state (written before the pass); step 0 then reads
    // h_0 from there and each member takes its units of c_0. The member's blocks follow the layout: every step's, or
    // one step's gates and a(c) and two alternating blocks of c and h.
    private static unsafe void ForwardPart(LstmGemmPath path, Part[] parts, TeamMember m, float* x, float* pr,
                                           float* y, int steps, int batch, bool resumed, RecurrentLayout layout)
    {
        var layer = path.Owner;
        int f = layer.InputSize, h = layer.Units, g = 4 * h, rows = steps * batch, bh = batch * h;
        int u0 = m.Start(h), hp = m.End(h) - u0, gp = 4 * hp;
        ReadOnlySpan<float> input = new(x, rows * f), w = new(pr, f * g), u = new(pr + f * g, h * g),
        b = new(pr + (f + h) * g, g);
        Span<float> gates = path.Gates, cells = path.Cells, hidden = path.Hidden, cellAct = path.CellAct,
        output = new(y, (layer.ReturnSequences ? rows : batch) * h);
        bool stepwise = batch >= LstmGemmPath.StepwiseBatch, allZ = layout.AllSteps || !stepwise,
        all = layout.AllStates;
        var part = parts[m.Index] = t_part ??= new Part();
        int bp = batch * hp, n0 = m.Start(batch), n1 = m.End(batch); // this member's share of the output's rows
        var z = Layer.Workspace(ref part.Z, (long)(allZ ? rows : batch) * gp);      // (T N, 4 hp) gate columns
        var c = Layer.Workspace(ref part.C, (long)(all ? steps + 1 : 2) * bp);      // ((T+1) N, hp) c_t, c_0 first
        var s = Layer.Workspace(ref part.S, (long)(layout.AllSteps ? rows : batch) * hp); // (T N, hp) a(c_t)
        var hs = Layer.Workspace(ref part.H, (long)(all ? steps + 1 : 2) * bp);     // ((T+1) N, hp) h_t, h_0 first
        // (N, H) h_{t-1} gathered from every member
        var hRow = Layer.Workspace(ref part.A, bh);
        if (hp > 0)
        {
            var packW = Layer.Workspace(ref part.W, GemmPacked.PackedLength(f, gp));
            var packU = Layer.Workspace(ref part.U, GemmPacked.PackedLength(h, gp));
            var bias = Layer.Workspace(ref part.Bias, gp);
            for (int q = 0; q < 4; q++) b.Slice(q * h + u0, hp).CopyTo(bias.Slice(q * hp, hp));
            c[..bp].Clear();
            hs[..bp].Clear();
            for (int n = 0; n < batch && resumed; n++) cells.Slice(n * h + u0, hp).CopyTo(c.Slice(n * hp, hp));
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
            // h_{t-1} is complete in every member's block t: this member's rows of it into the output
            if (layout.Direct && t > 0)
                for (int q = 0; q < m.Count; q++)
                    Gather(output.Slice((t - 1) * bh, bh), parts[q].H, t, all, batch, n0, n1, h, Of(q, m));
            if (hp > 0)
            {
                var zt = z.Slice((allZ ? t : 0) * batch * gp, batch * gp);
                if (stepwise)
                {
                    BroadcastRows.Unchecked(zt, part.Bias.AsSpan(0, gp), batch, gp);
                    GemmPacked.Unchecked(zt, gp, input.Slice(t * batch * f, batch * f), f, 1, part.W, batch, f, gp);
                }
                if (t > 0)
                    for (int q = 0; q < m.Count; q++) Gather(hRow, parts[q].H, t, all, batch, 0, batch, h, Of(q, m));
                else if (resumed) hidden[..bh].CopyTo(hRow);
                if (t > 0 || resumed) GemmPacked.Unchecked(zt, gp, hRow, h, 1, part.U, batch, h, gp);
                LstmGates.ForwardUnchecked(zt, c.Slice(RecurrentLayout.Block(t + 1, bp, all), bp),
                                           s.Slice(layout.AllSteps ? t * bp : 0, bp),
                                           hs.Slice(RecurrentLayout.Block(t + 1, bp, all), bp),
                                           c.Slice(RecurrentLayout.Block(t, bp, all), bp),
                                           layer.Activation, layer.RecurrentActivation, batch, hp);
            }
            m.Barrier(); // h_t published (after the last step: every member's state complete)
        }
        if (!all)
        {
            // Keeping no states: this member's rows of the last h into the output (its last step, or all of it).
            var last = output.Slice(layer.ReturnSequences ? (steps - 1) * bh : 0, bh);
            for (int q = 0; q < m.Count; q++) Gather(last, parts[q].H, steps, all, batch, n0, n1, h, Of(q, m));
            return;
        }
        // Member m copies rows [r0, r1) of the saved state from every member's scratch: c and h, and when backward may
        // follow the gates and a(c) too.
        int r0 = m.Start(rows), r1 = m.End(rows);
        for (int q = 0; q < m.Count; q++)
        {
            var other = parts[q];
            var mq = Of(q, m);
            int v0 = mq.Start(h), vp = mq.End(h) - v0;
            if (vp == 0) continue;
            for (int row = r0; row < r1; row++)
            {
                if (layout.AllSteps)
                {
                    for (int gate = 0; gate < 4; gate++)
                        other.Z.AsSpan(row * 4 * vp + gate * vp, vp).CopyTo(gates.Slice(row * g + gate * h + v0, vp));
                    other.S.AsSpan(row * vp, vp).CopyTo(cellAct.Slice(row * h + v0, vp));
                }
                other.C.AsSpan((row + batch) * vp, vp).CopyTo(cells.Slice((row + batch) * h + v0, vp));
                other.H.AsSpan((row + batch) * vp, vp).CopyTo(hidden.Slice((row + batch) * h + v0, vp));
            }
        }
    }

    private static TeamMember Of(int q, TeamMember m) => new(q, m.Count, null);

    // Rows [n0, n1) of dst (N, H) get member q's units of h_{j-1}: block j of its scratch (of every step's blocks, or
    // of two alternating ones).
    private static void Gather(Span<float> dst, float[] hq, int j, bool all, int batch, int n0, int n1, int h,
                               TeamMember q)
    {
        int v0 = q.Start(h), vp = q.End(h) - v0;
        if (vp == 0) return;
        int at = RecurrentLayout.Block(j, batch * vp, all);
        for (int n = n0; n < n1; n++) hq.AsSpan(at + n * vp, vp).CopyTo(dst.Slice(n * h + v0, vp));
    }
}
