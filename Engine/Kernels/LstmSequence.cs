using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Engine.Kernels.LstmGates;

namespace Engine.Kernels;

/// <summary>
/// A whole LSTM time loop, forward and backward, in one call for a layer of at most 16 units on 512-bit vectors.
/// Each gate block is padded to one vector (16 lanes), so a row's four gates are four registers:
/// <code>
/// wp     // (F, 64)  W with gate q's H columns at lanes q*16 .. q*16+H-1, zero elsewhere
/// up     // (H, 64)  U, padded likewise
/// bp     // (64)     b, padded likewise
/// utp    // (64, 16) Uᵀ: row q*16+j holds U[:, q*H+j] (H values), zero elsewhere
/// wtp    // (64, Fp) Wᵀ: row q*16+j holds W[:, q*H+j] (F values), Fp = F rounded up to 16
/// gates  // (T N, 64)        activated i, f, g, o, padded
/// cells  // ((T+1) N, 16)    c_t, block 0 = c_0 = 0
/// cellAct// (T N, 16)        a(c_t)
/// hidden // ((T+1) N, 16)    h_t, block 0 = h_0 = 0
/// </code>
/// Forward per step and row: z = b + Σ_f x_f W_f + Σ_k h_k U_k as broadcast FMAs into the four gate registers,
/// then the gate math of <see cref="LstmCell"/> on them, with no call, store or reload in between.
/// Backward per step and row (t = T-1 .. 0): the gate backward of <see cref="LstmCell"/>, then, still in
/// registers, db += dz, dW_f += x_f dz, dU_k += h_{t-1,k} dz, dh_{t-1} = Σ_j dz_j Uᵀ_j and dx = Σ_j dz_j Wᵀ_j.
/// Lanes beyond H hold bounded values that never reach a lane below H: the broadcasts read only lanes below H
/// and every result is stored or unpacked through an H-lane mask.
/// The general path (<see cref="GemmPacked"/> products and <see cref="LstmGates"/>) is this kernel's twin.
/// </summary>
internal static unsafe class LstmSequence
{
    public const int Lanes = 16, Row = 64;

    /// <summary>Whether a layer of <paramref name="units"/> takes this path on this machine.</summary>
    public static bool Supported(int units) => Vector512.IsHardwareAccelerated && units <= Lanes;

    /// <summary>F rounded up to whole vectors: the row length of <c>wtp</c>.</summary>
    public static int PaddedInputs(int inputs) => (inputs + Lanes - 1) / Lanes * Lanes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mask(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    /// <summary>dst (rows, 64) = src (rows, 4H) with each gate block padded to 16 lanes.</summary>
    public static void PackRows(float* dst, float* src, int rows, int units)
    {
        var mask = Mask(units);
        int g = 4 * units;
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < 4; q++)
                Vector512.Store(Avx512F.MaskLoad(src + r * g + q * units, mask, Vector512<float>.Zero), dst + r * Row + q * Lanes);
    }

    /// <summary>dst (64, width), row q*16+j = column q*H+j of src (rows, 4H); zero elsewhere. width ≥ rows.</summary>
    public static void PackTransposed(float* dst, float* src, int rows, int units, int width)
    {
        new Span<float>(dst, Row * width).Clear();
        int g = 4 * units;
        for (int q = 0; q < 4; q++)
            for (int j = 0; j < units; j++)
            {
                float* d = dst + (q * Lanes + j) * width, s = src + q * units + j;
                for (int k = 0; k < rows; k++) d[k] = s[k * g];
            }
    }

    /// <summary>
    /// The forward time loop; <paramref name="y"/> gets h_t (T N, H) when <paramref name="sequences"/>, else h_T (N, H).
    /// Block 0 of <paramref name="cells"/> and <paramref name="hidden"/> must be zero.
    /// </summary>
    public static void Forward(float* y, float* x, float* wp, float* up, float* bp, float* gates, float* cells, float* cellAct, float* hidden,
                               Activation a, Activation r, int steps, int batch, int inputs, int units, bool sequences)
    {
        InputProjection(gates, x, wp, bp, steps * batch, inputs);
        var k = new ForwardLoop(y, up, gates, cells, cellAct, hidden, steps, batch, units, sequences);
        Dispatch(ref k, a, r);
    }

