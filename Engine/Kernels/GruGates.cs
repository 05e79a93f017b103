using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static Engine.Kernels.MaskedLanes;

namespace Engine.Kernels;

/// <summary>
/// The gate math of one GRU step (Keras' semantics, gate blocks z, r, h) fused into one pass over a batch of rows:
/// gates (N, 3H), states (N, H). a is the activation, σ the recurrent activation; q denotes the reset gate r.
/// <code>
/// reset_after:      z = σ(x_z + u_z), q = σ(x_r + u_r), g = a(x_h + q u_h)    x = x W + b, u = h_{t-1} U + b'
/// not reset_after:  z = σ(x_z + u_z), q = σ(x_r + u_r)    (then the layer adds (q h_{t-1}) U_h to x_h)
///                   g = a(x_h + (q h_{t-1}) U_h)
/// both:             h_t = z h_{t-1} + (1 - z) g  =  g + z (h_{t-1} - g)
/// </code>
/// Backward, from dh = dL/dh_t: dz̃ = dh (h_{t-1} - g) σ'(z), dg̃ = dh (1 - z) a'(g), dh_{t-1} gets dh z directly;
/// reset_after: dq̃ = dg̃ u_h σ'(q), the input side's gradient is [dz̃, dq̃, dg̃], the recurrent side's [dz̃, dq̃, dg̃
/// q];
/// not reset_after: with d(q h) = dg̃ U_hᵀ (a product the layer computes), dq̃ = d(q h) h_{t-1} σ'(q) and dh_{t-1} gets
/// d(q h) q. Derivatives are taken through the saved outputs (<see cref="ActivationGradient.Derivative"/>).
/// Each kernel has a scalar twin (…Scalar) written from these formulas, the definition the vector paths are tested
/// against; a row's last partial vector is a masked load and store.
/// </summary>
internal static unsafe class GruGates
{
    /// <summary>
    /// reset_after forward: <paramref name="gates"/> holds x W + b (N, 3H) and receives z, q, g;
    /// <paramref name="recurrent"/> holds h_{t-1} U + b' (N, 3H); writes h_t (N, H).
    /// </summary>
    public static void ForwardResetAfter(Span<float> gates, ReadOnlySpan<float> recurrent, Span<float> h,
                                         ReadOnlySpan<float> hPrev,
                                         Activation activation, Activation recurrentActivation, int rows, int units)
    {
        CheckShapes(gates, h, hPrev, rows, units);
        Check.Matrix(recurrent, rows, 3 * units, nameof(recurrent));
        ForwardResetAfterUnchecked(gates, recurrent, h, hPrev, activation, recurrentActivation, rows, units);
    }

    /// <summary>Scalar twin of <see cref="ForwardResetAfter"/>.</summary>
    public static void ForwardResetAfterScalar(Span<float> gates, ReadOnlySpan<float> recurrent, Span<float> h,
                                               ReadOnlySpan<float> hPrev,
                                               Activation activation, Activation recurrentActivation, int rows,
                                               int units)
    {
        CheckShapes(gates, h, hPrev, rows, units);
        Check.Matrix(recurrent, rows, 3 * units, nameof(recurrent));
        int hh = units;
        for (int n = 0; n < rows; n++)
            for (int j = 0; j < hh; j++)
            {
                int o = n * 3 * hh + j;
                float z = Activations.Scalar(recurrentActivation, gates[o] + recurrent[o]);
                float q = Activations.Scalar(recurrentActivation, gates[o + hh] + recurrent[o + hh]);
                float g = Activations.Scalar(activation, gates[o + 2 * hh] + q * recurrent[o + 2 * hh]);
                gates[o] = z; gates[o + hh] = q; gates[o + 2 * hh] = g;
                h[n * hh + j] = g + z * (hPrev[n * hh + j] - g);
            }
    }

