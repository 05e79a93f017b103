using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.Kernels;

/// <summary>
/// A whole LSTM time loop, forward and backward, in one call for a layer of at most 16 units on 512-bit vectors.
/// Each gate block is padded to P = 4, 8 or 16 lanes (the smallest that holds H), so a row of the four gates is
/// V = P / 4 = 1, 2 or 4 whole vectors of R = 4P = 16V lanes, with no scalar remainder:
/// <code>
/// wp     // (F, R)  W with gate q's H columns at lanes q*P .. q*P+H-1, zero elsewhere
/// up     // (H, R)  U, padded likewise
/// bp     // (R)     b, padded likewise
/// utp    // (R, 16) Uᵀ: row q*P+j holds U[:, q*H+j] (H values), zero elsewhere
/// wtp    // (R, Fp) Wᵀ: row q*P+j holds W[:, q*H+j] (F values), Fp = F rounded up to 16
/// gates  // (T N, R)         activated i, f, g, o, padded
/// cells  // ((T+1) N, P)     c_t, block 0 = c_0 = 0
/// cellAct// (T N, P)         a(c_t)
/// hidden // ((T+1) N, P)     h_t, block 0 = h_0 = 0
///           (each of the three with 16 floats of slack: a row is stored as a whole vector, over the rows after it,
///           which are written after it; lanes past P read the next rows and are dead)
/// dz     // (T N, R)         dL/dz, padded like gates
/// </code>
/// Forward: Z = b + X W for all steps, then per step two passes over the batch: z += h_{t-1} U (broadcast FMAs
/// over the R-wide rows), then the gate math of <see cref="LstmCell"/> on registers (gates moved to lane 0 by
/// permutes when P &lt; 16; for H &lt;= 5 the i, f, o blocks are first packed into one vector, so the exp pass runs on
/// fewer vectors). For H = 9, 10 the forward's wp, up, bp and Z rows are compact instead, three vectors a row
/// (<see cref="CompactRows"/>), and so is a copy of dz for the weight gradients; gates and dz keep the padded layout. Backward: per step (t = T-1 .. 0) the gate backward into dz for every row, then dh_{t-1} = dz_t Uᵀ;
/// the weight gradients, db and dx over all steps after the loop. The products over rows (X W, h U, dz Uᵀ) take two
/// rows at a time, so each vector of W, U or Uᵀ is loaded once for two FMAs (this core loads one 512-bit vector a
/// cycle, the same rate as its FMAs).
/// A layer of one unit (<see cref="BatchInLanes"/>) holds batch rows in the lanes instead: blocks of B = 4, 8 or 16
/// rows, lane q*B+n = gate q of row n, with the gate math above unchanged (see the loops at the end).
/// Lanes past H in a block hold finite values that never reach a live lane: broadcasts read live lanes only,
/// c is masked to them, and every result leaves through an H-lane mask or an unpacking loop.
/// The general path (<see cref="GemmPacked"/> products and <see cref="LstmGates"/>) is this kernel's twin.
/// </summary>
internal static unsafe class LstmSequence
{
    public const int Lanes = 16;

    /// <summary>Whether a layer of <paramref name="units"/> takes this path on this machine.</summary>
    public static bool Supported(int units) => Vector512.IsHardwareAccelerated && units <= Lanes;

    /// <summary>Vectors per row of four gate blocks: 1, 2 or 4.</summary>
    public static int RowVectors(int units) => units <= 4 ? 1 : units <= 8 ? 2 : 4;

    /// <summary>Floats per padded row of four gate blocks, R = 16 V.</summary>
    public static int RowLength(int units) => Lanes * RowVectors(units);

    /// <summary>F rounded up to whole vectors: the row length of <c>wtp</c>.</summary>
    public static int PaddedInputs(int inputs) => (inputs + Lanes - 1) / Lanes * Lanes;

    /// <summary>Whether a layer of <paramref name="units"/> holds batch rows in the lanes (one unit) instead of units.</summary>
    public static bool BatchInLanes(int units) => units == 1;

    /// <summary>Floats per padded row of <c>wp</c>, <c>up</c> and <c>bp</c>.</summary>
    public static int PackedRowLength(int units, int batch) => BatchInLanes(units) ? RowLength(batch) : RowLength(units);

    /// <summary>Floats of <c>gates</c> for T steps of N rows.</summary>
    public static long GatesLength(int steps, int batch, int units) =>
        Math.Max((long)steps * batch * RowLength(units), BatchInLanes(units) ? (long)steps * Blocks(batch) * RowLength(batch) : 0);

    /// <summary>Floats of <c>cells</c> (count = T + 1) or <c>cellAct</c> (count = T).</summary>
    public static long StateLength(int count, int batch, int units) =>
        Math.Max((long)count * batch * (RowLength(units) / 4), BatchInLanes(units) ? (long)count * Blocks(batch) * (RowLength(batch) / 4) : 0) + Lanes;

    /// <summary>
    /// Floats of <c>dz</c>: (T N, R), then for <see cref="CompactRows"/> a copy (T N, 48) in the compact layout for the weight
    /// gradients (three vectors a row instead of four).
    /// </summary>
    public static long DzLength(int steps, int batch, int units) => (long)steps * batch * (RowLength(units) + (CompactRows(units) ? 48 : 0));

    /// <summary>Floats of <c>hidden</c>.</summary>
    public static long HiddenLength(int steps, int batch, int units) =>
        Math.Max((long)(steps + 1) * batch * (RowLength(units) / 4), BatchInLanes(units) ? (long)(steps + 1) * batch + Lanes * (1 + Blocks(batch)) : 0) + Lanes;

    /// <summary>Copies the parameters (Keras' layout, W then U then b) into the padded wp (F, R), up (H, R), bp (R) of <see cref="Forward"/>.</summary>
    public static void PackForward(float* wp, float* up, float* bp, float* parameters, int inputs, int units, int batch)
    {
        int g = 4 * units;
        if (BatchInLanes(units))
        {
            PackRepeated(wp, parameters, inputs, batch);
            PackRepeated(up, parameters + inputs * g, 1, batch);
            PackRepeated(bp, parameters + (inputs + 1) * g, 1, batch);
            return;
        }
        if (CompactRows(units))
        {
            PackCompact(wp, parameters, inputs, units);
            PackCompact(up, parameters + inputs * g, units, units);
            PackCompact(bp, parameters + (inputs + units) * g, 1, units);
            return;
        }
        PackRows(wp, parameters, inputs, units);
        PackRows(up, parameters + inputs * g, units, units);
        PackRows(bp, parameters + (inputs + units) * g, 1, units);
    }