    /// <summary>
    /// Backpropagation through time after <see cref="Forward"/>: adds dW into <paramref name="dw"/> (F, 4H), dU into
    /// <paramref name="du"/> (H, 4H) and db into <paramref name="db"/> (4H), Keras' layouts; writes dx (T N, F) unless null.
    /// dy as <see cref="Forward"/>'s y. dz (T N, 64) receives dL/dz; dh, dc (N, 16) are scratch.
    /// </summary>
    public static void Backward(float* dx, float* dw, float* du, float* db, float* dz, float* dy, float* x, float* gates, float* cells, float* cellAct,
                                float* hidden, float* utp, float* wtp, float* dh, float* dc,
                                Activation a, Activation r, int steps, int batch, int inputs, int units, bool sequences)
    {
        var k = new BackwardLoop(dz, dy, gates, cells, cellAct, utp, dh, dc, steps, batch, units, sequences);
        Dispatch(ref k, a, r);
        // The weight gradients and dx over all steps at once, off the time loop's dependency chain.
        int rows = steps * batch;
        AddOuterProducts(dw, x, inputs, dz, rows, inputs, units);
        AddOuterProducts(du, hidden, Lanes, dz, rows, units, units); // hidden row t N + n = h_{t-1} of row n, h_0 = 0
        AddColumnSums(db, dz, rows, units);
        if (dx != null) InputGradient(dx, dz, wtp, rows, inputs, units);
    }

    // z (rows, 64) = b + x (rows, F) W: the input projection of every step, before the time loop.
    private static void InputProjection(float* z, float* x, float* wp, float* bp, int rows, int inputs)
    {
        Vector512<float> b0 = Vector512.Load(bp), b1 = Vector512.Load(bp + 16), b2 = Vector512.Load(bp + 32), b3 = Vector512.Load(bp + 48);
        for (int r = 0; r < rows; r++)
        {
            Vector512<float> zi = b0, zf = b1, zg = b2, zo = b3;
            float* xr = x + r * inputs;
            for (int f = 0; f < inputs; f++)
            {
                var v = Vector512.Create(xr[f]);
                float* w = wp + f * Row;
                zi = Vector512.FusedMultiplyAdd(v, Vector512.Load(w), zi);
                zf = Vector512.FusedMultiplyAdd(v, Vector512.Load(w + 16), zf);
                zg = Vector512.FusedMultiplyAdd(v, Vector512.Load(w + 32), zg);
                zo = Vector512.FusedMultiplyAdd(v, Vector512.Load(w + 48), zo);
            }
            float* zr = z + r * Row;
            zi.Store(zr); zf.Store(zr + 16); zg.Store(zr + 32); zo.Store(zr + 48);
        }
    }