    /// <summary>
    /// Not reset_after, first half: z = σ(·), q = σ(·) in place in blocks z, r of <paramref name="gates"/> (which hold
    /// x W + h_{t-1} U + b there); writes q h_{t-1} (N, H) to <paramref name="resetHidden"/>.
    /// </summary>
    public static void ForwardResetGate(Span<float> gates, Span<float> resetHidden, ReadOnlySpan<float> hPrev,
                                        Activation recurrentActivation, int rows, int units)
    {
        CheckShapes(gates, resetHidden, hPrev, rows, units);
        ForwardResetGateUnchecked(gates, resetHidden, hPrev, recurrentActivation, rows, units);
    }

    /// <summary>Scalar twin of <see cref="ForwardResetGate"/>.</summary>
    public static void ForwardResetGateScalar(Span<float> gates, Span<float> resetHidden, ReadOnlySpan<float> hPrev,
                                              Activation recurrentActivation, int rows, int units)
    {
        CheckShapes(gates, resetHidden, hPrev, rows, units);
        int hh = units;
        for (int n = 0; n < rows; n++)
            for (int j = 0; j < hh; j++)
            {
                int o = n * 3 * hh + j;
                float z = Activations.Scalar(recurrentActivation, gates[o]),
                q = Activations.Scalar(recurrentActivation, gates[o + hh]);
                gates[o] = z; gates[o + hh] = q;
                resetHidden[n * hh + j] = q * hPrev[n * hh + j];
            }
    }

    /// <summary>
    /// Not reset_after, second half: g = a(·) in place in block h of <paramref name="gates"/> (x W_h + b_h + (q h)
    /// U_h);
    /// writes h_t = g + z (h_{t-1} - g).
    /// </summary>
    public static void ForwardCandidate(Span<float> gates, Span<float> h, ReadOnlySpan<float> hPrev,
                                        Activation activation, int rows, int units)
    {
        CheckShapes(gates, h, hPrev, rows, units);
        ForwardCandidateUnchecked(gates, h, hPrev, activation, rows, units);
    }

    /// <summary>Scalar twin of <see cref="ForwardCandidate"/>.</summary>
    public static void ForwardCandidateScalar(Span<float> gates, Span<float> h, ReadOnlySpan<float> hPrev,
                                              Activation activation, int rows, int units)
    {
        CheckShapes(gates, h, hPrev, rows, units);
        int hh = units;
        for (int n = 0; n < rows; n++)
            for (int j = 0; j < hh; j++)
            {
                int o = n * 3 * hh + j;
                float g = Activations.Scalar(activation, gates[o + 2 * hh]);
                gates[o + 2 * hh] = g;
                h[n * hh + j] = g + gates[o] * (hPrev[n * hh + j] - g);
            }
    }

    /// <summary>
    /// reset_after backward: from dh = dL/dh_t (replaced by its direct part dh z), writes the input side's
    /// gradient [dz̃, dq̃, dg̃] to <paramref name="dInputSide"/> and the recurrent side's [dz̃, dq̃, dg̃ q] to
    /// <paramref name="dRecurrentSide"/> (both (N, 3H)); gates hold z, q, g, <paramref name="recurrent"/> h_{t-1} U +
    /// b'.
    /// </summary>
    public static void BackwardResetAfter(Span<float> dInputSide, Span<float> dRecurrentSide, Span<float> dh,
                                          ReadOnlySpan<float> gates,
                                          ReadOnlySpan<float> recurrent, ReadOnlySpan<float> hPrev,
                                          Activation activation,
                                          Activation recurrentActivation, int rows, int units)
    {
        CheckShapes(gates, dh, hPrev, rows, units);
        Check.Matrix(recurrent, rows, 3 * units, nameof(recurrent));
        Check.Matrix(dInputSide, rows, 3 * units, nameof(dInputSide));
        Check.Matrix(dRecurrentSide, rows, 3 * units, nameof(dRecurrentSide));
        BackwardResetAfterUnchecked(dInputSide, dRecurrentSide, dh, gates, recurrent, hPrev, activation,
                                    recurrentActivation, rows, units);
    }