    // Rows of four vectors whose i, f and o fit in two (H = 9, 10): the forward's W, U, b and Z rows use three vectors,
    // [i, o_0 .. o_{15-H}], [f, o_{16-H} .. o_{H-1}, 0 ..], [g, 0 ..] (R = 64 apart, the fourth vector unused), so X W and h U
    // take three FMAs per input instead of four and the gate activation runs on two vectors for i, f and o. The activated
    // gates are stored in the padded layout, which is all the backward pass reads.
    private static bool CompactRows(int units) => RowVectors(units) == 4 && 3 * units <= 32;

    // dst (rows, 64) = src (rows, 4H) in the compact layout of CompactRows.
    private static void PackCompact(float* dst, float* src, int rows, int units)
    {
        int g = 4 * units;
        var live = Mask(units);
        var x = new PackedIndices(units, 4);
        for (int r = 0; r < rows; r++)
        {
            float* s = src + r * g, d = dst + r * 64;
            var o = Avx512F.MaskLoad(s + 3 * units, live, Vector512<float>.Zero);
            Avx512F.PermuteVar16x32x2(Avx512F.MaskLoad(s, live, Vector512<float>.Zero), x.A, o).Store(d);
            (Avx512F.PermuteVar16x32x2(Avx512F.MaskLoad(s + units, live, Vector512<float>.Zero), x.B, o) & Mask(3 * units - 16)).Store(d + 16);
            Avx512F.MaskLoad(s + 2 * units, live, Vector512<float>.Zero).Store(d + 32);
        }
    }

    /// <summary>
    /// Copies U into utp (R, 16) and, unless null, W into wtp (R, Fp) for <see cref="Backward"/>. The copies write the same entries
    /// on every call for one shape (inputs, units), so the zeros elsewhere need writing only when <paramref name="clear"/>: on the
    /// first call for a shape into buffers that may hold anything else.
    /// </summary>
    public static void PackBackward(float* utp, float* wtp, float* parameters, int inputs, int units, int batch, bool clear)
    {
        int g = 4 * units;
        if (BatchInLanes(units)) PackRepeated(utp, parameters + inputs * g, 1, batch);
        else PackTransposed(utp, parameters + inputs * g, units, units, Lanes, clear);
        if (wtp != null) PackTransposed(wtp, parameters, inputs, units, PaddedInputs(inputs), clear);
    }

