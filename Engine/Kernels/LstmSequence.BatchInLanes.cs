using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.Kernels;

// LstmSequence: the one-unit layer, batch rows in the lanes.
internal static unsafe partial class LstmSequence
{
    // ---- one unit: the batch in the lanes ----

    // A layer of one unit would fill 4 of a row's 16 lanes, so the loops below hold B = 4 V batch rows per block
    // instead (V = 1, 2
    // or 4 for N
    // <= 4, <= 8, else): lane q B + n is gate q of row n0 + n, the layout the loops above use for B units, so the gate
    // math (Activate, Split, GateBackward) is theirs. Per step and block: z += h_{t-1}[n] U[q] (h's lanes spread to the
    // gate
    // blocks by one permute), the gates of B rows in one pass. dz leaves in the one-unit row layout (gate q at lane 4q,
    // R = 16),
    // h in rows of one float (lda 1), so the weight gradients after the loop are those of the row layout.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Blocks(int batch) => (batch + 4 * RowVectors(batch) - 1) / (4 * RowVectors(batch));

    // x[n, f] of the block's rows in lanes n of one vector per f: xt (F, 16), lanes past the block's rows keep older
    // finite values.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeBlock(float* xt, float* x, int count, int inputs)
    {
        for (int n = 0; n < count; n++)
            for (int f = 0; f < inputs; f++) xt[f * Lanes + n] = x[n * inputs + f];
    }