    /// <summary>Scalar twin of <see cref="BackwardResetAfter"/>.</summary>
    public static void BackwardResetAfterScalar(Span<float> dInputSide, Span<float> dRecurrentSide, Span<float> dh,
                                                ReadOnlySpan<float> gates,
                                                ReadOnlySpan<float> recurrent, ReadOnlySpan<float> hPrev,
                                                Activation activation,
                                                Activation recurrentActivation, int rows, int units)
    {
        CheckShapes(gates, dh, hPrev, rows, units);
        int hh = units;
        for (int n = 0; n < rows; n++)
            for (int j = 0; j < hh; j++)
            {
                int o = n * 3 * hh + j, s = n * hh + j;
                float z = gates[o], q = gates[o + hh], g = gates[o + 2 * hh], d = dh[s];
                float dz = d * (hPrev[s] - g) * ActivationGradient.Derivative(recurrentActivation, z);
                float dg = d * (1f - z) * ActivationGradient.Derivative(activation, g);
                float dq = dg * recurrent[o + 2 * hh] * ActivationGradient.Derivative(recurrentActivation, q);
                dInputSide[o] = dz; dInputSide[o + hh] = dq; dInputSide[o + 2 * hh] = dg;
                dRecurrentSide[o] = dz; dRecurrentSide[o + hh] = dq; dRecurrentSide[o + 2 * hh] = dg * q;
                dh[s] = d * z;
            }
    }

    /// <summary>
    /// Not reset_after, first half of backward: from dh = dL/dh_t (replaced by dh z), writes dz̃ and dg̃ to blocks z
    /// and h
    /// of <paramref name="dGates"/> (N, 3H).
    /// </summary>
    public static void BackwardCandidate(Span<float> dGates, Span<float> dh, ReadOnlySpan<float> gates,
                                         ReadOnlySpan<float> hPrev,
                                         Activation activation, Activation recurrentActivation, int rows, int units)
    {
        CheckShapes(gates, dh, hPrev, rows, units);
        Check.Matrix(dGates, rows, 3 * units, nameof(dGates));
        BackwardCandidateUnchecked(dGates, dh, gates, hPrev, activation, recurrentActivation, rows, units);
    }

    /// <summary>Scalar twin of <see cref="BackwardCandidate"/>.</summary>
    public static void BackwardCandidateScalar(Span<float> dGates, Span<float> dh, ReadOnlySpan<float> gates,
                                               ReadOnlySpan<float> hPrev,
                                               Activation activation, Activation recurrentActivation, int rows,
                                               int units)
    {
        CheckShapes(gates, dh, hPrev, rows, units);
        int hh = units;
        for (int n = 0; n < rows; n++)
            for (int j = 0; j < hh; j++)
            {
                int o = n * 3 * hh + j, s = n * hh + j;
                float z = gates[o], g = gates[o + 2 * hh], d = dh[s];
                dGates[o] = d * (hPrev[s] - g) * ActivationGradient.Derivative(recurrentActivation, z);
                dGates[o + 2 * hh] = d * (1f - z) * ActivationGradient.Derivative(activation, g);
                dh[s] = d * z;
            }
    }

    /// <summary>
    /// Not reset_after, second half of backward: from d(q h) = dg̃ U_hᵀ (N, H), writes dq̃ = d(q h) h_{t-1} σ'(q) to
    /// block r of <paramref name="dGates"/> and adds d(q h) q to <paramref name="dh"/>.
    /// </summary>
    public static void BackwardResetGate(Span<float> dGates, Span<float> dh, ReadOnlySpan<float> dResetHidden,
                                         ReadOnlySpan<float> gates,
                                         ReadOnlySpan<float> hPrev, Activation recurrentActivation, int rows, int units)
    {
        CheckShapes(gates, dh, hPrev, rows, units);
        Check.Matrix(dGates, rows, 3 * units, nameof(dGates));
        Check.Matrix(dResetHidden, rows, units, nameof(dResetHidden));
        BackwardResetGateUnchecked(dGates, dh, dResetHidden, gates, hPrev, recurrentActivation, rows, units);
    }