    // dst (rows, 16 V) = src (rows, 4) of one unit with each gate value repeated over its block of B = 4 V lanes (V for N rows).
    private static void PackRepeated(float* dst, float* src, int rows, int batch)
    {
        int pb = RowLength(batch) / 4;
        var block = Mask(pb);
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < 4; q++)
                Avx512F.MaskStore(dst + (r * 4 + q) * pb, block, Vector512.Create(src[r * 4 + q]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mask(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    /// <summary>dst (rows, R) = src (rows, 4H) with each gate block padded to P lanes.</summary>
    public static void PackRows(float* dst, float* src, int rows, int units)
    {
        int g = 4 * units, r4 = RowLength(units), p = r4 / 4;
        Vector512<float> live = Mask(units), block = Mask(p);
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < 4; q++)
                Avx512F.MaskStore(dst + r * r4 + q * p, block, Avx512F.MaskLoad(src + r * g + q * units, live, Vector512<float>.Zero));
    }

    /// <summary>dst (R, width), row q*P+j = column q*H+j of src (rows, 4H); zero elsewhere. width ≥ rows.</summary>
    public static void PackTransposed(float* dst, float* src, int rows, int units, int width, bool clear = true)
    {
        int g = 4 * units, r4 = RowLength(units), p = r4 / 4;
        if (clear) new Span<float>(dst, r4 * width).Clear();
        for (int q = 0; q < 4; q++)
            for (int j = 0; j < units; j++)
            {
                float* d = dst + (q * p + j) * width, s = src + q * units + j;
                int k = 0;
                for (; k + 4 <= rows; k += 4, s += 4 * g) { d[k] = s[0]; d[k + 1] = s[g]; d[k + 2] = s[2 * g]; d[k + 3] = s[3 * g]; }
                for (; k < rows; k++, s += g) d[k] = *s;
            }
    }

    /// <summary>
    /// The forward time loop; <paramref name="y"/> gets h_t (T N, H) when <paramref name="sequences"/>, else h_T (N, H).
    /// Block 0 of <paramref name="cells"/> and <paramref name="hidden"/> must be zero.
    /// </summary>
    public static void Forward(float* y, float* x, float* wp, float* up, float* bp, float* gates, float* cells, float* cellAct, float* hidden,
                               Activation a, Activation r, int steps, int batch, int inputs, int units, bool sequences)
    {
        if (BatchInLanes(units))
        {
            var kb = new BatchForwardLoop(y, x, wp, up, bp, gates, cells, cellAct, hidden, steps, batch, inputs, sequences);
            Dispatch(ref kb, batch, a, r);
            return;
        }
        var k = new ForwardLoop(y, x, wp, up, bp, gates, cells, cellAct, hidden, steps, batch, inputs, units, sequences);
        Dispatch(ref k, units, a, r);
    }

    /// <summary>
    /// Backpropagation through time after <see cref="Forward"/>: adds dW into <paramref name="dw"/> (F, 4H), dU into
    /// <paramref name="du"/> (H, 4H) and db into <paramref name="db"/> (4H), Keras' layouts; writes dx (T N, F) unless null.
    /// dy as <see cref="Forward"/>'s y. dz (<see cref="DzLength"/>) receives dL/dz (T N, R); dh, dc (N, 16) are scratch.
    /// </summary>
    public static void Backward(float* dx, float* dw, float* du, float* db, float* dz, float* dy, float* x, float* gates, float* cells, float* cellAct,
                                float* hidden, float* utp, float* wtp, float* dh, float* dc,
                                Activation a, Activation r, int steps, int batch, int inputs, int units, bool sequences)
    {
        if (BatchInLanes(units))
        {
            var kb = new BatchBackwardLoop(dx, dw, du, db, dz, dy, x, gates, cells, cellAct, hidden, utp, wtp, dh, dc, steps, batch, inputs, sequences);
            Dispatch(ref kb, batch, a, r);
            return;
        }
        var k = new BackwardLoop(dx, dw, du, db, dz, dy, x, gates, cells, cellAct, hidden, utp, wtp, dh, dc, steps, batch, inputs, units, sequences);
        Dispatch(ref k, units, a, r);
    }

    // ---- row widths as types, so the V-vector loops below compile to straight-line code ----

    internal interface IRowWidth { static abstract int V { get; } }
    internal readonly struct OneVector : IRowWidth { public static int V => 1; }
    internal readonly struct TwoVectors : IRowWidth { public static int V => 2; }
    internal readonly struct ThreeVectors : IRowWidth { public static int V => 3; } // the compact forward rows (CompactRows)
    internal readonly struct FourVectors : IRowWidth { public static int V => 4; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadRow<TW>(float* p, out Vector512<float> r0, out Vector512<float> r1, out Vector512<float> r2, out Vector512<float> r3)
        where TW : struct, IRowWidth
    {
        r0 = Vector512.Load(p);
        r1 = TW.V > 1 ? Vector512.Load(p + 16) : default;
        r2 = TW.V > 2 ? Vector512.Load(p + 32) : default;
        r3 = TW.V > 3 ? Vector512.Load(p + 48) : default;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TW>(float* p, Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3)
        where TW : struct, IRowWidth
    {
        r0.Store(p);
        if (TW.V > 1) r1.Store(p + 16);
        if (TW.V > 2) r2.Store(p + 32);
        if (TW.V > 3) r3.Store(p + 48);
    }

    // r += v w for a row of V vectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FmaRow<TW>(Vector512<float> v, float* w, ref Vector512<float> r0, ref Vector512<float> r1, ref Vector512<float> r2, ref Vector512<float> r3)
        where TW : struct, IRowWidth
    {
        r0 = Vector512.FusedMultiplyAdd(v, Vector512.Load(w), r0);
        if (TW.V > 1) r1 = Vector512.FusedMultiplyAdd(v, Vector512.Load(w + 16), r1);
        if (TW.V > 2) r2 = Vector512.FusedMultiplyAdd(v, Vector512.Load(w + 32), r2);
        if (TW.V > 3) r3 = Vector512.FusedMultiplyAdd(v, Vector512.Load(w + 48), r3);
    }

    // Two rows at once, r += v w and s += u w: each vector of w loaded once for both (one row at a time the loads of w were the
    // limit: a 512-bit load per FMA).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FmaRows<TW>(Vector512<float> v, Vector512<float> u, float* w,
                                    ref Vector512<float> r0, ref Vector512<float> r1, ref Vector512<float> r2, ref Vector512<float> r3,
                                    ref Vector512<float> s0, ref Vector512<float> s1, ref Vector512<float> s2, ref Vector512<float> s3)
        where TW : struct, IRowWidth
    {
        var w0 = Vector512.Load(w);
        r0 = Vector512.FusedMultiplyAdd(v, w0, r0);
        s0 = Vector512.FusedMultiplyAdd(u, w0, s0);
        if (TW.V > 1)
        {
            var w1 = Vector512.Load(w + 16);
            r1 = Vector512.FusedMultiplyAdd(v, w1, r1);
            s1 = Vector512.FusedMultiplyAdd(u, w1, s1);
        }
        if (TW.V > 2)
        {
            var w2 = Vector512.Load(w + 32);
            r2 = Vector512.FusedMultiplyAdd(v, w2, r2);
            s2 = Vector512.FusedMultiplyAdd(u, w2, s2);
        }
        if (TW.V > 3)
        {
            var w3 = Vector512.Load(w + 48);
            r3 = Vector512.FusedMultiplyAdd(v, w3, r3);
            s3 = Vector512.FusedMultiplyAdd(u, w3, s3);
        }
    }

    // The four gates of a row (activated, R wide) moved to lanes 0 .. P-1.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Split<TW>(Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3,
                                  out Vector512<float> i, out Vector512<float> f, out Vector512<float> g, out Vector512<float> o)
        where TW : struct, IRowWidth
    {
        if (TW.V == 4) { i = r0; f = r1; g = r2; o = r3; return; }
        var up8 = Vector512<int>.Indices + Vector512.Create(8);
        if (TW.V == 2) { i = r0; f = Avx512F.PermuteVar16x32(r0, up8); g = r1; o = Avx512F.PermuteVar16x32(r1, up8); return; }
        i = r0;
        f = Avx512F.PermuteVar16x32(r0, Vector512<int>.Indices + Vector512.Create(4));
        g = Avx512F.PermuteVar16x32(r0, up8);
        o = Avx512F.PermuteVar16x32(r0, Vector512<int>.Indices + Vector512.Create(12));
    }

    // The inverse of Split: four gate vectors (lanes 0 .. P-1) into a row of V vectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Join<TW>(Vector512<float> i, Vector512<float> f, Vector512<float> g, Vector512<float> o,
                                 out Vector512<float> r0, out Vector512<float> r1, out Vector512<float> r2, out Vector512<float> r3)
        where TW : struct, IRowWidth
    {
        if (TW.V == 4) { r0 = i; r1 = f; r2 = g; r3 = o; return; }
        var low8 = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23); // lanes 0-7 of a, then 0-7 of b
        r2 = r3 = default;
        if (TW.V == 2) { r0 = Avx512F.PermuteVar16x32x2(i, low8, f); r1 = Avx512F.PermuteVar16x32x2(g, low8, o); return; }
        var low4 = Vector512.Create(0, 1, 2, 3, 16, 17, 18, 19, 0, 1, 2, 3, 16, 17, 18, 19);
        r0 = Avx512F.PermuteVar16x32x2(Avx512F.PermuteVar16x32x2(i, low4, f), low8, Avx512F.PermuteVar16x32x2(g, low4, o));
        r1 = default;
    }

    // One Keras row d (4H) += a padded row (V vectors) of gate sums; tmp holds 64 floats.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddUnpacked<TW>(float* d, int units, float* tmp, Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3)
        where TW : struct, IRowWidth
    {
        if (TW.V == 4)
        {
            var mask = Mask(units);
            Avx512F.MaskStore(d, mask, Avx512F.MaskLoad(d, mask, Vector512<float>.Zero) + r0);
            Avx512F.MaskStore(d + units, mask, Avx512F.MaskLoad(d + units, mask, Vector512<float>.Zero) + r1);
            Avx512F.MaskStore(d + 2 * units, mask, Avx512F.MaskLoad(d + 2 * units, mask, Vector512<float>.Zero) + r2);
            Avx512F.MaskStore(d + 3 * units, mask, Avx512F.MaskLoad(d + 3 * units, mask, Vector512<float>.Zero) + r3);
            return;
        }
        StoreRow<TW>(tmp, r0, r1, r2, r3);
        int p = 4 * TW.V;
        if (TW.V == 3) // the compact layout (CompactRows)
        {
            for (int q = 0; q < 3; q++)
                for (int j = 0; j < units; j++) d[q * units + j] += tmp[16 * q + j];
            for (int j = 0; j < units; j++) d[3 * units + j] += tmp[j < 16 - units ? units + j : 2 * units + j];
            return;
        }
        for (int q = 0; q < 4; q++)
            for (int j = 0; j < units; j++) d[q * units + j] += tmp[q * p + j];
    }

