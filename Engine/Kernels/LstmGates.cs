using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// The LSTM gate math of <see cref="LstmCell"/> fused into one pass over a whole batch of rows:
/// gates (N, 4H) blocks i, f, g, o; c, s, h, c_prev (N, H). Each vector loads the four gate pre-activations
/// of H-lanes once, activates them and writes c, s = a(c) and h = o s, so one step costs one call instead
/// of a dozen kernels per row. A row's last partial vector is a masked load and store, so a layer of
/// 1, 5 or 10 units runs on whole vectors without padding. Forward and backward use exactly the formulas
/// of <see cref="LstmCell"/>; the vector paths evaluate exp with an inlined Cephes-style polynomial (a call
/// would make the JIT spill every vector register around it, as the System.Runtime.Intrinsics Exp does).
/// </summary>
internal static unsafe class LstmGates
{
    /// <summary>Runs <see cref="LstmCell.Forward"/> on each of <paramref name="rows"/> rows.</summary>
    public static void Forward(Span<float> gates, Span<float> c, Span<float> s, Span<float> h,
                               ReadOnlySpan<float> cPrev,
                               Activation activation, Activation recurrentActivation, int rows, int units)
    {
        CheckShapes(gates, c, s, h, cPrev, rows, units);
        ForwardUnchecked(gates, c, s, h, cPrev, activation, recurrentActivation, rows, units);
    }

    /// <summary>Scalar twin of <see cref="Forward"/>: <see cref="LstmCell.ForwardScalar"/> row by row.</summary>
    public static void ForwardScalar(Span<float> gates, Span<float> c, Span<float> s, Span<float> h,
                                     ReadOnlySpan<float> cPrev,
                                     Activation activation, Activation recurrentActivation, int rows, int units)
    {
        CheckShapes(gates, c, s, h, cPrev, rows, units);
        for (int n = 0; n < rows; n++)
            LstmCell.ForwardScalar(gates.Slice(n * 4 * units, 4 * units), c.Slice(n * units, units),
                                   s.Slice(n * units, units),
                                   h.Slice(n * units, units), cPrev.Slice(n * units, units), activation,
                                   recurrentActivation, units);
    }

    /// <summary>Runs <see cref="LstmCell.Backward"/> on each of <paramref name="rows"/> rows: dz (N, 4H); dc (N, H) in
    /// dc_next, out dc_prev.</summary>
    public static void Backward(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates,
                                ReadOnlySpan<float> cPrev,
                                ReadOnlySpan<float> s, Activation activation, Activation recurrentActivation, int rows,
                                int units)
    {
        CheckShapes(gates, dc, s, dh, cPrev, rows, units);
        if (dz.Length != rows * 4 * units)
            throw new ArgumentException($"dz has length {dz.Length}, expected ({rows}, 4 x {units})", nameof(dz));
        BackwardUnchecked(dz, dc, dh, gates, cPrev, s, activation, recurrentActivation, rows, units);
    }

    /// <summary>Scalar twin of <see cref="Backward"/>: <see cref="LstmCell.BackwardScalar"/> row by row.</summary>
    public static void BackwardScalar(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates,
                                      ReadOnlySpan<float> cPrev,
                                      ReadOnlySpan<float> s, Activation activation, Activation recurrentActivation,
                                      int rows, int units)
    {
        CheckShapes(gates, dc, s, dh, cPrev, rows, units);
        if (dz.Length != rows * 4 * units)
            throw new ArgumentException($"dz has length {dz.Length}, expected ({rows}, 4 x {units})", nameof(dz));
        for (int n = 0; n < rows; n++)
            LstmCell.BackwardScalar(dz.Slice(n * 4 * units, 4 * units), dc.Slice(n * units, units),
                                    dh.Slice(n * units, units),
                                    gates.Slice(n * 4 * units, 4 * units), cPrev.Slice(n * units, units),
                                    s.Slice(n * units, units),
                                    activation, recurrentActivation, units);
    }