    /// <summary>Scalar twin of <see cref="BackwardResetGate"/>.</summary>
    public static void BackwardResetGateScalar(Span<float> dGates, Span<float> dh, ReadOnlySpan<float> dResetHidden,
                                               ReadOnlySpan<float> gates,
                                               ReadOnlySpan<float> hPrev, Activation recurrentActivation, int rows,
                                               int units)
    {
        CheckShapes(gates, dh, hPrev, rows, units);
        int hh = units;
        for (int n = 0; n < rows; n++)
            for (int j = 0; j < hh; j++)
            {
                int o = n * 3 * hh + j, s = n * hh + j;
                float q = gates[o + hh], d = dResetHidden[s];
                dGates[o + hh] = d * hPrev[s] * ActivationGradient.Derivative(recurrentActivation, q);
                dh[s] += d * q;
            }
    }

    private static void CheckShapes(ReadOnlySpan<float> gates, ReadOnlySpan<float> state, ReadOnlySpan<float> hPrev,
                                    int rows, int units)
    {
        Check.Positive(rows, nameof(rows));
        Check.Positive(units, nameof(units));
        Check.Matrix(gates, rows, 3 * units, nameof(gates));
        Check.Matrix(state, rows, units, nameof(state));
        Check.Matrix(hPrev, rows, units, nameof(hPrev));
    }

    // ---- the vector paths: one struct per kernel, run row by row by Run over whole and masked vectors ----

    internal static void ForwardResetAfterUnchecked(Span<float> gates, ReadOnlySpan<float> recurrent, Span<float> h,
                                                    ReadOnlySpan<float> hPrev,
                                                    Activation a, Activation r, int rows, int units)
    {
        fixed (float* g = gates, u = recurrent, hp = h, pp = hPrev)
        {
            var k = new ForwardAfterKernel { G = g, U = u, H = hp, P = pp, Units = units };
            Dispatch(ref k, a, r, rows, units);
        }
    }

    internal static void ForwardResetGateUnchecked(Span<float> gates, Span<float> resetHidden,
                                                   ReadOnlySpan<float> hPrev, Activation r,
                                                   int rows, int units)
    {
        fixed (float* g = gates, rh = resetHidden, pp = hPrev)
        {
            var k = new ResetGateKernel { G = g, RH = rh, P = pp, Units = units };
            DispatchGate(ref k, r, rows, units);
        }
    }

    internal static void ForwardCandidateUnchecked(Span<float> gates, Span<float> h, ReadOnlySpan<float> hPrev,
                                                   Activation a, int rows, int units)
    {
        fixed (float* g = gates, hp = h, pp = hPrev)
        {
            var k = new CandidateKernel { G = g, H = hp, P = pp, Units = units };
            DispatchCandidate(ref k, a, rows, units);
        }
    }

    internal static void BackwardResetAfterUnchecked(Span<float> dInputSide, Span<float> dRecurrentSide, Span<float> dh,
                                                     ReadOnlySpan<float> gates,
                                                     ReadOnlySpan<float> recurrent, ReadOnlySpan<float> hPrev,
                                                     Activation a, Activation r,
                                                     int rows, int units)
    {
        fixed (float* dx = dInputSide, du = dRecurrentSide, d = dh, g = gates, u = recurrent, pp = hPrev)
        {
            var k = new BackwardAfterKernel { DX = dx, DU = du, DH = d, G = g, U = u, P = pp, Units = units };
            Dispatch(ref k, a, r, rows, units);
        }
    }

    internal static void BackwardCandidateUnchecked(Span<float> dGates, Span<float> dh, ReadOnlySpan<float> gates,
                                                    ReadOnlySpan<float> hPrev,
                                                    Activation a, Activation r, int rows, int units)
    {
        fixed (float* dg = dGates, d = dh, g = gates, pp = hPrev)
        {
            var k = new BackwardCandidateKernel { DG = dg, DH = d, G = g, P = pp, Units = units };
            Dispatch(ref k, a, r, rows, units);
        }
    }