    // Lanes of the g block, where the cell activation applies instead of the gate activation (rows of 1 or 2 vectors).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> GLanes<TW>() where TW : struct, IRowWidth => TW.V == 1 ? Mask(12) & ~Mask(8) : Mask(8);

    // A row of pre-activations (V vectors) activated in place: r on i, f, o; a on g.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Activate<TW, TA, TR>(ref Vector512<float> a0, ref Vector512<float> a1, ref Vector512<float> a2, ref Vector512<float> a3, Vector512<float> gLanes)
        where TW : struct, IRowWidth where TA : struct, IActivationOperator where TR : struct, IActivationOperator
    {
        if (TW.V == 4) { a0 = TR.Invoke(a0); a1 = TR.Invoke(a1); a2 = TA.Invoke(a2); a3 = TR.Invoke(a3); }
        else if (TW.V == 2)
        {
            a0 = TR.Invoke(a0);
            a1 = typeof(TA) == typeof(TR)
                ? TR.Invoke(a1)
                : Vector512.ConditionalSelect(gLanes, TA.Invoke(a1), TR.Invoke(a1));
        }
        else if (typeof(TA) == typeof(TR)) a0 = TR.Invoke(a0); // one activation for the whole row (a JIT-time constant)
        else a0 = Vector512.ConditionalSelect(gLanes, TA.Invoke(a0), TR.Invoke(a0));
    }

    // The permutes of ActivatePacked (rows of two vectors) and of the compact rows (CompactRows: A, B pack, C gets o back) for H
    // units, computed once per call (the JIT does not hoist them out of the loop).
    private readonly struct PackedIndices
    {
        public readonly Vector512<int> A, B, C, D, E;

        public PackedIndices(int units, int vectors)
        {
            var lane = Vector512<int>.Indices;
            var h = Vector512.Create(units);
            var below = Vector512.LessThan(lane, h);
            if (vectors == 4)
            {
                // [i 0..H-1, o 0..15-H] and [f 0..H-1, o 16-H..]: lanes past H take o from its lane l - H, then l - 2H + 16;
                // o lane j is lane H + j of the first below 16 - H, else lane 2H + j - 16 of the second.
                A = Vector512.ConditionalSelect(below, lane, lane - h + Vector512.Create(16));
                B = Vector512.ConditionalSelect(below, lane, lane - h - h + Vector512.Create(32));
                C = Vector512.ConditionalSelect(Vector512.LessThan(lane, Vector512.Create(16) - h), lane + h, lane + h + h);
                D = E = default;
                return;
            }
            // [i | f], [g | o] (8-lane blocks) -> [i 0..H-1, f, o]; f and o back to lane 0; [i | f] and [g | o] from it.
            var fromF = Vector512.LessThan(lane, h + h);
            var low8 = Vector512.LessThan(lane, Vector512.Create(8));
            A = Vector512.ConditionalSelect(below, lane, Vector512.ConditionalSelect(fromF, lane - h + Vector512.Create(8), lane - h - h + Vector512.Create(24)));
            B = lane + h;
            C = lane + h + h;
            D = Vector512.ConditionalSelect(low8, lane, lane - Vector512.Create(8) + h);
            E = Vector512.ConditionalSelect(low8, lane, lane + Vector512.Create(8) + h + h);
        }
    }