    // Row n of a block (gate q at lane q B + n) in the one-unit row layout (gate q at lane 4q; the other lanes are
    // dead).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Unblock<TW>(int n, Vector512<float> d0, Vector512<float> d1, Vector512<float> d2,
                                                Vector512<float> d3)
        where TW : struct, IRowWidth
    {
        var at = Vector512.Create(n);
        var gate = Vector512.ShiftRightLogical(Vector512<int>.Indices, 2); // q of lane 4q + j
        if (TW.V == 1) return Avx512F.PermuteVar16x32(d0, Vector512.ShiftLeft(gate, 2) + at);
        if (TW.V == 2) return Avx512F.PermuteVar16x32x2(d0, Vector512.ShiftLeft(gate, 3) + at, d1);
        // lanes 0-3: i, 4-7: f (from d0, d1); then g, o likewise from d2, d3; then both halves into one vector
        var pair = Vector512.ConditionalSelect(Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(4)), at, at
                                               + Vector512.Create(16));
        var low = Avx512F.PermuteVar16x32x2(d0, pair, d1);
        var high = Avx512F.PermuteVar16x32x2(d2, pair, d3);
        return Avx512F.PermuteVar16x32x2(low, Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23),
                                         high);
    }

    // wp (F, R) x rows repeated: wp[f, q B + n] = W[f, q]; up (1, R), bp (R) likewise. Cells, cellAct: blocks of B
    // floats per
    // (step, block), c_0 = 0 in the first; hidden: h_t (T+1) N rows of one float, h_0 = 0, then 16 floats of slack and
    // the
    // blocks' h_{t-1} (16 floats each, stored whole so that the next step's reload is forwarded from the store).
    private readonly struct BatchForwardLoop(float* y, float* x, float* wp, float* up, float* bp, float* gates,
                                             float* cells, float* cellAct, float* hidden,
                                             int steps, int batch, int inputs, bool sequences,
                                             bool resumed) : IGateLoop
    {
        public void Run<TW, TA, TR>() where TW : struct, IRowWidth
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            int rl = 16 * TW.V, pb = 4 * TW.V, blocks = Blocks(batch);
            var spread = Vector512<int>.Indices & Vector512.Create(pb - 1); // lane q B + n <- lane n
            // Z = b + X W, every step and block at once (no dependency between them).
            float* xt = stackalloc float[inputs * Lanes];
            LoadRow<TW>(bp, out var b0, out var b1, out var b2, out var b3);
            for (int t = 0; t < steps; t++)
                for (int k = 0; k < blocks; k++)
                {
                    int n0 = k * pb;
                    TransposeBlock(xt, x + (t * batch + n0) * inputs, Math.Min(pb, batch - n0), inputs);
                    Vector512<float> z0 = b0, z1 = b1, z2 = b2, z3 = b3;
                    for (int f = 0; f < inputs; f++)
                        FmaRow<TW>(Avx512F.PermuteVar16x32(Vector512.Load(xt + f * Lanes), spread), wp + f * rl, ref z0,
                                   ref z1, ref z2, ref z3);
                    StoreRow<TW>(gates + (t * blocks + k) * rl, z0, z1, z2, z3);
                }
            var gLanes = GLanes<TW>();
            float* hs = hidden + (steps + 1) * batch + Lanes;
            if (resumed) // h_0 of each block, from block 0 of hidden (row order)
                for (int k = 0; k < blocks; k++)
                {
                    int n0 = k * pb;
                    Avx512F.MaskLoad(hidden + n0, Mask(Math.Min(pb, batch - n0)), Vector512<float>.Zero)
                        .Store(hs + k * Lanes);
                }
            for (int t = 0; t < steps; t++)
                for (int k = 0; k < blocks; k++)
                {
                    int n0 = k * pb, block = t * blocks + k;
                    var live = Mask(Math.Min(pb, batch - n0));
                    float* z = gates + block * rl;
                    LoadRow<TW>(z, out var a0, out var a1, out var a2, out var a3);
                    if (t > 0 || resumed)
                        FmaRow<TW>(Avx512F.PermuteVar16x32(Vector512.Load(hs + k * Lanes), spread), up, ref a0, ref a1,
                                   ref a2, ref a3);
                    Activate<TW, TA, TR>(ref a0, ref a1, ref a2, ref a3, gLanes);
                    StoreRow<TW>(z, a0, a1, a2, a3);
                    Split<TW>(a0, a1, a2, a3, out var i, out var fg, out var g, out var o);
                    var c = Vector512.FusedMultiplyAdd(i, g, fg * Vector512.Load(cells + block * pb)) & live;
                    var s = TA.Invoke(c);
                    var h = o * s;
                    // 16 lanes over B-float blocks: the blocks after are written later
                    c.Store(cells + (block + blocks) * pb);
                    s.Store(cellAct + block * pb);
                    h.Store(hs + k * Lanes);
                    Avx512F.MaskStore(hidden + (t + 1) * batch + n0, live, h);
                    if (sequences) Avx512F.MaskStore(y + t * batch + n0, live, h);
                    else if (t == steps - 1) Avx512F.MaskStore(y + n0, live, h);
                }
        }
    }

    // utp (R) = U repeated as wp above; wtp as for the row layout of one unit. dh, dc: (blocks, 16), zero on entry.
    private readonly struct BatchBackwardLoop(float* dx, float* dw, float* du, float* db, float* dz, float* dy,
                                              float* x, float* gates, float* cells,
                                              float* cellAct, float* hidden, float* utp, float* wtp, float* dh,
                                              float* dc,
                                              int steps, int batch, int inputs, bool sequences) : IGateLoop
    {
        public void Run<TW, TA, TR>() where TW : struct, IRowWidth
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            int pb = 4 * TW.V, rl = 16 * TW.V, blocks = Blocks(batch);
            LoadRow<TW>(utp, out var u0, out var u1, out var u2, out var u3);
            for (int t = steps - 1; t >= 0; t--)
                for (int k = 0; k < blocks; k++)
                {
                    int n0 = k * pb, block = t * blocks + k, count = Math.Min(pb, batch - n0);
                    var live = Mask(count);
                    var dhv = Vector512.Load(dh + k * Lanes);
                    if (sequences) dhv += Avx512F.MaskLoad(dy + t * batch + n0, live, Vector512<float>.Zero);
                    else if (t == steps - 1) dhv += Avx512F.MaskLoad(dy + n0, live, Vector512<float>.Zero);
                    var dcPrev = GateBackward<TW, TA,
                    TR>(dhv, Vector512.Load(dc + k * Lanes), gates + block * rl, Vector512.Load(cellAct + block * pb),
                                                          Vector512.Load(cells + block * pb), out var d0, out var d1,
                                                          out var d2, out var d3);
                    dcPrev.Store(dc + k * Lanes);
                    for (int n = 0; n < count; n++)
                        Unblock<TW>(n, d0, d1, d2, d3).Store(dz + (t * batch + n0 + n) * Lanes);
                    if (t == 0) continue;
                    // dL/dh_{t-1}[n] = Σ_q dz[q B + n] U[q]: the products, then the gate blocks folded onto lanes 0 ..
                    // B-1.
                    var m = d0 * u0;
                    if (TW.V > 1) m = Vector512.FusedMultiplyAdd(d1, u1, m);
                    if (TW.V > 2) m += Vector512.FusedMultiplyAdd(d3, u3, d2 * u2);
                    if (TW.V < 4) m += Avx512F.PermuteVar16x32(m, Vector512<int>.Indices + Vector512.Create(8));
                    if (TW.V == 1) m += Avx512F.PermuteVar16x32(m, Vector512<int>.Indices + Vector512.Create(4));
                    (m & live).Store(dh + k * Lanes);
                }
            WeightGradients<OneVector>(dx, dw, du, db, dz, x, hidden, 1, wtp, steps * batch, batch, inputs, 1);
        }
    }
}