    internal static void BackwardResetGateUnchecked(Span<float> dGates, Span<float> dh,
                                                    ReadOnlySpan<float> dResetHidden, ReadOnlySpan<float> gates,
                                                    ReadOnlySpan<float> hPrev, Activation r, int rows, int units)
    {
        fixed (float* dg = dGates, d = dh, drh = dResetHidden, g = gates, pp = hPrev)
        {
            var k = new BackwardResetGateKernel { DG = dg, DH = d, DRH = drh, G = g, P = pp, Units = units };
            DispatchGate(ref k, r, rows, units);
        }
    }

    /// <summary>
    /// A kernel's body on the lanes [j, j + width) of the row set by <see cref="Row"/>, generic over the activation TA
    /// and the recurrent activation TR (so each pair gets its own straight-line loop).
    /// </summary>
    private interface IRowKernel
    {
        void Row(int n);
        void Lanes<TA, TR>(int j, Vector512<float> mask, bool masked)
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator;
        void Lanes<TA, TR>(int j, Vector256<float> mask, bool masked)
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator;
        void Lane<TA, TR>(int j) where TA : struct, IActivationOperator where TR : struct, IActivationOperator;
    }

    // One specialised loop per activation pair (ActivationDispatch): no switch or indirect jump per vector.
    private static void Dispatch<TK>(ref TK k, Activation a, Activation r, int rows, int units) where TK : struct,
    IRowKernel =>
        ActivationDispatch.Run(a, r, new PairCall<TK>(k, rows, units));

    // A kernel that uses only the recurrent activation (its TA is linear, unused).
    private static void DispatchGate<TK>(ref TK k, Activation r, int rows, int units) where TK : struct, IRowKernel
    {
        var call = new GateCall<TK>(k, rows, units);
        ActivationDispatch.Run(r, ref call);
    }

    // A kernel that uses only the activation (its TR is linear, unused).
    private static void DispatchCandidate<TK>(ref TK k, Activation a, int rows, int units) where TK : struct, IRowKernel
    {
        var call = new CandidateCall<TK>(k, rows, units);
        ActivationDispatch.Run(a, ref call);
    }

