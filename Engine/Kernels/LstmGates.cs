using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
public static unsafe class LstmGates
{
    /// <summary>Runs <see cref="LstmCell.Forward"/> on each of <paramref name="rows"/> rows.</summary>
    public static void Forward(Span<float> gates, Span<float> c, Span<float> s, Span<float> h, ReadOnlySpan<float> cPrev,
                               Activation activation, Activation recurrentActivation, int rows, int units)
    {
        CheckShapes(gates, c, s, h, cPrev, rows, units);
        ForwardUnchecked(gates, c, s, h, cPrev, activation, recurrentActivation, rows, units);
    }

    /// <summary>Scalar twin of <see cref="Forward"/>: <see cref="LstmCell.ForwardScalar"/> row by row.</summary>
    public static void ForwardScalar(Span<float> gates, Span<float> c, Span<float> s, Span<float> h, ReadOnlySpan<float> cPrev,
                                     Activation activation, Activation recurrentActivation, int rows, int units)
    {
        CheckShapes(gates, c, s, h, cPrev, rows, units);
        for (int n = 0; n < rows; n++)
            LstmCell.ForwardScalar(gates.Slice(n * 4 * units, 4 * units), c.Slice(n * units, units), s.Slice(n * units, units),
                                   h.Slice(n * units, units), cPrev.Slice(n * units, units), activation, recurrentActivation, units);
    }

    /// <summary>Runs <see cref="LstmCell.Backward"/> on each of <paramref name="rows"/> rows: dz (N, 4H); dc (N, H) in dc_next, out dc_prev.</summary>
    public static void Backward(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev,
                                ReadOnlySpan<float> s, Activation activation, Activation recurrentActivation, int rows, int units)
    {
        CheckShapes(gates, dc, s, dh, cPrev, rows, units);
        if (dz.Length != rows * 4 * units) throw new ArgumentException($"dz has length {dz.Length}, expected ({rows}, 4 x {units})", nameof(dz));
        BackwardUnchecked(dz, dc, dh, gates, cPrev, s, activation, recurrentActivation, rows, units);
    }

    /// <summary>Scalar twin of <see cref="Backward"/>: <see cref="LstmCell.BackwardScalar"/> row by row.</summary>
    public static void BackwardScalar(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev,
                                      ReadOnlySpan<float> s, Activation activation, Activation recurrentActivation, int rows, int units)
    {
        CheckShapes(gates, dc, s, dh, cPrev, rows, units);
        if (dz.Length != rows * 4 * units) throw new ArgumentException($"dz has length {dz.Length}, expected ({rows}, 4 x {units})", nameof(dz));
        for (int n = 0; n < rows; n++)
            LstmCell.BackwardScalar(dz.Slice(n * 4 * units, 4 * units), dc.Slice(n * units, units), dh.Slice(n * units, units),
                                    gates.Slice(n * 4 * units, 4 * units), cPrev.Slice(n * units, units), s.Slice(n * units, units),
                                    activation, recurrentActivation, units);
    }

    private static void CheckShapes(ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> s, ReadOnlySpan<float> h,
                                    ReadOnlySpan<float> cPrev, int rows, int units)
    {
        Check.Positive(rows, nameof(rows));
        Check.Positive(units, nameof(units));
        if (gates.Length != rows * 4 * units) throw new ArgumentException($"gates has length {gates.Length}, expected ({rows}, 4 x {units})", nameof(gates));
        if (c.Length != rows * units) throw new ArgumentException($"c has length {c.Length}, expected ({rows}, {units})", nameof(c));
        if (s.Length != rows * units) throw new ArgumentException($"s has length {s.Length}, expected ({rows}, {units})", nameof(s));
        if (h.Length != rows * units) throw new ArgumentException($"h has length {h.Length}, expected ({rows}, {units})", nameof(h));
        if (cPrev.Length != rows * units) throw new ArgumentException($"cPrev has length {cPrev.Length}, expected ({rows}, {units})", nameof(cPrev));
    }