    // d (count, 4H) += aᵀ dz over rows: d_k += Σ_r a[r lda + k] dz_r, four k at a time (16 accumulators: enough
    // independent chains to keep both FMA pipes busy), unpadded on the way out.
    private static void AddOuterProducts(float* d, float* a, int lda, float* dz, int rows, int count, int units)
    {
        var mask = Mask(units);
        for (int k = 0; k < count; k += 4)
        {
            // Columns past count repeat the last one (in bounds); their sums are dropped.
            int k1 = Math.Min(k + 1, count - 1), k2 = Math.Min(k + 2, count - 1), k3 = Math.Min(k + 3, count - 1);
            Vector512<float> i0 = default, f0 = default, g0 = default, o0 = default, i1 = default, f1 = default, g1 = default, o1 = default;
            Vector512<float> i2 = default, f2 = default, g2 = default, o2 = default, i3 = default, f3 = default, g3 = default, o3 = default;
            for (int r = 0; r < rows; r++)
            {
                float* zr = dz + r * Row, ar = a + r * lda;
                Vector512<float> zi = Vector512.Load(zr), zf = Vector512.Load(zr + 16), zg = Vector512.Load(zr + 32), zo = Vector512.Load(zr + 48);
                var v = Vector512.Create(ar[k]);
                i0 = Vector512.FusedMultiplyAdd(v, zi, i0); f0 = Vector512.FusedMultiplyAdd(v, zf, f0); g0 = Vector512.FusedMultiplyAdd(v, zg, g0); o0 = Vector512.FusedMultiplyAdd(v, zo, o0);
                v = Vector512.Create(ar[k1]);
                i1 = Vector512.FusedMultiplyAdd(v, zi, i1); f1 = Vector512.FusedMultiplyAdd(v, zf, f1); g1 = Vector512.FusedMultiplyAdd(v, zg, g1); o1 = Vector512.FusedMultiplyAdd(v, zo, o1);
                v = Vector512.Create(ar[k2]);
                i2 = Vector512.FusedMultiplyAdd(v, zi, i2); f2 = Vector512.FusedMultiplyAdd(v, zf, f2); g2 = Vector512.FusedMultiplyAdd(v, zg, g2); o2 = Vector512.FusedMultiplyAdd(v, zo, o2);
                v = Vector512.Create(ar[k3]);
                i3 = Vector512.FusedMultiplyAdd(v, zi, i3); f3 = Vector512.FusedMultiplyAdd(v, zf, f3); g3 = Vector512.FusedMultiplyAdd(v, zg, g3); o3 = Vector512.FusedMultiplyAdd(v, zo, o3);
            }
            AddGateRow(d + k * 4 * units, units, mask, i0, f0, g0, o0);
            if (k + 1 < count) AddGateRow(d + (k + 1) * 4 * units, units, mask, i1, f1, g1, o1);
            if (k + 2 < count) AddGateRow(d + (k + 2) * 4 * units, units, mask, i2, f2, g2, o2);
            if (k + 3 < count) AddGateRow(d + (k + 3) * 4 * units, units, mask, i3, f3, g3, o3);
        }
    }

    // d (4H) += Σ_r dz_r.
    private static void AddColumnSums(float* d, float* dz, int rows, int units)
    {
        Vector512<float> i0 = default, f0 = default, g0 = default, o0 = default;
        for (int r = 0; r < rows; r++)
        {
            float* zr = dz + r * Row;
            i0 += Vector512.Load(zr); f0 += Vector512.Load(zr + 16); g0 += Vector512.Load(zr + 32); o0 += Vector512.Load(zr + 48);
        }
        AddGateRow(d, units, Mask(units), i0, f0, g0, o0);
    }

    // One Keras row (4H) += four padded gate vectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddGateRow(float* d, int units, Vector512<float> mask, Vector512<float> i, Vector512<float> f, Vector512<float> g, Vector512<float> o)
    {
        Avx512F.MaskStore(d, mask, Avx512F.MaskLoad(d, mask, Vector512<float>.Zero) + i);
        Avx512F.MaskStore(d + units, mask, Avx512F.MaskLoad(d + units, mask, Vector512<float>.Zero) + f);
        Avx512F.MaskStore(d + 2 * units, mask, Avx512F.MaskLoad(d + 2 * units, mask, Vector512<float>.Zero) + g);
        Avx512F.MaskStore(d + 3 * units, mask, Avx512F.MaskLoad(d + 3 * units, mask, Vector512<float>.Zero) + o);
    }