    private static void CheckShapes(ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> s,
                                    ReadOnlySpan<float> h,
                                    ReadOnlySpan<float> cPrev, int rows, int units)
    {
        Check.Positive(rows, nameof(rows));
        Check.Positive(units, nameof(units));
        if (gates.Length != rows * 4 * units)
            throw new ArgumentException($"gates has length {gates.Length}, expected ({rows}, 4 x {units})",
                                        nameof(gates));
        if (c.Length != rows * units)
            throw new ArgumentException($"c has length {c.Length}, expected ({rows}, {units})", nameof(c));
        if (s.Length != rows * units)
            throw new ArgumentException($"s has length {s.Length}, expected ({rows}, {units})", nameof(s));
        if (h.Length != rows * units)
            throw new ArgumentException($"h has length {h.Length}, expected ({rows}, {units})", nameof(h));
        if (cPrev.Length != rows * units)
            throw new ArgumentException($"cPrev has length {cPrev.Length}, expected ({rows}, {units})", nameof(cPrev));
    }

    internal static void ForwardUnchecked(Span<float> gates, Span<float> c, Span<float> s, Span<float> h,
                                          ReadOnlySpan<float> cPrev,
                                          Activation a, Activation r, int rows, int units) =>
        // One specialised loop per activation pair: no switch or indirect jump per vector.
        ActivationDispatch.Run(a, r, new ForwardCall(gates, c, s, h, cPrev, rows, units));

    private readonly ref struct ForwardCall(Span<float> gates, Span<float> c, Span<float> s, Span<float> h,
                                            ReadOnlySpan<float> cPrev, int rows, int units) : IActivationPairCall
    {
        private readonly Span<float> _gates = gates, _c = c, _s = s, _h = h;
        private readonly ReadOnlySpan<float> _cPrev = cPrev;

        public void Run<TA, TR>() where TA : struct, IActivationOperator where TR : struct, IActivationOperator =>
            ForwardRows<TA, TR>(_gates, _c, _s, _h, _cPrev, rows, units);
    }

    private static void ForwardRows<TA,
    TR>(Span<float> gates, Span<float> c, Span<float> s, Span<float> h, ReadOnlySpan<float> cPrev, int rows, int units)
        where TA : struct, IActivationOperator where TR : struct, IActivationOperator
    {
        fixed (float* zp = gates, cp = c, sp = s, hp = h, cpp = cPrev)
        {
            int hh = units;
            for (int n = 0; n < rows; n++)
            {
                float* z = zp + n * 4 * hh, cn = cp + n * hh, sn = sp + n * hh, hn = hp + n * hh, pn = cpp + n * hh;
                int j = 0;
                if (Vector512.IsHardwareAccelerated)
                {
                    for (; j + 16 <= hh; j += 16)
                        Forward512<TA, TR>(z + j, cn + j, sn + j, hn + j, pn + j, hh, default, masked: false);
                    if (j < hh)
                        Forward512<TA,
                        TR>(z + j, cn + j, sn + j, hn + j, pn + j, hh, MaskedLanes.Mask512(hh - j), masked: true);
                    continue;
                }
                if (Vector256.IsHardwareAccelerated)
                {
                    for (; j + 8 <= hh; j += 8)
                        Forward256<TA, TR>(z + j, cn + j, sn + j, hn + j, pn + j, hh, default, masked: false);
                    if (j < hh)
                        Forward256<TA,
                        TR>(z + j, cn + j, sn + j, hn + j, pn + j, hh, MaskedLanes.Mask256(hh - j), masked: true);
                    continue;
                }
                if (Vector128.IsHardwareAccelerated)
                {
                    for (; j + 4 <= hh; j += 4) Forward128<TA, TR>(z + j, cn + j, sn + j, hn + j, pn + j, hh, 4);
                    if (j < hh) Forward128<TA, TR>(z + j, cn + j, sn + j, hn + j, pn + j, hh, hh - j);
                    continue;
                }
                for (; j < hh; j++)
                {
                    float i = TR.Invoke(z[j]), f = TR.Invoke(z[hh + j]);
                    float g = TA.Invoke(z[2 * hh + j]), o = TR.Invoke(z[3 * hh + j]);
                    z[j] = i; z[hh + j] = f; z[2 * hh + j] = g; z[3 * hh + j] = o;
                    float cj = MathF.FusedMultiplyAdd(i, g, f * pn[j]), sj = TA.Invoke(cj);
                    cn[j] = cj; sn[j] = sj; hn[j] = o * sj;
                }
            }
        }
    }