    private readonly struct PairCall<TK>(TK kernel, int rows, int units) : IActivationPairCall where TK : struct,
    IRowKernel
    {
        public void Run<TA, TR>() where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            var k = kernel;
            GruGates.Run<TK, TA, TR>(ref k, rows, units);
        }
    }

    private readonly struct GateCall<TK>(TK kernel, int rows, int units) : IActivationCall where TK : struct, IRowKernel
    {
        public void Run<TR>() where TR : struct, IActivationOperator
        {
            var k = kernel;
            GruGates.Run<TK, LinearActivation, TR>(ref k, rows, units);
        }
    }

    private readonly struct CandidateCall<TK>(TK kernel, int rows, int units) : IActivationCall where TK : struct,
    IRowKernel
    {
        public void Run<TA>() where TA : struct, IActivationOperator
        {
            var k = kernel;
            GruGates.Run<TK, TA, LinearActivation>(ref k, rows, units);
        }
    }

    private static void Run<TK, TA, TR>(ref TK k, int rows, int units)
        where TK : struct, IRowKernel where TA : struct, IActivationOperator where TR : struct, IActivationOperator
    {
        for (int n = 0; n < rows; n++)
        {
            k.Row(n);
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j + 16 <= units; j += 16) k.Lanes<TA, TR>(j, default(Vector512<float>), masked: false);
                if (j < units) k.Lanes<TA, TR>(j, Mask512(units - j), masked: true);
                continue;
            }
            if (Vector256.IsHardwareAccelerated)
            {
                for (; j + 8 <= units; j += 8) k.Lanes<TA, TR>(j, default(Vector256<float>), masked: false);
                if (j < units) k.Lanes<TA, TR>(j, Mask256(units - j), masked: true);
                continue;
            }
            for (; j < units; j++) k.Lane<TA, TR>(j);
        }
    }

    // Pointers: G gates (row 3H), U recurrent part (row 3H), H / P h_t / h_{t-1} (row H); Row(n) moves them to row n.
    private struct ForwardAfterKernel : IRowKernel
    {
        public float* G, U, H, P;
        public int Units;
        private float* _g, _u, _h, _p;

        public void Row(int n)
        {
            _g = G + n * 3 * Units; _u = U + n * 3 * Units; _h = H + n * Units; _p = P
            + n * Units;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Lanes<TA, TR>(int j, Vector512<float> m, bool masked)
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            float* g = _g + j, u = _u + j;
            int hh = Units;
            var z = TR.Invoke(Load(g, m, masked) + Load(u, m, masked));
            var q = TR.Invoke(Load(g + hh, m, masked) + Load(u + hh, m, masked));
            var c = TA.Invoke(Vector512.FusedMultiplyAdd(q, Load(u + 2 * hh, m, masked), Load(g + 2 * hh, m, masked)));
            Store(g, z, m, masked); Store(g + hh, q, m, masked); Store(g + 2 * hh, c, m, masked);
            Store(_h + j, Vector512.FusedMultiplyAdd(z, Load(_p + j, m, masked) - c, c), m, masked);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Lanes<TA, TR>(int j, Vector256<float> m, bool masked)
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            float* g = _g + j, u = _u + j;
            int hh = Units;
            var z = TR.Invoke(Load(g, m, masked) + Load(u, m, masked));
            var q = TR.Invoke(Load(g + hh, m, masked) + Load(u + hh, m, masked));
            var c = TA.Invoke(Vector256.FusedMultiplyAdd(q, Load(u + 2 * hh, m, masked), Load(g + 2 * hh, m, masked)));
            Store(g, z, m, masked); Store(g + hh, q, m, masked); Store(g + 2 * hh, c, m, masked);
            Store(_h + j, Vector256.FusedMultiplyAdd(z, Load(_p + j, m, masked) - c, c), m, masked);
        }

        public readonly void Lane<TA, TR>(int j) where TA : struct, IActivationOperator where TR : struct,
        IActivationOperator
        {
            float* g = _g + j, u = _u + j;
            int hh = Units;
            float z = TR.Invoke(g[0] + u[0]), q = TR.Invoke(g[hh] + u[hh]),
            c = TA.Invoke(MathF.FusedMultiplyAdd(q, u[2 * hh], g[2 * hh]));
            g[0] = z; g[hh] = q; g[2 * hh] = c;
            _h[j] = MathF.FusedMultiplyAdd(z, _p[j] - c, c);
        }
    }

    private struct ResetGateKernel : IRowKernel
    {
        public float* G, RH, P;
        public int Units;
        private float* _g, _rh, _p;

        public void Row(int n) { _g = G + n * 3 * Units; _rh = RH + n * Units; _p = P + n * Units; }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Lanes<TA, TR>(int j, Vector512<float> m, bool masked)
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            float* g = _g + j;
            var z = TR.Invoke(Load(g, m, masked));
            var q = TR.Invoke(Load(g + Units, m, masked));
            Store(g, z, m, masked); Store(g + Units, q, m, masked);
            Store(_rh + j, q * Load(_p + j, m, masked), m, masked);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Lanes<TA, TR>(int j, Vector256<float> m, bool masked)
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            float* g = _g + j;
            var z = TR.Invoke(Load(g, m, masked));
            var q = TR.Invoke(Load(g + Units, m, masked));
            Store(g, z, m, masked); Store(g + Units, q, m, masked);
            Store(_rh + j, q * Load(_p + j, m, masked), m, masked);
        }

        public readonly void Lane<TA, TR>(int j) where TA : struct, IActivationOperator where TR : struct,
        IActivationOperator
        {
            float* g = _g + j;
            float z = TR.Invoke(g[0]), q = TR.Invoke(g[Units]);
            g[0] = z; g[Units] = q;
            _rh[j] = q * _p[j];
        }
    }

    private struct CandidateKernel : IRowKernel
    {
        public float* G, H, P;
        public int Units;
        private float* _g, _h, _p;

        public void Row(int n) { _g = G + n * 3 * Units; _h = H + n * Units; _p = P + n * Units; }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Lanes<TA, TR>(int j, Vector512<float> m, bool masked)
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            float* g = _g + j;
            var c = TA.Invoke(Load(g + 2 * Units, m, masked));
            Store(g + 2 * Units, c, m, masked);
            Store(_h + j, Vector512.FusedMultiplyAdd(Load(g, m, masked), Load(_p + j, m, masked) - c, c), m, masked);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Lanes<TA, TR>(int j, Vector256<float> m, bool masked)
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            float* g = _g + j;
            var c = TA.Invoke(Load(g + 2 * Units, m, masked));
            Store(g + 2 * Units, c, m, masked);
            Store(_h + j, Vector256.FusedMultiplyAdd(Load(g, m, masked), Load(_p + j, m, masked) - c, c), m, masked);
        }

        public readonly void Lane<TA, TR>(int j) where TA : struct, IActivationOperator where TR : struct,
        IActivationOperator
        {
            float* g = _g + j;
            float c = TA.Invoke(g[2 * Units]);
            g[2 * Units] = c;
            _h[j] = MathF.FusedMultiplyAdd(g[0], _p[j] - c, c);
        }
    }

    private struct BackwardAfterKernel : IRowKernel
    {
        public float* DX, DU, DH, G, U, P;
        public int Units;
        private float* _dx, _du, _dh, _g, _u, _p;

        public void Row(int n)
        {
            int w = 3 * Units;
            _dx = DX + n * w; _du = DU + n * w; _g = G + n * w; _u = U + n * w; _dh = DH + n * Units; _p = P
                + n * Units;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Lanes<TA, TR>(int j, Vector512<float> m, bool masked)
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            int hh = Units;
            float* g = _g + j, dx = _dx + j, du = _du + j;
            var z = Load(g, m, masked);
            var q = Load(g + hh, m, masked);
            var c = Load(g + 2 * hh, m, masked);
            var d = Load(_dh + j, m, masked);
            var dz = d * (Load(_p + j, m, masked) - c) * TR.Derivative(z);
            var dc = (d - d * z) * TA.Derivative(c);
            var dq = dc * Load(_u + j + 2 * hh, m, masked) * TR.Derivative(q);
            Store(dx, dz, m, masked); Store(dx + hh, dq, m, masked); Store(dx + 2 * hh, dc, m, masked);
            Store(du, dz, m, masked); Store(du + hh, dq, m, masked); Store(du + 2 * hh, dc * q, m, masked);
            Store(_dh + j, d * z, m, masked);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Lanes<TA, TR>(int j, Vector256<float> m, bool masked)
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            int hh = Units;
            float* g = _g + j, dx = _dx + j, du = _du + j;
            var z = Load(g, m, masked);
            var q = Load(g + hh, m, masked);
            var c = Load(g + 2 * hh, m, masked);
            var d = Load(_dh + j, m, masked);
            var dz = d * (Load(_p + j, m, masked) - c) * TR.Derivative(z);
            var dc = (d - d * z) * TA.Derivative(c);
            var dq = dc * Load(_u + j + 2 * hh, m, masked) * TR.Derivative(q);
            Store(dx, dz, m, masked); Store(dx + hh, dq, m, masked); Store(dx + 2 * hh, dc, m, masked);
            Store(du, dz, m, masked); Store(du + hh, dq, m, masked); Store(du + 2 * hh, dc * q, m, masked);
            Store(_dh + j, d * z, m, masked);
        }

        public readonly void Lane<TA, TR>(int j) where TA : struct, IActivationOperator where TR : struct,
        IActivationOperator
        {
            int hh = Units;
            float* g = _g + j, dx = _dx + j, du = _du + j;
            float z = g[0], q = g[hh], c = g[2 * hh], d = _dh[j];
            float dz = d * (_p[j] - c) * TR.Derivative(z), dc = (d - d * z) * TA.Derivative(c),
            dq = dc * _u[j + 2 * hh] * TR.Derivative(q);
            dx[0] = dz; dx[hh] = dq; dx[2 * hh] = dc;
            du[0] = dz; du[hh] = dq; du[2 * hh] = dc * q;
            _dh[j] = d * z;
        }
    }

    private struct BackwardCandidateKernel : IRowKernel
    {
        public float* DG, DH, G, P;
        public int Units;
        private float* _dg, _dh, _g, _p;

        public void Row(int n)
        {
            _dg = DG + n * 3 * Units; _g = G + n * 3 * Units; _dh = DH + n * Units; _p = P
            + n * Units;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Lanes<TA, TR>(int j, Vector512<float> m, bool masked)
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            float* g = _g + j, dg = _dg + j;
            var z = Load(g, m, masked);
            var c = Load(g + 2 * Units, m, masked);
            var d = Load(_dh + j, m, masked);
            Store(dg, d * (Load(_p + j, m, masked) - c) * TR.Derivative(z), m, masked);
            Store(dg + 2 * Units, (d - d * z) * TA.Derivative(c), m, masked);
            Store(_dh + j, d * z, m, masked);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Lanes<TA, TR>(int j, Vector256<float> m, bool masked)
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            float* g = _g + j, dg = _dg + j;
            var z = Load(g, m, masked);
            var c = Load(g + 2 * Units, m, masked);
            var d = Load(_dh + j, m, masked);
            Store(dg, d * (Load(_p + j, m, masked) - c) * TR.Derivative(z), m, masked);
            Store(dg + 2 * Units, (d - d * z) * TA.Derivative(c), m, masked);
            Store(_dh + j, d * z, m, masked);
        }

        public readonly void Lane<TA, TR>(int j) where TA : struct, IActivationOperator where TR : struct,
        IActivationOperator
        {
            float* g = _g + j, dg = _dg + j;
            float z = g[0], c = g[2 * Units], d = _dh[j];
            dg[0] = d * (_p[j] - c) * TR.Derivative(z);
            dg[2 * Units] = (d - d * z) * TA.Derivative(c);
            _dh[j] = d * z;
        }
    }

    private struct BackwardResetGateKernel : IRowKernel
    {
        public float* DG, DH, DRH, G, P;
        public int Units;
        private float* _dg, _dh, _drh, _g, _p;

        public void Row(int n)
        {
            _dg = DG + n * 3 * Units; _g = G + n * 3 * Units; _dh = DH + n * Units; _drh = DRH + n * Units; _p = P
                + n * Units;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Lanes<TA, TR>(int j, Vector512<float> m, bool masked)
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            var q = Load(_g + j + Units, m, masked);
            var d = Load(_drh + j, m, masked);
            Store(_dg + j + Units, d * Load(_p + j, m, masked) * TR.Derivative(q), m, masked);
            Store(_dh + j, Vector512.FusedMultiplyAdd(d, q, Load(_dh + j, m, masked)), m, masked);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Lanes<TA, TR>(int j, Vector256<float> m, bool masked)
            where TA : struct, IActivationOperator where TR : struct, IActivationOperator
        {
            var q = Load(_g + j + Units, m, masked);
            var d = Load(_drh + j, m, masked);
            Store(_dg + j + Units, d * Load(_p + j, m, masked) * TR.Derivative(q), m, masked);
            Store(_dh + j, Vector256.FusedMultiplyAdd(d, q, Load(_dh + j, m, masked)), m, masked);
        }

        public readonly void Lane<TA, TR>(int j) where TA : struct, IActivationOperator where TR : struct,
        IActivationOperator
        {
            float q = _g[j + Units], d = _drh[j];
            _dg[j + Units] = d * _p[j] * TR.Derivative(q);
            _dh[j] = MathF.FusedMultiplyAdd(d, q, _dh[j]);
        }
    }
}
