using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.Kernels;

// LstmSequence: a row of gates in registers (load, store, products, split and join, activation, gate backward).
internal static unsafe partial class LstmSequence
{
    // ---- row widths as types, so the V-vector loops below compile to straight-line code ----

    internal interface IRowWidth { static abstract int V { get; } }
    internal readonly struct OneVector : IRowWidth { public static int V => 1; }
    internal readonly struct TwoVectors : IRowWidth { public static int V => 2; }
    // the compact forward rows (CompactRows)
    internal readonly struct ThreeVectors : IRowWidth { public static int V => 3; }
    internal readonly struct FourVectors : IRowWidth { public static int V => 4; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadRow<TW>(float* p, out Vector512<float> r0, out Vector512<float> r1, out Vector512<float> r2,
                                    out Vector512<float> r3)
        where TW : struct, IRowWidth
    {
        r0 = Vector512.Load(p);
        r1 = TW.V > 1 ? Vector512.Load(p + 16) : default;
        r2 = TW.V > 2 ? Vector512.Load(p + 32) : default;
        r3 = TW.V > 3 ? Vector512.Load(p + 48) : default;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TW>(float* p, Vector512<float> r0, Vector512<float> r1, Vector512<float> r2,
                                     Vector512<float> r3)
        where TW : struct, IRowWidth
    {
        r0.Store(p);
        if (TW.V > 1) r1.Store(p + 16);
        if (TW.V > 2) r2.Store(p + 32);
        if (TW.V > 3) r3.Store(p + 48);
    }

    // r += v w for a row of V vectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FmaRow<TW>(Vector512<float> v, float* w, ref Vector512<float> r0, ref Vector512<float> r1,
                                   ref Vector512<float> r2, ref Vector512<float> r3)
        where TW : struct, IRowWidth
    {
        r0 = Vector512.FusedMultiplyAdd(v, Vector512.Load(w), r0);
        if (TW.V > 1) r1 = Vector512.FusedMultiplyAdd(v, Vector512.Load(w + 16), r1);
        if (TW.V > 2) r2 = Vector512.FusedMultiplyAdd(v, Vector512.Load(w + 32), r2);
        if (TW.V > 3) r3 = Vector512.FusedMultiplyAdd(v, Vector512.Load(w + 48), r3);
    }

    // Two rows at once, r += v w and s += u w: each vector of w loaded once for both (one row at a time the loads of w
    // were the
    // limit: a 512-bit load per FMA).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FmaRows<TW>(Vector512<float> v, Vector512<float> u, float* w,
                                    ref Vector512<float> r0, ref Vector512<float> r1, ref Vector512<float> r2,
                                    ref Vector512<float> r3,
                                    ref Vector512<float> s0, ref Vector512<float> s1, ref Vector512<float> s2,
                                    ref Vector512<float> s3)
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
                                  out Vector512<float> i, out Vector512<float> f, out Vector512<float> g,
                                  out Vector512<float> o)
        where TW : struct, IRowWidth
    {
        if (TW.V == 4) { i = r0; f = r1; g = r2; o = r3; return; }
        var up8 = Vector512<int>.Indices + Vector512.Create(8);
        if (TW.V == 2)
        {
            i = r0; f = Avx512F.PermuteVar16x32(r0,
            up8); g = r1; o = Avx512F.PermuteVar16x32(r1, up8); return;
        }
        i = r0;
        f = Avx512F.PermuteVar16x32(r0, Vector512<int>.Indices + Vector512.Create(4));
        g = Avx512F.PermuteVar16x32(r0, up8);
        o = Avx512F.PermuteVar16x32(r0, Vector512<int>.Indices + Vector512.Create(12));
    }

    // The inverse of Split: four gate vectors (lanes 0 .. P-1) into a row of V vectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Join<TW>(Vector512<float> i, Vector512<float> f, Vector512<float> g, Vector512<float> o,
                                 out Vector512<float> r0, out Vector512<float> r1, out Vector512<float> r2,
                                 out Vector512<float> r3)
        where TW : struct, IRowWidth
    {
        if (TW.V == 4) { r0 = i; r1 = f; r2 = g; r3 = o; return; }
        // lanes 0-7 of a, then 0-7 of b
        var low8 = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
        r2 = r3 = default;
        if (TW.V == 2)
        {
            r0 = Avx512F.PermuteVar16x32x2(i, low8,
                                                        f); r1 = Avx512F.PermuteVar16x32x2(g, low8, o); return;
        }
        var low4 = Vector512.Create(0, 1, 2, 3, 16, 17, 18, 19, 0, 1, 2, 3, 16, 17, 18, 19);
        r0 = Avx512F.PermuteVar16x32x2(Avx512F.PermuteVar16x32x2(i, low4, f), low8,
                                       Avx512F.PermuteVar16x32x2(g, low4, o));
        r1 = default;
    }

    // One Keras row d (4H) += a padded row (V vectors) of gate sums; tmp holds 64 floats.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddUnpacked<TW>(float* d, int units, float* tmp, Vector512<float> r0, Vector512<float> r1,
                                        Vector512<float> r2, Vector512<float> r3)
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
    private static Vector512<float> GLanes<TW>() where TW : struct, IRowWidth =>
        TW.V == 1 ? Mask(12) & ~Mask(8) : Mask(8);

    // A row of pre-activations (V vectors) activated in place: r on i, f, o; a on g.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Activate<TW, TA,
    TR>(ref Vector512<float> a0, ref Vector512<float> a1, ref Vector512<float> a2, ref Vector512<float> a3,
        Vector512<float> gLanes)
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

    // The permutes of ActivatePacked (rows of two vectors) and of the compact rows (CompactRows: A, B pack, C gets o
    // back) for H
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
                // [i 0..H-1, o 0..15-H] and [f 0..H-1, o 16-H..]: lanes past H take o from its lane l - H, then l - 2H
                // + 16;
                // o lane j is lane H + j of the first below 16 - H, else lane 2H + j - 16 of the second.
                A = Vector512.ConditionalSelect(below, lane, lane - h + Vector512.Create(16));
                B = Vector512.ConditionalSelect(below, lane, lane - h - h + Vector512.Create(32));
                C = Vector512.ConditionalSelect(Vector512.LessThan(lane, Vector512.Create(16) - h), lane + h, lane + h
                                                + h);
                D = E = default;
                return;
            }
            // [i | f], [g | o] (8-lane blocks) -> [i 0..H-1, f, o]; f and o back to lane 0; [i | f] and [g | o] from
            // it.
            var fromF = Vector512.LessThan(lane, h + h);
            var low8 = Vector512.LessThan(lane, Vector512.Create(8));
            A = Vector512.ConditionalSelect(below, lane,
                                            Vector512.ConditionalSelect(fromF, lane - h + Vector512.Create(8),
                                                                        lane - h - h + Vector512.Create(24)));
            B = lane + h;
            C = lane + h + h;
            D = Vector512.ConditionalSelect(low8, lane, lane - Vector512.Create(8) + h);
            E = Vector512.ConditionalSelect(low8, lane, lane + Vector512.Create(8) + h + h);
        }
    }

    // Activate + Split for rows of two vectors whose i, f and o fit in one (3H
    // <= 16): those three gates are packed into one vector,
    // so the gate activation (an exp and a divide per vector) runs on it and g instead of on [i | f] and [g | o] both,
    // for three
    // more permutes. The row goes back in the padded layout (lanes past H of a block may hold other gates' values: dead
    // lanes,
    // never read as live ones).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ActivatePacked<TW, TA,
    TR>(ref Vector512<float> a0, ref Vector512<float> a1, ref Vector512<float> a2, ref Vector512<float> a3,
        in PackedIndices x,
                                                   out Vector512<float> i, out Vector512<float> f,
                                                   out Vector512<float> g, out Vector512<float> o)
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

    // The gate backward of one row (the formulas of LstmCell.Backward): dz (V vectors, padded layout) from dL/dh_t,
    // dL/dc_t (after
    // this step's own term), the activated gates, s = a(c_t) and c_{t-1}; returns the part of dL/dc_{t-1} through c_t,
    // dc f.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> GateBackward<TW, TA,
    TR>(Vector512<float> dhv, Vector512<float> dcNext, float* gates, Vector512<float> s, Vector512<float> cPrev,
                                                             out Vector512<float> d0, out Vector512<float> d1,
                                                             out Vector512<float> d2, out Vector512<float> d3)
        where TW : struct, IRowWidth where TA : struct, IActivationOperator where TR : struct, IActivationOperator
    {
        LoadRow<TW>(gates, out var a0, out var a1, out var a2, out var a3);
        Split<TW>(a0, a1, a2, a3, out var i, out var f, out var g, out var o);
        var dcv = Vector512.FusedMultiplyAdd(dhv * o, TA.Derivative(s), dcNext);
        Join<TW>(dcv * g * TR.Derivative(i), dcv * cPrev * TR.Derivative(f), dcv * i * TA.Derivative(g),
                 dhv * s * TR.Derivative(o), out d0, out d1, out d2, out d3);
        return dcv * f;
    }
}