    internal static void ForwardUnchecked(Span<float> gates, Span<float> c, Span<float> s, Span<float> h, ReadOnlySpan<float> cPrev,
                                          Activation a, Activation r, int rows, int units)
    {
        // One specialised loop per activation pair: no switch or indirect jump per vector.
        switch (a)
        {
            case Activation.Relu: ForwardFor<Relu>(gates, c, s, h, cPrev, r, rows, units); break;
            case Activation.Tanh: ForwardFor<Tanh>(gates, c, s, h, cPrev, r, rows, units); break;
            case Activation.Sigmoid: ForwardFor<Sigmoid>(gates, c, s, h, cPrev, r, rows, units); break;
            case Activation.HardSigmoid: ForwardFor<HardSigmoid>(gates, c, s, h, cPrev, r, rows, units); break;
            default: ForwardFor<Linear>(gates, c, s, h, cPrev, r, rows, units); break;
        }
    }

    private static void ForwardFor<TA>(Span<float> gates, Span<float> c, Span<float> s, Span<float> h, ReadOnlySpan<float> cPrev, Activation r, int rows, int units)
        where TA : struct, IGateActivation
    {
        switch (r)
        {
            case Activation.Sigmoid: ForwardRows<TA, Sigmoid>(gates, c, s, h, cPrev, rows, units); break;
            case Activation.HardSigmoid: ForwardRows<TA, HardSigmoid>(gates, c, s, h, cPrev, rows, units); break;
            case Activation.Tanh: ForwardRows<TA, Tanh>(gates, c, s, h, cPrev, rows, units); break;
            case Activation.Relu: ForwardRows<TA, Relu>(gates, c, s, h, cPrev, rows, units); break;
            default: ForwardRows<TA, Linear>(gates, c, s, h, cPrev, rows, units); break;
        }
    }