    // dx (rows, F) = dz Wᵀ: Σ_j dz_j Wᵀ_j over the H live lanes of each gate, 16 inputs at a time. dz was stored long
    // before (the time loop), so its lanes are broadcast straight from memory.
    private static void InputGradient(float* dx, float* dz, float* wtp, int rows, int inputs, int units)
    {
        int fp = PaddedInputs(inputs);
        var lastMask = Mask(inputs - (fp - Lanes));
        for (int r = 0; r < rows; r++)
        {
            float* zr = dz + r * Row, dxr = dx + r * inputs;
            for (int c = 0; c < fp; c += Lanes)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                float* w = wtp + c;
                for (int j = 0; j < units; j++, w += fp)
                {
                    a0 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[j]), Vector512.Load(w), a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[16 + j]), Vector512.Load(w + 16 * fp), a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[32 + j]), Vector512.Load(w + 32 * fp), a2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[48 + j]), Vector512.Load(w + 48 * fp), a3);
                }
                var sum = (a0 + a1) + (a2 + a3);
                if (c + Lanes <= inputs) sum.Store(dxr + c);
                else Avx512F.MaskStore(dxr + c, lastMask, sum);
            }
        }
    }

    // ---- one straight-line loop per (activation, recurrent activation) pair ----

    private interface IGateLoop
    {
        void Run<TA, TR>() where TA : struct, IGateActivation where TR : struct, IGateActivation;
    }

    private static void Dispatch<TLoop>(ref TLoop loop, Activation a, Activation r) where TLoop : struct, IGateLoop
    {
        switch (a)
        {
            case Activation.Relu: Dispatch<TLoop, Relu>(ref loop, r); break;
            case Activation.Tanh: Dispatch<TLoop, Tanh>(ref loop, r); break;
            case Activation.Sigmoid: Dispatch<TLoop, Sigmoid>(ref loop, r); break;
            case Activation.HardSigmoid: Dispatch<TLoop, HardSigmoid>(ref loop, r); break;
            default: Dispatch<TLoop, Linear>(ref loop, r); break;
        }
    }

    private static void Dispatch<TLoop, TA>(ref TLoop loop, Activation r) where TLoop : struct, IGateLoop where TA : struct, IGateActivation
    {
        switch (r)
        {
            case Activation.Sigmoid: loop.Run<TA, Sigmoid>(); break;
            case Activation.HardSigmoid: loop.Run<TA, HardSigmoid>(); break;
            case Activation.Tanh: loop.Run<TA, Tanh>(); break;
            case Activation.Relu: loop.Run<TA, Relu>(); break;
            default: loop.Run<TA, Linear>(); break;
        }
    }

    // Each step in two passes over the batch rows: the recurrent product for every row, then the gate math for every row.
    // The rows are independent, so the core overlaps their dependency chains (product -> exp -> c -> h); one pass per
    // row would run them one after another, since a row's whole step is more than the out-of-order window holds.
    private readonly struct ForwardLoop(float* y, float* up, float* gates, float* cells, float* cellAct, float* hidden,
                                        int steps, int batch, int units, bool sequences) : IGateLoop
    {
        public void Run<TA, TR>() where TA : struct, IGateActivation where TR : struct, IGateActivation
        {
            var mask = Mask(units);
            for (int t = 0; t < steps; t++)
            {
                if (t > 0)
                    for (int n = 0; n < batch; n++)
                    {
                        int row = t * batch + n;
                        float* z = gates + row * Row;
                        Vector512<float> zi = Vector512.Load(z), zf = Vector512.Load(z + 16), zg = Vector512.Load(z + 32), zo = Vector512.Load(z + 48);
                        // h_{t-1} of row n, stored one step ago: reloaded whole and broadcast lane by lane in registers
                        // (a scalar reload of a just-stored vector would wait for the store to retire).
                        var hv = Vector512.Load(hidden + row * Lanes);
                        var lane = Vector512<int>.Zero;
                        for (int k = 0; k < units; k++, lane += Vector512<int>.One)
                        {
                            var v = Avx512F.PermuteVar16x32(hv, lane);
                            float* u = up + k * Row;
                            zi = Vector512.FusedMultiplyAdd(v, Vector512.Load(u), zi);
                            zf = Vector512.FusedMultiplyAdd(v, Vector512.Load(u + 16), zf);
                            zg = Vector512.FusedMultiplyAdd(v, Vector512.Load(u + 32), zg);
                            zo = Vector512.FusedMultiplyAdd(v, Vector512.Load(u + 48), zo);
                        }
                        zi.Store(z); zf.Store(z + 16); zg.Store(z + 32); zo.Store(z + 48);
                    }
                for (int n = 0; n < batch; n++)
                {
                    int row = t * batch + n;
                    float* z = gates + row * Row;
                    var i = TR.F(Vector512.Load(z));
                    var fg = TR.F(Vector512.Load(z + 16));
                    var g = TA.F(Vector512.Load(z + 32));
                    var o = TR.F(Vector512.Load(z + 48));
                    var c = Vector512.FusedMultiplyAdd(i, g, fg * Vector512.Load(cells + row * Lanes));
                    var s = TA.F(c);
                    var h = o * s;
                    i.Store(z); fg.Store(z + 16); g.Store(z + 32); o.Store(z + 48);
                    c.Store(cells + (row + batch) * Lanes);
                    s.Store(cellAct + row * Lanes);
                    h.Store(hidden + (row + batch) * Lanes);
                    if (sequences) Avx512F.MaskStore(y + row * units, mask, h);
                    else if (t == steps - 1) Avx512F.MaskStore(y + n * units, mask, h);
                }
            }
        }
    }

    // Each step (t = T-1 .. 0) in two passes over the batch rows, as forward: the gate backward into dz for every row,
    // then dL/dh_{t-1} = dz_t Uᵀ for every row.
    private readonly struct BackwardLoop(float* dz, float* dy, float* gates, float* cells, float* cellAct, float* utp, float* dh, float* dc,
                                         int steps, int batch, int units, bool sequences) : IGateLoop
    {
        public void Run<TA, TR>() where TA : struct, IGateActivation where TR : struct, IGateActivation
        {
            var mask = Mask(units);
            for (int t = steps - 1; t >= 0; t--)
            {
                for (int n = 0; n < batch; n++)
                {
                    int row = t * batch + n;
                    // dL/dh_t: the recurrent part (from step t+1) plus the output's own gradient.
                    var dhv = Vector512.Load(dh + n * Lanes);
                    if (sequences) dhv += Avx512F.MaskLoad(dy + row * units, mask, Vector512<float>.Zero);
                    else if (t == steps - 1) dhv += Avx512F.MaskLoad(dy + n * units, mask, Vector512<float>.Zero);
                    float* z = gates + row * Row;
                    Vector512<float> i = Vector512.Load(z), f = Vector512.Load(z + 16), g = Vector512.Load(z + 32), o = Vector512.Load(z + 48);
                    var s = Vector512.Load(cellAct + row * Lanes);
                    var dcv = Vector512.FusedMultiplyAdd(dhv * o, TA.D(s), Vector512.Load(dc + n * Lanes));
                    float* d = dz + row * Row;
                    (dcv * g * TR.D(i)).Store(d);
                    (dcv * Vector512.Load(cells + row * Lanes) * TR.D(f)).Store(d + 16);
                    (dcv * i * TA.D(g)).Store(d + 32);
                    (dhv * s * TR.D(o)).Store(d + 48);
                    (dcv * f).Store(dc + n * Lanes);
                }
                if (t == 0) break;
                // dL/dh_{t-1} through z_t = ... + h_{t-1} U: Σ_j dz_j Uᵀ_j, four partial sums (one per gate),
                // dz_j broadcast from the registers by lane permutes.
                for (int n = 0; n < batch; n++)
                {
                    float* d = dz + (t * batch + n) * Row;
                    Vector512<float> zi = Vector512.Load(d), zf = Vector512.Load(d + 16), zg = Vector512.Load(d + 32), zo = Vector512.Load(d + 48);
                    Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                    var lane = Vector512<int>.Zero;
                    for (int j = 0; j < units; j++, lane += Vector512<int>.One)
                    {
                        a0 = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32(zi, lane), Vector512.Load(utp + j * Lanes), a0);
                        a1 = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32(zf, lane), Vector512.Load(utp + (16 + j) * Lanes), a1);
                        a2 = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32(zg, lane), Vector512.Load(utp + (32 + j) * Lanes), a2);
                        a3 = Vector512.FusedMultiplyAdd(Avx512F.PermuteVar16x32(zo, lane), Vector512.Load(utp + (48 + j) * Lanes), a3);
                    }
                    ((a0 + a1) + (a2 + a3)).Store(dh + n * Lanes);
                }
            }
        }
    }
}