    internal static void BackwardUnchecked(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh,
                                           ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev,
                                           ReadOnlySpan<float> s, Activation a, Activation r, int rows, int units) =>
        ActivationDispatch.Run(a, r, new BackwardCall(dz, dc, dh, gates, cPrev, s, rows, units));

    private readonly ref struct BackwardCall(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh,
                                             ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev,
                                             ReadOnlySpan<float> s, int rows, int units) : IActivationPairCall
    {
        private readonly Span<float> _dz = dz, _dc = dc;
        private readonly ReadOnlySpan<float> _dh = dh, _gates = gates, _cPrev = cPrev, _s = s;

        public void Run<TA, TR>() where TA : struct, IActivationOperator where TR : struct, IActivationOperator =>
            BackwardRows<TA, TR>(_dz, _dc, _dh, _gates, _cPrev, _s, rows, units);
    }

    private static void BackwardRows<TA,
    TR>(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev,
                                             ReadOnlySpan<float> s, int rows, int units)
        where TA : struct, IActivationOperator where TR : struct, IActivationOperator
    {
        fixed (float* dzp = dz, dcp = dc, dhp = dh, gp = gates, cpp = cPrev, sp = s)
        {
            int hh = units;
            for (int n = 0; n < rows; n++)
            {
                float* d = dzp + n * 4 * hh, g = gp + n * 4 * hh, dcn = dcp + n * hh, dhn = dhp + n * hh, pn = cpp
                    + n * hh, sn = sp + n * hh;
                int j = 0;
                if (Vector512.IsHardwareAccelerated)
                {
                    for (; j + 16 <= hh; j += 16)
                        Backward512<TA, TR>(d + j, dcn + j, dhn + j, g + j, pn + j, sn + j, hh, default, masked: false);
                    if (j < hh)
                        Backward512<TA,
                        TR>(d + j, dcn + j, dhn + j, g + j, pn + j, sn + j, hh, MaskedLanes.Mask512(hh - j),
                            masked: true);
                    continue;
                }
                if (Vector256.IsHardwareAccelerated)
                {
                    for (; j + 8 <= hh; j += 8)
                        Backward256<TA, TR>(d + j, dcn + j, dhn + j, g + j, pn + j, sn + j, hh, default, masked: false);
                    if (j < hh)
                        Backward256<TA,
                        TR>(d + j, dcn + j, dhn + j, g + j, pn + j, sn + j, hh, MaskedLanes.Mask256(hh - j),
                            masked: true);
                    continue;
                }
                if (Vector128.IsHardwareAccelerated)
                {
                    for (; j + 4 <= hh; j += 4)
                        Backward128<TA, TR>(d + j, dcn + j, dhn + j, g + j, pn + j, sn + j, hh, 4);
                    if (j < hh) Backward128<TA, TR>(d + j, dcn + j, dhn + j, g + j, pn + j, sn + j, hh, hh - j);
                    continue;
                }
                for (; j < hh; j++)
                {
                    float i = g[j], f = g[hh + j], gg = g[2 * hh + j], o = g[3 * hh + j];
                    float dcj = dcn[j] + dhn[j] * o * TA.Derivative(sn[j]);
                    d[3 * hh + j] = dhn[j] * sn[j] * TR.Derivative(o);
                    d[j] = dcj * gg * TR.Derivative(i);
                    d[hh + j] = dcj * pn[j] * TR.Derivative(f);
                    d[2 * hh + j] = dcj * i * TA.Derivative(gg);
                    dcn[j] = dcj * f;
                }
            }
        }
    }