    // Activate + Split for rows of two vectors whose i, f and o fit in one (3H <= 16): those three gates are packed into one vector,
    // so the gate activation (an exp and a divide per vector) runs on it and g instead of on [i | f] and [g | o] both, for three
    // more permutes. The row goes back in the padded layout (lanes past H of a block may hold other gates' values: dead lanes,
    // never read as live ones).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ActivatePacked<TW, TA, TR>(ref Vector512<float> a0, ref Vector512<float> a1, ref Vector512<float> a2, ref Vector512<float> a3, in PackedIndices x,
                                                   out Vector512<float> i, out Vector512<float> f, out Vector512<float> g, out Vector512<float> o)
        where TW : struct, IRowWidth where TA : struct, IActivationOperator where TR : struct, IActivationOperator
    {
        var act = TR.Invoke(Avx512F.PermuteVar16x32x2(a0, x.A, a1));
        i = act;
        f = Avx512F.PermuteVar16x32(act, x.B);
        o = Avx512F.PermuteVar16x32(act, x.C);
        g = TA.Invoke(a1);
        a0 = Avx512F.PermuteVar16x32(act, x.D);        // [i | f]
        a1 = Avx512F.PermuteVar16x32x2(g, x.E, act);   // [g | o]
        a2 = a3 = default;
    }

    // The gate backward of one row (the formulas of LstmCell.Backward): dz (V vectors, padded layout) from dL/dh_t, dL/dc_t (after
    // this step's own term), the activated gates, s = a(c_t) and c_{t-1}; returns the part of dL/dc_{t-1} through c_t, dc f.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> GateBackward<TW, TA, TR>(Vector512<float> dhv, Vector512<float> dcNext, float* gates, Vector512<float> s, Vector512<float> cPrev,
                                                             out Vector512<float> d0, out Vector512<float> d1, out Vector512<float> d2, out Vector512<float> d3)
        where TW : struct, IRowWidth where TA : struct, IActivationOperator where TR : struct, IActivationOperator
    {
        LoadRow<TW>(gates, out var a0, out var a1, out var a2, out var a3);
        Split<TW>(a0, a1, a2, a3, out var i, out var f, out var g, out var o);
        var dcv = Vector512.FusedMultiplyAdd(dhv * o, TA.Derivative(s), dcNext);
        Join<TW>(dcv * g * TR.Derivative(i), dcv * cPrev * TR.Derivative(f), dcv * i * TA.Derivative(g),
                 dhv * s * TR.Derivative(o), out d0, out d1, out d2, out d3);
        return dcv * f;
    }

    // ---- one straight-line loop per (row width, activation, recurrent activation) ----

    private interface IGateLoop
    {
        void Run<TW, TA, TR>() where TW : struct, IRowWidth
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator;
    }

    // lanes: what one gate block must hold (the units, or the batch rows of a block in the batch-in-lanes layout).
    private static void Dispatch<TLoop>(ref TLoop loop, int lanes, Activation a, Activation r) where TLoop : struct, IGateLoop
    {
        switch (RowVectors(lanes))
        {
            case 1: Dispatch<TLoop, OneVector>(ref loop, a, r); break;
            case 2: Dispatch<TLoop, TwoVectors>(ref loop, a, r); break;
            default: Dispatch<TLoop, FourVectors>(ref loop, a, r); break;
        }
    }

    private static void Dispatch<TLoop, TW>(ref TLoop loop, Activation a, Activation r)
        where TLoop : struct, IGateLoop where TW : struct, IRowWidth =>
        ActivationDispatch.Run(a, r, new WidthCall<TLoop, TW>(loop));

    // The loops are readonly: a copy runs the same loop.
    private readonly struct WidthCall<TLoop, TW>(TLoop loop) : IActivationPairCall
        where TLoop : struct, IGateLoop where TW : struct, IRowWidth
    {
        public void Run<TA, TR>() where TA : struct, IActivationOperator where TR : struct, IActivationOperator =>
            loop.Run<TW, TA, TR>();
    }

    // Each step in two passes over the batch rows: the recurrent product for every row, then the gate math for every row.
    // The rows are independent, so the core overlaps their dependency chains (product -> exp -> c -> h); one pass per
    // row would run them one after another, since a row's whole step is more than the out-of-order window holds.
    private readonly struct ForwardLoop(float* y, float* x, float* wp, float* up, float* bp, float* gates, float* cells, float* cellAct, float* hidden,
                                        int steps, int batch, int inputs, int units, bool sequences) : IGateLoop
    {
        public void Run<TW, TA, TR>() where TW : struct, IRowWidth
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            if (TW.V == 4 && CompactRows(units)) Run<TW, ThreeVectors, TA, TR>();
            else Run<TW, TW, TA, TR>();
        }

        // TZ: the vectors of a row of W, U, b and Z (CompactRows), TW: of a row of activated gates.
        private void Run<TW, TZ, TA, TR>()
            where TW : struct, IRowWidth where TZ : struct, IRowWidth
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            int rl = 16 * TW.V, p = 4 * TW.V, rows = steps * batch;
            // Z = b + X W, every step at once (no dependency between rows).
            LoadRow<TZ>(bp, out var b0, out var b1, out var b2, out var b3);
            int first = 0;
            for (; first + 2 <= rows; first += 2)
            {
                Vector512<float> z0 = b0, z1 = b1, z2 = b2, z3 = b3, y0 = b0, y1 = b1, y2 = b2, y3 = b3;
                float* xr = x + first * inputs;
                for (int f = 0; f < inputs; f++)
                    FmaRows<TZ>(Vector512.Create(xr[f]), Vector512.Create(xr[inputs + f]), wp + f * rl, ref z0, ref z1, ref z2, ref z3, ref y0, ref y1, ref y2, ref y3);
                StoreRow<TZ>(gates + first * rl, z0, z1, z2, z3);
                StoreRow<TZ>(gates + (first + 1) * rl, y0, y1, y2, y3);
            }
            for (int row = first; row < rows; row++)
            {
                Vector512<float> z0 = b0, z1 = b1, z2 = b2, z3 = b3;
                float* xr = x + row * inputs;
                for (int f = 0; f < inputs; f++) FmaRow<TZ>(Vector512.Create(xr[f]), wp + f * rl, ref z0, ref z1, ref z2, ref z3);
                StoreRow<TZ>(gates + row * rl, z0, z1, z2, z3);
            }
            var live = Mask(units);
            var gLanes = GLanes<TW>();
            bool packed = 3 * units <= 2 * p; // rows of two vectors: i, f and o fit in one (ActivatePacked)
            var indices = new PackedIndices(units, TW.V);
            for (int t = 0; t < steps; t++)
            {
                int pairs = t > 0 ? batch / 2 * 2 : 0;
                for (int n = 0; n < pairs; n += 2)
                {
                    int row = t * batch + n;
                    float* z = gates + row * rl;
                    LoadRow<TZ>(z, out var z0, out var z1, out var z2, out var z3);
                    LoadRow<TZ>(z + rl, out var y0, out var y1, out var y2, out var y3);
                    Vector512<float> hv = Vector512.Load(hidden + row * p), hw = Vector512.Load(hidden + (row + 1) * p);
                    var lane = Vector512<int>.Zero;
                    for (int k = 0; k < units; k++, lane += Vector512<int>.One)
                        FmaRows<TZ>(Avx512F.PermuteVar16x32(hv, lane), Avx512F.PermuteVar16x32(hw, lane), up + k * rl,
                                    ref z0, ref z1, ref z2, ref z3, ref y0, ref y1, ref y2, ref y3);
                    StoreRow<TZ>(z, z0, z1, z2, z3);
                    StoreRow<TZ>(z + rl, y0, y1, y2, y3);
                }
                if (t > 0)
                    for (int n = pairs; n < batch; n++)
                    {
                        int row = t * batch + n;
                        float* z = gates + row * rl;
                        LoadRow<TZ>(z, out var z0, out var z1, out var z2, out var z3);
                        // h_{t-1} of row n, stored one step ago: reloaded whole and broadcast lane by lane in registers
                        // (a scalar reload of a just-stored vector would wait for the store to retire).
                        var hv = Vector512.Load(hidden + row * p);
                        var lane = Vector512<int>.Zero;
                        for (int k = 0; k < units; k++, lane += Vector512<int>.One)
                            FmaRow<TZ>(Avx512F.PermuteVar16x32(hv, lane), up + k * rl, ref z0, ref z1, ref z2, ref z3);
                        StoreRow<TZ>(z, z0, z1, z2, z3);
                    }
                for (int n = 0; n < batch; n++)
                {
                    int row = t * batch + n;
                    float* z = gates + row * rl;
                    LoadRow<TZ>(z, out var a0, out var a1, out var a2, out var a3);
                    Vector512<float> i, fg, g, o;
                    if (TZ.V == 3)
                    {
                        i = a0 = TR.Invoke(a0);
                        fg = a1 = TR.Invoke(a1);
                        g = a2 = TA.Invoke(a2);
                        o = a3 = Avx512F.PermuteVar16x32x2(i, indices.C, fg); // i and f hold o in their lanes past H (dead lanes there)
                    }
                    else if (TW.V == 2 && packed) ActivatePacked<TW, TA, TR>(ref a0, ref a1, ref a2, ref a3, in indices, out i, out fg, out g, out o);
                    else
                    {
                        Activate<TW, TA, TR>(ref a0, ref a1, ref a2, ref a3, gLanes);
                        Split<TW>(a0, a1, a2, a3, out i, out fg, out g, out o);
                    }
                    StoreRow<TW>(z, a0, a1, a2, a3);
                    var c = Vector512.FusedMultiplyAdd(i, g, fg * Vector512.Load(cells + row * p)) & live;
                    var s = TA.Invoke(c);
                    var h = o * s;
                    c.Store(cells + (row + batch) * p); // 16 lanes over P-float rows: the rows after are written later
                    s.Store(cellAct + row * p);
                    h.Store(hidden + (row + batch) * p);
                    if (sequences) Avx512F.MaskStore(y + row * units, live, h);
                    else if (t == steps - 1) Avx512F.MaskStore(y + n * units, live, h);
                }
            }
        }
    }

    // Each step (t = T-1 .. 0) in two passes over the batch rows, as forward: the gate backward into dz for every row,
    // then dL/dh_{t-1} = dz_t Uᵀ for every row. Then dW, dU, db and dx over all steps.
    private readonly struct BackwardLoop(float* dx, float* dw, float* du, float* db, float* dz, float* dy, float* x, float* gates, float* cells,
                                         float* cellAct, float* hidden, float* utp, float* wtp, float* dh, float* dc,
                                         int steps, int batch, int inputs, int units, bool sequences) : IGateLoop
    {
        public void Run<TW, TA, TR>() where TW : struct, IRowWidth
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            int rl = 16 * TW.V, p = 4 * TW.V;
            var live = Mask(units);
            bool compact = CompactRows(units);
            float* dzc = dz + steps * batch * rl;
            var indices = new PackedIndices(units, TW.V);
            for (int t = steps - 1; t >= 0; t--)
            {
                for (int n = 0; n < batch; n++)
                {
                    int row = t * batch + n;
                    // dL/dh_t: the recurrent part (from step t+1) plus the output's own gradient.
                    var dhv = Vector512.Load(dh + n * Lanes);
                    if (sequences) dhv += Avx512F.MaskLoad(dy + row * units, live, Vector512<float>.Zero);
                    else if (t == steps - 1) dhv += Avx512F.MaskLoad(dy + n * units, live, Vector512<float>.Zero);
                    var dcPrev = GateBackward<TW, TA, TR>(dhv, Vector512.Load(dc + n * Lanes), gates + row * rl, Vector512.Load(cellAct + row * p),
                                                          Vector512.Load(cells + row * p), out var d0, out var d1, out var d2, out var d3);
                    StoreRow<TW>(dz + row * rl, d0, d1, d2, d3);
                    if (TW.V == 4 && compact)
                    {
                        float* c = dzc + row * 48;
                        Avx512F.PermuteVar16x32x2(d0, indices.A, d3).Store(c);
                        Avx512F.PermuteVar16x32x2(d1, indices.B, d3).Store(c + 16);
                        d2.Store(c + 32);
                    }
                    dcPrev.Store(dc + n * Lanes);
                }
                if (t == 0) break;
                // dL/dh_{t-1} through z_t = ... + h_{t-1} U: Σ_j dz_j Uᵀ_j over the live lanes, one partial sum per vector,
                // dz_j broadcast from the registers by lane permutes; two rows at a time share the loads of Uᵀ.
                int pairs = batch / 2 * 2;
                for (int n = 0; n < pairs; n += 2)
                {
                    float* zr = dz + (t * batch + n) * rl;
                    Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, r0 = default, r1 = default, r2 = default, r3 = default;
                    for (int q = 0; q < 4 / TW.V; q++)
                        for (int j = 0; j < units; j++)
                        {
                            int l = q * p + j;
                            var u0 = Vector512.Load(utp + l * Lanes);
                            s0 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[l]), u0, s0);
                            r0 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[rl + l]), u0, r0);
                            if (TW.V > 1)
                            {
                                var u1 = Vector512.Load(utp + (16 + l) * Lanes);
                                s1 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[16 + l]), u1, s1);
                                r1 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[rl + 16 + l]), u1, r1);
                            }
                            if (TW.V > 2)
                            {
                                Vector512<float> u2 = Vector512.Load(utp + (32 + l) * Lanes), u3 = Vector512.Load(utp + (48 + l) * Lanes);
                                s2 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[32 + l]), u2, s2);
                                r2 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[rl + 32 + l]), u2, r2);
                                s3 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[48 + l]), u3, s3);
                                r3 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[rl + 48 + l]), u3, r3);
                            }
                        }
                    ((s0 + s1) + (s2 + s3)).Store(dh + n * Lanes);
                    ((r0 + r1) + (r2 + r3)).Store(dh + (n + 1) * Lanes);
                }
                for (int n = pairs; n < batch; n++)
                {
                    LoadRow<TW>(dz + (t * batch + n) * rl, out var d0, out var d1, out var d2, out var d3);
                    Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
                    for (int q = 0; q < 4 / TW.V; q++)
                        for (int j = 0; j < units; j++)
                        {
                            int l = q * p + j;
                            var lane = Vector512.Create(l);
                            s0 = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32(d0, lane), Vector512.Load(utp + l * Lanes), s0);
                            if (TW.V > 1) s1 = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32(d1, lane), Vector512.Load(utp + (16 + l) * Lanes), s1);
                            if (TW.V > 2)
                            {
                                s2 = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32(d2, lane), Vector512.Load(utp + (32 + l) * Lanes), s2);
                                s3 = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32(d3, lane), Vector512.Load(utp + (48 + l) * Lanes), s3);
                            }
                        }
                    ((s0 + s1) + (s2 + s3)).Store(dh + n * Lanes);
                }
            }
            if (TW.V == 4 && compact)
            {
                // dW, dU, db from the compact copy (three vectors a row), dx from the padded rows
                WeightGradients<ThreeVectors>(null, dw, du, db, dzc, x, hidden, p, wtp, steps * batch, batch, inputs, units);
                if (dx != null) InputGradient<TW>(dx, dz, wtp, steps * batch, inputs, units);
            }
            else WeightGradients<TW>(dx, dw, du, db, dz, x, hidden, p, wtp, steps * batch, batch, inputs, units);
        }
    }

    // ---- one unit: the batch in the lanes ----

    // A layer of one unit would fill 4 of a row's 16 lanes, so the loops below hold B = 4 V batch rows per block instead (V = 1, 2
    // or 4 for N <= 4, <= 8, else): lane q B + n is gate q of row n0 + n, the layout the loops above use for B units, so the gate
    // math (Activate, Split, GateBackward) is theirs. Per step and block: z += h_{t-1}[n] U[q] (h's lanes spread to the gate
    // blocks by one permute), the gates of B rows in one pass. dz leaves in the one-unit row layout (gate q at lane 4q, R = 16),
    // h in rows of one float (lda 1), so the weight gradients after the loop are those of the row layout.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Blocks(int batch) => (batch + 4 * RowVectors(batch) - 1) / (4 * RowVectors(batch));

    // x[n, f] of the block's rows in lanes n of one vector per f: xt (F, 16), lanes past the block's rows keep older finite values.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeBlock(float* xt, float* x, int count, int inputs)
    {
        for (int n = 0; n < count; n++)
            for (int f = 0; f < inputs; f++) xt[f * Lanes + n] = x[n * inputs + f];
    }

    // Row n of a block (gate q at lane q B + n) in the one-unit row layout (gate q at lane 4q; the other lanes are dead).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Unblock<TW>(int n, Vector512<float> d0, Vector512<float> d1, Vector512<float> d2, Vector512<float> d3)
        where TW : struct, IRowWidth
    {
        var at = Vector512.Create(n);
        var gate = Vector512.ShiftRightLogical(Vector512<int>.Indices, 2); // q of lane 4q + j
        if (TW.V == 1) return Avx512F.PermuteVar16x32(d0, Vector512.ShiftLeft(gate, 2) + at);
        if (TW.V == 2) return Avx512F.PermuteVar16x32x2(d0, Vector512.ShiftLeft(gate, 3) + at, d1);
        // lanes 0-3: i, 4-7: f (from d0, d1); then g, o likewise from d2, d3; then both halves into one vector
        var pair = Vector512.ConditionalSelect(Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(4)), at, at + Vector512.Create(16));
        var low = Avx512F.PermuteVar16x32x2(d0, pair, d1);
        var high = Avx512F.PermuteVar16x32x2(d2, pair, d3);
        return Avx512F.PermuteVar16x32x2(low, Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23), high);
    }

    // wp (F, R) x rows repeated: wp[f, q B + n] = W[f, q]; up (1, R), bp (R) likewise. Cells, cellAct: blocks of B floats per
    // (step, block), c_0 = 0 in the first; hidden: h_t (T+1) N rows of one float, h_0 = 0, then 16 floats of slack and the
    // blocks' h_{t-1} (16 floats each, stored whole so that the next step's reload is forwarded from the store).
    private readonly struct BatchForwardLoop(float* y, float* x, float* wp, float* up, float* bp, float* gates, float* cells, float* cellAct, float* hidden,
                                             int steps, int batch, int inputs, bool sequences) : IGateLoop
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
                        FmaRow<TW>(Avx512F.PermuteVar16x32(Vector512.Load(xt + f * Lanes), spread), wp + f * rl, ref z0, ref z1, ref z2, ref z3);
                    StoreRow<TW>(gates + (t * blocks + k) * rl, z0, z1, z2, z3);
                }
            var gLanes = GLanes<TW>();
            float* hs = hidden + (steps + 1) * batch + Lanes;
            for (int t = 0; t < steps; t++)
                for (int k = 0; k < blocks; k++)
                {
                    int n0 = k * pb, block = t * blocks + k;
                    var live = Mask(Math.Min(pb, batch - n0));
                    float* z = gates + block * rl;
                    LoadRow<TW>(z, out var a0, out var a1, out var a2, out var a3);
                    if (t > 0) FmaRow<TW>(Avx512F.PermuteVar16x32(Vector512.Load(hs + k * Lanes), spread), up, ref a0, ref a1, ref a2, ref a3);
                    Activate<TW, TA, TR>(ref a0, ref a1, ref a2, ref a3, gLanes);
                    StoreRow<TW>(z, a0, a1, a2, a3);
                    Split<TW>(a0, a1, a2, a3, out var i, out var fg, out var g, out var o);
                    var c = Vector512.FusedMultiplyAdd(i, g, fg * Vector512.Load(cells + block * pb)) & live;
                    var s = TA.Invoke(c);
                    var h = o * s;
                    c.Store(cells + (block + blocks) * pb); // 16 lanes over B-float blocks: the blocks after are written later
                    s.Store(cellAct + block * pb);
                    h.Store(hs + k * Lanes);
                    Avx512F.MaskStore(hidden + (t + 1) * batch + n0, live, h);
                    if (sequences) Avx512F.MaskStore(y + t * batch + n0, live, h);
                    else if (t == steps - 1) Avx512F.MaskStore(y + n0, live, h);
                }
        }
    }

    // utp (R) = U repeated as wp above; wtp as for the row layout of one unit. dh, dc: (blocks, 16), zero on entry.
    private readonly struct BatchBackwardLoop(float* dx, float* dw, float* du, float* db, float* dz, float* dy, float* x, float* gates, float* cells,
                                              float* cellAct, float* hidden, float* utp, float* wtp, float* dh, float* dc,
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
                    var dcPrev = GateBackward<TW, TA, TR>(dhv, Vector512.Load(dc + k * Lanes), gates + block * rl, Vector512.Load(cellAct + block * pb),
                                                          Vector512.Load(cells + block * pb), out var d0, out var d1, out var d2, out var d3);
                    dcPrev.Store(dc + k * Lanes);
                    for (int n = 0; n < count; n++) Unblock<TW>(n, d0, d1, d2, d3).Store(dz + (t * batch + n0 + n) * Lanes);
                    if (t == 0) continue;
                    // dL/dh_{t-1}[n] = Σ_q dz[q B + n] U[q]: the products, then the gate blocks folded onto lanes 0 .. B-1.
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

    // The weight gradients and dx over all steps at once, off the time loop's dependency chain, from dz (rows, R) in the padded
    // layout of the units: dW += Xᵀ dZ, dU += H_{t-1}ᵀ dZ (hidden row t N + n = h_{t-1} of row n, h_0 = 0, rows
    // lda apart), db += Σ dz, dx = dZ Wᵀ unless null.
    private static void WeightGradients<TW>(float* dx, float* dw, float* du, float* db, float* dz, float* x, float* hidden, int lda, float* wtp,
                                            int rows, int batch, int inputs, int units) where TW : struct, IRowWidth
    {
        int rl = 16 * TW.V;
        float* tmp = stackalloc float[64];
        AddOuterProducts<TW>(dw, dz, x, inputs, rows, inputs, units, tmp);
        AddOuterProducts<TW>(du, dz + batch * rl, hidden + batch * lda, lda, rows - batch, units, units, tmp); // h_0 = 0: its rows add nothing
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int r = 0; r < rows; r++)
        {
            LoadRow<TW>(dz + r * rl, out var d0, out var d1, out var d2, out var d3);
            c0 += d0; c1 += d1; c2 += d2; c3 += d3;
        }
        AddUnpacked<TW>(db, units, tmp, c0, c1, c2, c3);
        if (dx != null) InputGradient<TW>(dx, dz, wtp, rows, inputs, units);
    }

    // d (count, 4H) += aᵀ dz over rows: d_k += Σ_r a[r lda + k] dz_r, four k at a time (up to 16 accumulators: enough
    // independent chains to keep the FMA pipes busy), unpacked on the way out.
    private static void AddOuterProducts<TW>(float* d, float* dz, float* a, int lda, int rows, int count, int units, float* tmp) where TW : struct, IRowWidth
    {
        int rl = 16 * TW.V;
        for (int k = 0; k < count; k += 4)
        {
            int more = count - k; // the last block may have fewer than 4 columns (a branch the predictor learns)
            Vector512<float> i0 = default, f0 = default, g0 = default, o0 = default, i1 = default, f1 = default, g1 = default, o1 = default;
            Vector512<float> i2 = default, f2 = default, g2 = default, o2 = default, i3 = default, f3 = default, g3 = default, o3 = default;
            for (int r = 0; r < rows; r++)
            {
                float* zr = dz + r * rl, ar = a + r * lda;
                FmaRow<TW>(Vector512.Create(ar[k]), zr, ref i0, ref f0, ref g0, ref o0);
                if (more > 1) FmaRow<TW>(Vector512.Create(ar[k + 1]), zr, ref i1, ref f1, ref g1, ref o1);
                if (more > 2) FmaRow<TW>(Vector512.Create(ar[k + 2]), zr, ref i2, ref f2, ref g2, ref o2);
                if (more > 3) FmaRow<TW>(Vector512.Create(ar[k + 3]), zr, ref i3, ref f3, ref g3, ref o3);
            }
            AddUnpacked<TW>(d + k * 4 * units, units, tmp, i0, f0, g0, o0);
            if (more > 1) AddUnpacked<TW>(d + (k + 1) * 4 * units, units, tmp, i1, f1, g1, o1);
            if (more > 2) AddUnpacked<TW>(d + (k + 2) * 4 * units, units, tmp, i2, f2, g2, o2);
            if (more > 3) AddUnpacked<TW>(d + (k + 3) * 4 * units, units, tmp, i3, f3, g3, o3);
        }
    }

    // dx (rows, F) = dz Wᵀ: Σ_j dz_j Wᵀ_j over the live lanes, 16 inputs at a time. dz was stored long before (the
    // time loop), so its lanes are broadcast straight from memory.
    private static void InputGradient<TW>(float* dx, float* dz, float* wtp, int rows, int inputs, int units) where TW : struct, IRowWidth
    {
        int rl = 16 * TW.V, p = 4 * TW.V, fp = PaddedInputs(inputs);
        var lastMask = Mask(inputs - (fp - Lanes));
        int r = 0;
        // Eight rows at a time: each Wᵀ row is loaded once for eight broadcast FMAs (one row at a time the loads were the limit).
        for (; r + 8 <= rows; r += 8)
        {
            float* zr = dz + r * rl, dxr = dx + r * inputs;
            for (int c = 0; c < fp; c += Lanes)
            {
                Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
                for (int v = 0; v < TW.V; v++)
                    for (int q = 0; q < 4 / TW.V; q++)
                        for (int j = 0; j < units; j++)
                        {
                            int l = 16 * v + q * p + j;
                            var w = Vector512.Load(wtp + l * fp + c);
                            s0 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[l]), w, s0);
                            s1 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[rl + l]), w, s1);
                            s2 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[2 * rl + l]), w, s2);
                            s3 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[3 * rl + l]), w, s3);
                            s4 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[4 * rl + l]), w, s4);
                            s5 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[5 * rl + l]), w, s5);
                            s6 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[6 * rl + l]), w, s6);
                            s7 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[7 * rl + l]), w, s7);
                        }
                if (c + Lanes <= inputs)
                {
                    s0.Store(dxr + c); s1.Store(dxr + inputs + c); s2.Store(dxr + 2 * inputs + c); s3.Store(dxr + 3 * inputs + c);
                    s4.Store(dxr + 4 * inputs + c); s5.Store(dxr + 5 * inputs + c); s6.Store(dxr + 6 * inputs + c); s7.Store(dxr + 7 * inputs + c);
                }
                else
                {
                    Avx512F.MaskStore(dxr + c, lastMask, s0); Avx512F.MaskStore(dxr + inputs + c, lastMask, s1);
                    Avx512F.MaskStore(dxr + 2 * inputs + c, lastMask, s2); Avx512F.MaskStore(dxr + 3 * inputs + c, lastMask, s3);
                    Avx512F.MaskStore(dxr + 4 * inputs + c, lastMask, s4); Avx512F.MaskStore(dxr + 5 * inputs + c, lastMask, s5);
                    Avx512F.MaskStore(dxr + 6 * inputs + c, lastMask, s6); Avx512F.MaskStore(dxr + 7 * inputs + c, lastMask, s7);
                }
            }
        }
        for (; r < rows; r++)
        {
            float* zr = dz + r * rl, dxr = dx + r * inputs;
            for (int c = 0; c < fp; c += Lanes)
            {
                Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
                for (int q = 0; q < 4 / TW.V; q++)
                    for (int j = 0; j < units; j++)
                    {
                        int l = q * p + j;
                        float* w = wtp + l * fp + c;
                        s0 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[l]), Vector512.Load(w), s0);
                        if (TW.V > 1) s1 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[16 + l]), Vector512.Load(w + 16 * fp), s1);
                        if (TW.V > 2)
                        {
                            s2 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[32 + l]), Vector512.Load(w + 32 * fp), s2);
                            s3 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[48 + l]), Vector512.Load(w + 48 * fp), s3);
                        }
                    }
                var sum = (s0 + s1) + (s2 + s3);
                if (c + Lanes <= inputs) sum.Store(dxr + c);
                else Avx512F.MaskStore(dxr + c, lastMask, sum);
            }
        }
    }
}