    private static void ForwardRows<TA, TR>(Span<float> gates, Span<float> c, Span<float> s, Span<float> h, ReadOnlySpan<float> cPrev, int rows, int units)
        where TA : struct, IGateActivation where TR : struct, IGateActivation
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
                    for (; j + 16 <= hh; j += 16) Forward512<TA, TR>(z + j, cn + j, sn + j, hn + j, pn + j, hh, default, masked: false);
                    if (j < hh) Forward512<TA, TR>(z + j, cn + j, sn + j, hn + j, pn + j, hh, Mask512(hh - j), masked: true);
                    continue;
                }
                if (Vector256.IsHardwareAccelerated)
                {
                    for (; j + 8 <= hh; j += 8) Forward256<TA, TR>(z + j, cn + j, sn + j, hn + j, pn + j, hh, default, masked: false);
                    if (j < hh) Forward256<TA, TR>(z + j, cn + j, sn + j, hn + j, pn + j, hh, Mask256(hh - j), masked: true);
                    continue;
                }
                for (; j < hh; j++)
                {
                    float i = TR.F(z[j]), f = TR.F(z[hh + j]), g = TA.F(z[2 * hh + j]), o = TR.F(z[3 * hh + j]);
                    z[j] = i; z[hh + j] = f; z[2 * hh + j] = g; z[3 * hh + j] = o;
                    float cj = MathF.FusedMultiplyAdd(i, g, f * pn[j]), sj = TA.F(cj);
                    cn[j] = cj; sn[j] = sj; hn[j] = o * sj;
                }
            }
        }
    }

    internal static void BackwardUnchecked(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev,
                                           ReadOnlySpan<float> s, Activation a, Activation r, int rows, int units)
    {
        switch (a)
        {
            case Activation.Relu: BackwardFor<Relu>(dz, dc, dh, gates, cPrev, s, r, rows, units); break;
            case Activation.Tanh: BackwardFor<Tanh>(dz, dc, dh, gates, cPrev, s, r, rows, units); break;
            case Activation.Sigmoid: BackwardFor<Sigmoid>(dz, dc, dh, gates, cPrev, s, r, rows, units); break;
            case Activation.HardSigmoid: BackwardFor<HardSigmoid>(dz, dc, dh, gates, cPrev, s, r, rows, units); break;
            default: BackwardFor<Linear>(dz, dc, dh, gates, cPrev, s, r, rows, units); break;
        }
    }

    private static void BackwardFor<TA>(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev,
                                        ReadOnlySpan<float> s, Activation r, int rows, int units) where TA : struct, IGateActivation
    {
        switch (r)
        {
            case Activation.Sigmoid: BackwardRows<TA, Sigmoid>(dz, dc, dh, gates, cPrev, s, rows, units); break;
            case Activation.HardSigmoid: BackwardRows<TA, HardSigmoid>(dz, dc, dh, gates, cPrev, s, rows, units); break;
            case Activation.Tanh: BackwardRows<TA, Tanh>(dz, dc, dh, gates, cPrev, s, rows, units); break;
            case Activation.Relu: BackwardRows<TA, Relu>(dz, dc, dh, gates, cPrev, s, rows, units); break;
            default: BackwardRows<TA, Linear>(dz, dc, dh, gates, cPrev, s, rows, units); break;
        }
    }

    private static void BackwardRows<TA, TR>(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev,
                                             ReadOnlySpan<float> s, int rows, int units) where TA : struct, IGateActivation where TR : struct, IGateActivation
    {
        fixed (float* dzp = dz, dcp = dc, dhp = dh, gp = gates, cpp = cPrev, sp = s)
        {
            int hh = units;
            for (int n = 0; n < rows; n++)
            {
                float* d = dzp + n * 4 * hh, g = gp + n * 4 * hh, dcn = dcp + n * hh, dhn = dhp + n * hh, pn = cpp + n * hh, sn = sp + n * hh;
                int j = 0;
                if (Vector512.IsHardwareAccelerated)
                {
                    for (; j + 16 <= hh; j += 16) Backward512<TA, TR>(d + j, dcn + j, dhn + j, g + j, pn + j, sn + j, hh, default, masked: false);
                    if (j < hh) Backward512<TA, TR>(d + j, dcn + j, dhn + j, g + j, pn + j, sn + j, hh, Mask512(hh - j), masked: true);
                    continue;
                }
                if (Vector256.IsHardwareAccelerated)
                {
                    for (; j + 8 <= hh; j += 8) Backward256<TA, TR>(d + j, dcn + j, dhn + j, g + j, pn + j, sn + j, hh, default, masked: false);
                    if (j < hh) Backward256<TA, TR>(d + j, dcn + j, dhn + j, g + j, pn + j, sn + j, hh, Mask256(hh - j), masked: true);
                    continue;
                }
                for (; j < hh; j++)
                {
                    float i = g[j], f = g[hh + j], gg = g[2 * hh + j], o = g[3 * hh + j];
                    float dcj = dcn[j] + dhn[j] * o * TA.D(sn[j]);
                    d[3 * hh + j] = dhn[j] * sn[j] * TR.D(o);
                    d[j] = dcj * gg * TR.D(i);
                    d[hh + j] = dcj * pn[j] * TR.D(f);
                    d[2 * hh + j] = dcj * i * TA.D(gg);
                    dcn[j] = dcj * f;
                }
            }
        }
    }

    // ---- 512-bit lanes ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mask512(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(float* p, Vector512<float> mask, bool masked) =>
        masked ? Avx512F.MaskLoad(p, mask, Vector512<float>.Zero) : Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* p, Vector512<float> v, Vector512<float> mask, bool masked)
    {
        if (masked) Avx512F.MaskStore(p, mask, v);
        else v.Store(p);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward512<TA, TR>(float* z, float* c, float* s, float* h, float* cPrev, int hh, Vector512<float> mask, bool masked)
        where TA : struct, IGateActivation where TR : struct, IGateActivation
    {
        var i = TR.F(Load(z, mask, masked));
        var f = TR.F(Load(z + hh, mask, masked));
        var g = TA.F(Load(z + 2 * hh, mask, masked));
        var o = TR.F(Load(z + 3 * hh, mask, masked));
        var cn = Vector512.FusedMultiplyAdd(i, g, f * Load(cPrev, mask, masked));
        var sn = TA.F(cn);
        Store(z, i, mask, masked); Store(z + hh, f, mask, masked); Store(z + 2 * hh, g, mask, masked); Store(z + 3 * hh, o, mask, masked);
        Store(c, cn, mask, masked); Store(s, sn, mask, masked); Store(h, o * sn, mask, masked);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Backward512<TA, TR>(float* dz, float* dc, float* dh, float* gates, float* cPrev, float* s, int hh, Vector512<float> mask, bool masked)
        where TA : struct, IGateActivation where TR : struct, IGateActivation
    {
        var i = Load(gates, mask, masked);
        var f = Load(gates + hh, mask, masked);
        var g = Load(gates + 2 * hh, mask, masked);
        var o = Load(gates + 3 * hh, mask, masked);
        var sv = Load(s, mask, masked);
        var dhv = Load(dh, mask, masked);
        var dcv = Vector512.FusedMultiplyAdd(dhv * o, TA.D(sv), Load(dc, mask, masked));
        Store(dz + 3 * hh, dhv * sv * TR.D(o), mask, masked);
        Store(dz, dcv * g * TR.D(i), mask, masked);
        Store(dz + hh, dcv * Load(cPrev, mask, masked) * TR.D(f), mask, masked);
        Store(dz + 2 * hh, dcv * i * TA.D(g), mask, masked);
        Store(dc, dcv * f, mask, masked);
    }

    /// <summary>f(x) on 16 lanes; tanh as 1 - 2 / (e^{2x} + 1) and sigmoid as 1 / (1 + e^{-x}), both exact at the saturated ends.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Act(Activation f, Vector512<float> x) => f switch
    {
        Activation.Relu => Vector512.MaxNative(x, Vector512<float>.Zero),
        Activation.Sigmoid => Vector512<float>.One / (Vector512<float>.One + Exp(-x)),
        Activation.Tanh => Vector512<float>.One - Vector512.Create(2f) / (Exp(x + x) + Vector512<float>.One),
        Activation.HardSigmoid => Vector512.MinNative(Vector512.MaxNative(Vector512.FusedMultiplyAdd(x, Vector512.Create(0.2f), Vector512.Create(0.5f)), Vector512<float>.Zero), Vector512<float>.One),
        _ => x,
    };

    /// <summary>
    /// e^x on 16 lanes: x clamped to [-87, 88] (so the result stays a normal float, never inf or a denormal),
    /// e^x = 2^n e^r with n = round(x log2 e), r = x - n ln 2 in two parts, e^r by Cephes' degree-6 polynomial (about 1 ulp).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.MinNative(Vector512.MaxNative(x, Vector512.Create(-87f)), Vector512.Create(88f));
        var magic = Vector512.Create(12582912f); // 1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits
        var t = Vector512.FusedMultiplyAdd(x, Vector512.Create(1.44269504f), magic);
        var n = t - magic;
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        var p = Vector512.Create(1.9875691500e-4f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        return Avx512F.Scale(p, n); // p 2^n in one instruction (vscalefps), exact for the clamped range
    }

    /// <summary>f'(x) on 16 lanes through y = f(x), as <see cref="ActivationGradient.Derivative"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Derivative(Activation f, Vector512<float> y) => f switch
    {
        Activation.Relu => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), Vector512<float>.One, Vector512<float>.Zero),
        Activation.Tanh => Vector512<float>.One - y * y,
        Activation.Sigmoid => y * (Vector512<float>.One - y),
        Activation.HardSigmoid => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero) & Vector512.LessThan(y, Vector512<float>.One), Vector512.Create(0.2f), Vector512<float>.Zero),
        _ => Vector512<float>.One,
    };

    // ---- 256-bit lanes ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Mask256(int count) => Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load(float* p, Vector256<float> mask, bool masked) => masked ? Avx.MaskLoad(p, mask) : Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* p, Vector256<float> v, Vector256<float> mask, bool masked)
    {
        if (masked) Avx.MaskStore(p, mask, v);
        else v.Store(p);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward256<TA, TR>(float* z, float* c, float* s, float* h, float* cPrev, int hh, Vector256<float> mask, bool masked)
        where TA : struct, IGateActivation where TR : struct, IGateActivation
    {
        var i = TR.F(Load(z, mask, masked));
        var f = TR.F(Load(z + hh, mask, masked));
        var g = TA.F(Load(z + 2 * hh, mask, masked));
        var o = TR.F(Load(z + 3 * hh, mask, masked));
        var cn = Vector256.FusedMultiplyAdd(i, g, f * Load(cPrev, mask, masked));
        var sn = TA.F(cn);
        Store(z, i, mask, masked); Store(z + hh, f, mask, masked); Store(z + 2 * hh, g, mask, masked); Store(z + 3 * hh, o, mask, masked);
        Store(c, cn, mask, masked); Store(s, sn, mask, masked); Store(h, o * sn, mask, masked);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Backward256<TA, TR>(float* dz, float* dc, float* dh, float* gates, float* cPrev, float* s, int hh, Vector256<float> mask, bool masked)
        where TA : struct, IGateActivation where TR : struct, IGateActivation
    {
        var i = Load(gates, mask, masked);
        var f = Load(gates + hh, mask, masked);
        var g = Load(gates + 2 * hh, mask, masked);
        var o = Load(gates + 3 * hh, mask, masked);
        var sv = Load(s, mask, masked);
        var dhv = Load(dh, mask, masked);
        var dcv = Vector256.FusedMultiplyAdd(dhv * o, TA.D(sv), Load(dc, mask, masked));
        Store(dz + 3 * hh, dhv * sv * TR.D(o), mask, masked);
        Store(dz, dcv * g * TR.D(i), mask, masked);
        Store(dz + hh, dcv * Load(cPrev, mask, masked) * TR.D(f), mask, masked);
        Store(dz + 2 * hh, dcv * i * TA.D(g), mask, masked);
        Store(dc, dcv * f, mask, masked);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Act(Activation f, Vector256<float> x) => f switch
    {
        Activation.Relu => Vector256.MaxNative(x, Vector256<float>.Zero),
        Activation.Sigmoid => Vector256<float>.One / (Vector256<float>.One + Exp(-x)),
        Activation.Tanh => Vector256<float>.One - Vector256.Create(2f) / (Exp(x + x) + Vector256<float>.One),
        Activation.HardSigmoid => Vector256.MinNative(Vector256.MaxNative(Vector256.FusedMultiplyAdd(x, Vector256.Create(0.2f), Vector256.Create(0.5f)), Vector256<float>.Zero), Vector256<float>.One),
        _ => x,
    };

    /// <summary>
    /// e^x on 8 lanes: x clamped to [-87, 88] (so the result stays a normal float, never inf or a denormal),
    /// e^x = 2^n e^r with n = round(x log2 e), r = x - n ln 2 in two parts, e^r by Cephes' degree-6 polynomial (about 1 ulp).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.MinNative(Vector256.MaxNative(x, Vector256.Create(-87f)), Vector256.Create(88f));
        var magic = Vector256.Create(12582912f); // 1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits
        var t = Vector256.FusedMultiplyAdd(x, Vector256.Create(1.44269504f), magic);
        var n = t - magic;
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-0.693359375f), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(2.12194440e-4f), r);
        var p = Vector256.Create(1.9875691500e-4f);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.3981999507e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(8.3334519073e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(4.1665795894e-2f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.6666665459e-1f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(5.0000001201e-1f));
        p = Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One);
        var scale = Vector256.ShiftLeft(t.AsInt32() - magic.AsInt32() + Vector256.Create(127), 23).AsSingle(); // 2^n
        return p * scale;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Derivative(Activation f, Vector256<float> y) => f switch
    {
        Activation.Relu => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), Vector256<float>.One, Vector256<float>.Zero),
        Activation.Tanh => Vector256<float>.One - y * y,
        Activation.Sigmoid => y * (Vector256<float>.One - y),
        Activation.HardSigmoid => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero) & Vector256.LessThan(y, Vector256<float>.One), Vector256.Create(0.2f), Vector256<float>.Zero),
        _ => Vector256<float>.One,
    };

    // ---- the activations as types, so each (activation, recurrent activation) pair gets its own straight-line loop ----

    internal interface IGateActivation
    {
        static abstract Vector512<float> F(Vector512<float> x);
        static abstract Vector256<float> F(Vector256<float> x);
        static abstract float F(float x);
        static abstract Vector512<float> D(Vector512<float> y);
        static abstract Vector256<float> D(Vector256<float> y);
        static abstract float D(float y);
    }

    internal readonly struct Relu : IGateActivation
    {
        public static Vector512<float> F(Vector512<float> x) => Act(Activation.Relu, x);
        public static Vector256<float> F(Vector256<float> x) => Act(Activation.Relu, x);
        public static float F(float x) => Activations.Scalar(Activation.Relu, x);
        public static Vector512<float> D(Vector512<float> y) => Derivative(Activation.Relu, y);
        public static Vector256<float> D(Vector256<float> y) => Derivative(Activation.Relu, y);
        public static float D(float y) => ActivationGradient.Derivative(Activation.Relu, y);
    }

    internal readonly struct Tanh : IGateActivation
    {
        public static Vector512<float> F(Vector512<float> x) => Act(Activation.Tanh, x);
        public static Vector256<float> F(Vector256<float> x) => Act(Activation.Tanh, x);
        public static float F(float x) => Activations.Scalar(Activation.Tanh, x);
        public static Vector512<float> D(Vector512<float> y) => Derivative(Activation.Tanh, y);
        public static Vector256<float> D(Vector256<float> y) => Derivative(Activation.Tanh, y);
        public static float D(float y) => ActivationGradient.Derivative(Activation.Tanh, y);
    }

    internal readonly struct Sigmoid : IGateActivation
    {
        public static Vector512<float> F(Vector512<float> x) => Act(Activation.Sigmoid, x);
        public static Vector256<float> F(Vector256<float> x) => Act(Activation.Sigmoid, x);
        public static float F(float x) => Activations.Scalar(Activation.Sigmoid, x);
        public static Vector512<float> D(Vector512<float> y) => Derivative(Activation.Sigmoid, y);
        public static Vector256<float> D(Vector256<float> y) => Derivative(Activation.Sigmoid, y);
        public static float D(float y) => ActivationGradient.Derivative(Activation.Sigmoid, y);
    }

    internal readonly struct HardSigmoid : IGateActivation
    {
        public static Vector512<float> F(Vector512<float> x) => Act(Activation.HardSigmoid, x);
        public static Vector256<float> F(Vector256<float> x) => Act(Activation.HardSigmoid, x);
        public static float F(float x) => Activations.Scalar(Activation.HardSigmoid, x);
        public static Vector512<float> D(Vector512<float> y) => Derivative(Activation.HardSigmoid, y);
        public static Vector256<float> D(Vector256<float> y) => Derivative(Activation.HardSigmoid, y);
        public static float D(float y) => ActivationGradient.Derivative(Activation.HardSigmoid, y);
    }

    internal readonly struct Linear : IGateActivation
    {
        public static Vector512<float> F(Vector512<float> x) => Act(Activation.Linear, x);
        public static Vector256<float> F(Vector256<float> x) => Act(Activation.Linear, x);
        public static float F(float x) => Activations.Scalar(Activation.Linear, x);
        public static Vector512<float> D(Vector512<float> y) => Derivative(Activation.Linear, y);
        public static Vector256<float> D(Vector256<float> y) => Derivative(Activation.Linear, y);
        public static float D(float y) => ActivationGradient.Derivative(Activation.Linear, y);
    }
}