    // ---- 512-bit lanes (a row's last partial vector through MaskedLanes) ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward512<TA,
    TR>(float* z, float* c, float* s, float* h, float* cPrev, int hh, Vector512<float> mask, bool masked)
        where TA : struct, IActivationOperator where TR : struct, IActivationOperator
    {
        var i = TR.Invoke(MaskedLanes.Load(z, mask, masked));
        var f = TR.Invoke(MaskedLanes.Load(z + hh, mask, masked));
        var g = TA.Invoke(MaskedLanes.Load(z + 2 * hh, mask, masked));
        var o = TR.Invoke(MaskedLanes.Load(z + 3 * hh, mask, masked));
        var cn = Vector512.FusedMultiplyAdd(i, g, f * MaskedLanes.Load(cPrev, mask, masked));
        var sn = TA.Invoke(cn);
        MaskedLanes.Store(z, i, mask, masked); MaskedLanes.Store(z + hh, f, mask,
            masked); MaskedLanes.Store(z + 2 * hh, g, mask, masked); MaskedLanes.Store(z + 3 * hh, o, mask, masked);
        MaskedLanes.Store(c, cn, mask, masked); MaskedLanes.Store(s, sn, mask,
                                                                  masked); MaskedLanes.Store(h, o * sn, mask, masked);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Backward512<TA,
    TR>(float* dz, float* dc, float* dh, float* gates, float* cPrev, float* s, int hh, Vector512<float> mask,
        bool masked)
        where TA : struct, IActivationOperator where TR : struct, IActivationOperator
    {
        var i = MaskedLanes.Load(gates, mask, masked);
        var f = MaskedLanes.Load(gates + hh, mask, masked);
        var g = MaskedLanes.Load(gates + 2 * hh, mask, masked);
        var o = MaskedLanes.Load(gates + 3 * hh, mask, masked);
        var sv = MaskedLanes.Load(s, mask, masked);
        var dhv = MaskedLanes.Load(dh, mask, masked);
        var dcv = Vector512.FusedMultiplyAdd(dhv * o, TA.Derivative(sv), MaskedLanes.Load(dc, mask, masked));
        MaskedLanes.Store(dz + 3 * hh, dhv * sv * TR.Derivative(o), mask, masked);
        MaskedLanes.Store(dz, dcv * g * TR.Derivative(i), mask, masked);
        MaskedLanes.Store(dz + hh, dcv * MaskedLanes.Load(cPrev, mask, masked) * TR.Derivative(f), mask, masked);
        MaskedLanes.Store(dz + 2 * hh, dcv * i * TA.Derivative(g), mask, masked);
        MaskedLanes.Store(dc, dcv * f, mask, masked);
    }

    // ---- 256-bit lanes ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward256<TA,
    TR>(float* z, float* c, float* s, float* h, float* cPrev, int hh, Vector256<float> mask, bool masked)
        where TA : struct, IActivationOperator where TR : struct, IActivationOperator
    {
        var i = TR.Invoke(MaskedLanes.Load(z, mask, masked));
        var f = TR.Invoke(MaskedLanes.Load(z + hh, mask, masked));
        var g = TA.Invoke(MaskedLanes.Load(z + 2 * hh, mask, masked));
        var o = TR.Invoke(MaskedLanes.Load(z + 3 * hh, mask, masked));
        var cn = Vector256.FusedMultiplyAdd(i, g, f * MaskedLanes.Load(cPrev, mask, masked));
        var sn = TA.Invoke(cn);
        MaskedLanes.Store(z, i, mask, masked); MaskedLanes.Store(z + hh, f, mask,
            masked); MaskedLanes.Store(z + 2 * hh, g, mask, masked); MaskedLanes.Store(z + 3 * hh, o, mask, masked);
        MaskedLanes.Store(c, cn, mask, masked); MaskedLanes.Store(s, sn, mask,
                                                                  masked); MaskedLanes.Store(h, o * sn, mask, masked);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Backward256<TA,
    TR>(float* dz, float* dc, float* dh, float* gates, float* cPrev, float* s, int hh, Vector256<float> mask,
        bool masked)
        where TA : struct, IActivationOperator where TR : struct, IActivationOperator
    {
        var i = MaskedLanes.Load(gates, mask, masked);
        var f = MaskedLanes.Load(gates + hh, mask, masked);
        var g = MaskedLanes.Load(gates + 2 * hh, mask, masked);
        var o = MaskedLanes.Load(gates + 3 * hh, mask, masked);
        var sv = MaskedLanes.Load(s, mask, masked);
        var dhv = MaskedLanes.Load(dh, mask, masked);
        var dcv = Vector256.FusedMultiplyAdd(dhv * o, TA.Derivative(sv), MaskedLanes.Load(dc, mask, masked));
        MaskedLanes.Store(dz + 3 * hh, dhv * sv * TR.Derivative(o), mask, masked);
        MaskedLanes.Store(dz, dcv * g * TR.Derivative(i), mask, masked);
        MaskedLanes.Store(dz + hh, dcv * MaskedLanes.Load(cPrev, mask, masked) * TR.Derivative(f), mask, masked);
        MaskedLanes.Store(dz + 2 * hh, dcv * i * TA.Derivative(g), mask, masked);
        MaskedLanes.Store(dc, dcv * f, mask, masked);
    }

    // ---- 128-bit lanes (SSE, NEON): a row's last partial vector goes through a register copied to and from memory

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Load(float* p, int count)
    {
        if (count == 4) return Vector128.Load(p);
        var v = Vector128<float>.Zero;
        Buffer.MemoryCopy(p, &v, 16, count * sizeof(float));
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* p, Vector128<float> v, int count)
    {
        if (count == 4) v.Store(p);
        else Buffer.MemoryCopy(&v, p, count * sizeof(float), count * sizeof(float));
    }

    // count lanes (1 to 4) of the four gates from z; as Forward512.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward128<TA, TR>(float* z, float* c, float* s, float* h, float* cPrev, int hh, int count)
        where TA : struct, IActivationOperator where TR : struct, IActivationOperator
    {
        var i = TR.Invoke(Load(z, count));
        var f = TR.Invoke(Load(z + hh, count));
        var g = TA.Invoke(Load(z + 2 * hh, count));
        var o = TR.Invoke(Load(z + 3 * hh, count));
        var cn = Vector128.FusedMultiplyAdd(i, g, f * Load(cPrev, count));
        var sn = TA.Invoke(cn);
        Store(z, i, count); Store(z + hh, f, count); Store(z + 2 * hh, g, count); Store(z + 3 * hh, o, count);
        Store(c, cn, count); Store(s, sn, count); Store(h, o * sn, count);
    }

    // As Backward512, on count lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Backward128<TA, TR>(float* dz, float* dc, float* dh, float* gates, float* cPrev, float* s,
                                            int hh, int count)
        where TA : struct, IActivationOperator where TR : struct, IActivationOperator
    {
        var i = Load(gates, count);
        var f = Load(gates + hh, count);
        var g = Load(gates + 2 * hh, count);
        var o = Load(gates + 3 * hh, count);
        var sv = Load(s, count);
        var dhv = Load(dh, count);
        var dcv = Vector128.FusedMultiplyAdd(dhv * o, TA.Derivative(sv), Load(dc, count));
        Store(dz + 3 * hh, dhv * sv * TR.Derivative(o), count);
        Store(dz, dcv * g * TR.Derivative(i), count);
        Store(dz + hh, dcv * Load(cPrev, count) * TR.Derivative(f), count);
        Store(dz + 2 * hh, dcv * i * TA.Derivative(g), count);
        Store(dc, dcv * f, count);
    }
}
