using Engine.Kernels;
using Engine.Threading;

namespace Engine.Layers;

/// <summary>
/// The forward pass of a large <see cref="Lstm"/> layer split by units between the threads of the shared
/// <see cref="WorkerTeam"/> (W3: one series, 256 units): member m computes units [u0, u0 + hp) of Count near-equal
/// slices. Each member packs its columns of the four gate blocks of W and U (its own copy, which stays in its core's
/// cache), computes its columns of Z for every step, then per step its columns of h_{t-1} U and the gate math for its
/// units, all into its own scratch: writes to cache lines the other members also write would bounce between the cores
/// on
/// every step. A barrier per step publishes h_t; each member then gathers the whole h_t row from the others' scratch.
/// After the last step the members copy the saved state (gates, c, a(c), h), a share of the rows each, into the
/// <see cref="LstmGemmPath"/>'s (T, N, ·) layouts, so its backward pass is the same. Every element is computed as on
/// one
/// thread: bit-identical results.
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

    /// <summary>Runs the forward pass split by units when threads are allowed and the layer is large enough; false when
    /// not.</summary>
    public static unsafe bool TryForward(LstmGemmPath path, float* x, float* pr, int steps, int batch, bool resumed)
    {
        long h = path.Owner.Units;
        if (Parallelism.MaxThreads <= 1 || batch * h * 4 * h < ThreadThreshold) return false;
        using var lease = Parallelism.Lease();
        if (path.Parts.Length < lease.Count) path.Parts = new Part[lease.Count];
        lease.Run(new ForwardJob(path, path.Parts, x, pr, steps, batch, resumed));
        return true;
    }

    private readonly unsafe struct ForwardJob(LstmGemmPath path, Part[] parts, float* x, float* parameters, int steps,
                                              int batch, bool resumed) : ITeamWork
    {
        public void Execute(TeamMember member)
        {
            if (member.Count == 1) path.ForwardAlone(x, parameters, steps, batch, resumed);
            else ForwardPart(path, parts, member, x, parameters, steps, batch, resumed);
        }
    }

    // Resumed: block 0 of the path's Hidden and Cells holds the state (written before the pass); step 0 then reads
    // h_0 from there and each member takes its units of c_0.
    private static unsafe void ForwardPart(LstmGemmPath path, Part[] parts, TeamMember m, float* x, float* pr,
                                           int steps, int batch, bool resumed)
    {
        var layer = path.Owner;
        int f = layer.InputSize, h = layer.Units, g = 4 * h, rows = steps * batch, bh = batch * h;
        int u0 = m.Start(h), hp = m.End(h) - u0, gp = 4 * hp;
        ReadOnlySpan<float> input = new(x, rows * f), w = new(pr, f * g), u = new(pr + f * g, h * g),
        b = new(pr + (f + h) * g, g);
        Span<float> gates = path.Gates.AsSpan(0, rows * g), cells = path.Cells, hidden = path.Hidden,
        cellAct = path.CellAct;
        bool stepwise = batch >= LstmGemmPath.StepwiseBatch;
        var part = parts[m.Index] = t_part ??= new Part();
        int bp = batch * hp;
        var z = Layer.Workspace(ref part.Z, (long)rows * gp);                  // (T N, 4 hp) this member's gate columns
        var c = Layer.Workspace(ref part.C, (long)(steps + 1) * bp);           // ((T+1) N, hp) c_t, block 0 = c_0 = 0
        var s = Layer.Workspace(ref part.S, (long)rows * hp);                  // (T N, hp) a(c_t)
        var hs = Layer.Workspace(ref part.H, (long)(steps + 1) * bp);          // ((T+1) N, hp) h_t, block 0 = h_0 = 0
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
            if (hp > 0)
            {
                var zt = z.Slice(t * batch * gp, batch * gp);
                if (stepwise)
                {
                    BroadcastRows.Unchecked(zt, part.Bias.AsSpan(0, gp), batch, gp);
                    GemmPacked.Unchecked(zt, gp, input.Slice(t * batch * f, batch * f), f, 1, part.W, batch, f, gp);
                }
                if (t > 0)
                    for (int q = 0; q < m.Count; q++)
                        Gather(hRow, parts[q].H, t, batch, h, new TeamMember(q, m.Count, null));
                else if (resumed) hidden[..bh].CopyTo(hRow);
                if (t > 0 || resumed) GemmPacked.Unchecked(zt, gp, hRow, h, 1, part.U, batch, h, gp);
                LstmGates.ForwardUnchecked(zt, c.Slice((t + 1) * bp, bp), s.Slice(t * bp, bp),
                                           hs.Slice((t + 1) * bp, bp), c.Slice(t * bp, bp),
                                           layer.Activation, layer.RecurrentActivation, batch, hp);
            }
            m.Barrier(); // h_t published (after the last step: every member's state complete)
        }
        // Member m copies rows [r0, r1) of the saved state from every member's scratch.
        int r0 = m.Start(rows), r1 = m.End(rows);
        for (int q = 0; q < m.Count; q++)
        {
            var other = parts[q];
            var mq = new TeamMember(q, m.Count, null);
            int v0 = mq.Start(h), vp = mq.End(h) - v0;
            if (vp == 0) continue;
            for (int row = r0; row < r1; row++)
            {
                for (int gate = 0; gate < 4; gate++)
                    other.Z.AsSpan(row * 4 * vp + gate * vp, vp).CopyTo(gates.Slice(row * g + gate * h + v0, vp));
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
}
