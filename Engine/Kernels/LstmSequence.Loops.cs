using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.Kernels;

// LstmSequence: the forward and backward time loops, one straight-line loop per (row width, activation pair).
internal static unsafe partial class LstmSequence
{
    // ---- one straight-line loop per (row width, activation, recurrent activation) ----

    private interface IGateLoop
    {
        void Run<TW, TA, TR>() where TW : struct, IRowWidth
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator;
    }

    // lanes: what one gate block must hold (the units, or the batch rows of a block in the batch-in-lanes layout).
    private static void Dispatch<TLoop>(ref TLoop loop, int lanes, Activation a, Activation r) where TLoop : struct,
    IGateLoop
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

    // Each step in two passes over the batch rows: the recurrent product for every row, then the gate math for every
    // row.
    // The rows are independent, so the core overlaps their dependency chains (product -> exp -> c -> h); one pass per
    // row would run them one after another, since a row's whole step is more than the out-of-order window holds.
    private readonly struct ForwardLoop(float* y, float* x, float* wp, float* up, float* bp, float* gates, float* cells,
                                        float* cellAct, float* hidden,
                                        int steps, int batch, int inputs, int units, bool sequences,
                                        bool resumed) : IGateLoop
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
                    FmaRows<TZ>(Vector512.Create(xr[f]), Vector512.Create(xr[inputs + f]), wp + f * rl, ref z0, ref z1,
                                ref z2, ref z3, ref y0, ref y1, ref y2, ref y3);
                StoreRow<TZ>(gates + first * rl, z0, z1, z2, z3);
                StoreRow<TZ>(gates + (first + 1) * rl, y0, y1, y2, y3);
            }
            for (int row = first; row < rows; row++)
            {
                Vector512<float> z0 = b0, z1 = b1, z2 = b2, z3 = b3;
                float* xr = x + row * inputs;
                for (int f = 0; f < inputs; f++)
                    FmaRow<TZ>(Vector512.Create(xr[f]), wp + f * rl, ref z0, ref z1, ref z2, ref z3);
                StoreRow<TZ>(gates + row * rl, z0, z1, z2, z3);
            }
            var live = Mask(units);
            var gLanes = GLanes<TW>();
            bool packed = 3 * units <= 2 * p; // rows of two vectors: i, f and o fit in one (ActivatePacked)
            var indices = new PackedIndices(units, TW.V);
            for (int t = 0; t < steps; t++)
            {
                // h_{-1} U = 0 at step 0, unless the pass resumes from a state
                bool recurrent = t > 0 || resumed;
                int pairs = recurrent ? batch / 2 * 2 : 0;
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
                if (recurrent)
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
                        // i and f hold o in their lanes past H (dead lanes there)
                        o = a3 = Avx512F.PermuteVar16x32x2(i, indices.C, fg);
                    }
                    else if (TW.V == 2 && packed)
                        ActivatePacked<TW, TA,
                        TR>(ref a0, ref a1, ref a2, ref a3, in indices, out i, out fg, out g, out o);
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
    private readonly struct BackwardLoop(float* dx, float* dw, float* du, float* db, float* dz, float* dy, float* x,
                                         float* gates, float* cells,
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
                    var dcPrev = GateBackward<TW, TA,
                    TR>(dhv, Vector512.Load(dc + n * Lanes), gates + row * rl, Vector512.Load(cellAct + row * p),
                                                          Vector512.Load(cells + row * p), out var d0, out var d1,
                                                          out var d2, out var d3);
                    StoreRow<TW>(dz + row * rl, d0, d1, d2, d3);
                    if (TW.V == 4 && compact && dw != null)
                    {
                        float* c = dzc + row * 48;
                        Avx512F.PermuteVar16x32x2(d0, indices.A, d3).Store(c);
                        Avx512F.PermuteVar16x32x2(d1, indices.B, d3).Store(c + 16);
                        d2.Store(c + 32);
                    }
                    dcPrev.Store(dc + n * Lanes);
                }
                if (t == 0) break;
                // dL/dh_{t-1} through z_t = ... + h_{t-1} U: Σ_j dz_j Uᵀ_j over the live lanes, one partial sum per
                // vector,
                // dz_j broadcast from the registers by lane permutes; two rows at a time share the loads of Uᵀ.
                int pairs = batch / 2 * 2;
                for (int n = 0; n < pairs; n += 2)
                {
                    float* zr = dz + (t * batch + n) * rl;
                    Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, r0 = default, r1 = default,
                    r2 = default, r3 = default;
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
                                Vector512<float> u2 = Vector512.Load(utp + (32 + l) * Lanes),
                                u3 = Vector512.Load(utp + (48 + l) * Lanes);
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
                            s0 = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32(d0, lane),
                                                            Vector512.Load(utp + l * Lanes), s0);
                            if (TW.V > 1)
                                s1 = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32(d1, lane),
                                                                Vector512.Load(utp + (16 + l) * Lanes), s1);
                            if (TW.V > 2)
                            {
                                s2 = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32(d2, lane),
                                                                Vector512.Load(utp + (32 + l) * Lanes), s2);
                                s3 = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32(d3, lane),
                                                                Vector512.Load(utp + (48 + l) * Lanes), s3);
                            }
                        }
                    ((s0 + s1) + (s2 + s3)).Store(dh + n * Lanes);
                }
            }
            if (TW.V == 4 && compact)
            {
                // dW, dU, db from the compact copy (three vectors a row), dx from the padded rows
                WeightGradients<ThreeVectors>(null, dw, du, db, dzc, x, hidden, p, wtp, steps * batch, batch, inputs,
                                              units);
                if (dx != null) InputGradient<TW>(dx, dz, wtp, steps * batch, inputs, units);
            }
            else WeightGradients<TW>(dx, dw, du, db, dz, x, hidden, p, wtp, steps * batch, batch, inputs, units);
        }
    }
}
