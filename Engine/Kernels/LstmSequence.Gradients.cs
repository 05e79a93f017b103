using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.Kernels;

// LstmSequence: the weight gradients and dx over all steps, after the time loop.
internal static unsafe partial class LstmSequence
{
    // The weight gradients and dx over all steps at once, off the time loop's dependency chain, from dz (rows, R) in
    // the padded
    // layout of the units: dW += Xᵀ dZ, dU += H_{t-1}ᵀ dZ (hidden row t N + n = h_{t-1} of row n, h_0 = 0, rows
    // lda apart), db += Σ dz, dx = dZ Wᵀ unless null.
    private static void WeightGradients<TW>(float* dx, float* dw, float* du, float* db, float* dz, float* x,
                                            float* hidden, int lda, float* wtp,
                                            int rows, int batch, int inputs, int units) where TW : struct, IRowWidth
    {
        int rl = 16 * TW.V;
        float* tmp = stackalloc float[64];
        if (dw != null) // null: an input-gradient pass
        {
            AddOuterProducts<TW>(dw, dz, x, inputs, rows, inputs, units, tmp);
            // h_0 = 0: its rows add nothing
            AddOuterProducts<TW>(du, dz + batch * rl, hidden + batch * lda, lda, rows - batch, units, units, tmp);
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
            for (int r = 0; r < rows; r++)
            {
                LoadRow<TW>(dz + r * rl, out var d0, out var d1, out var d2, out var d3);
                c0 += d0; c1 += d1; c2 += d2; c3 += d3;
            }
            AddUnpacked<TW>(db, units, tmp, c0, c1, c2, c3);
        }
        if (dx != null) InputGradient<TW>(dx, dz, wtp, rows, inputs, units);
    }

    // d (count, 4H) += aᵀ dz over rows: d_k += Σ_r a[r lda + k] dz_r, four k at a time (up to 16 accumulators: enough
    // independent chains to keep the FMA pipes busy), unpacked on the way out.
    private static void AddOuterProducts<TW>(float* d, float* dz, float* a, int lda, int rows, int count, int units,
                                             float* tmp) where TW : struct, IRowWidth
    {
        int rl = 16 * TW.V;
        for (int k = 0; k < count; k += 4)
        {
            int more = count - k; // the last block may have fewer than 4 columns (a branch the predictor learns)
            Vector512<float> i0 = default, f0 = default, g0 = default, o0 = default, i1 = default, f1 = default,
            g1 = default, o1 = default;
            Vector512<float> i2 = default, f2 = default, g2 = default, o2 = default, i3 = default, f3 = default,
            g3 = default, o3 = default;
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

    /// <summary>Rows the dx product takes at a time (a row's sums depend on whether it falls in a full
    /// block).</summary>
    internal const int InputGradientRows = 8;

    // dx (rows, F) = dz Wᵀ: Σ_j dz_j Wᵀ_j over the live lanes, 16 inputs at a time. dz was stored long before (the
    // time loop), so its lanes are broadcast straight from memory.
    private static void InputGradient<TW>(float* dx, float* dz, float* wtp, int rows, int inputs, int units)
        where TW : struct, IRowWidth
    {
        int rl = 16 * TW.V, p = 4 * TW.V, fp = PaddedInputs(inputs);
        var lastMask = Mask(inputs - (fp - Lanes));
        int r = 0;
        // Eight rows at a time: each Wᵀ row is loaded once for eight broadcast FMAs (one row at a time the loads were
        // the limit).
        for (; r + InputGradientRows <= rows; r += InputGradientRows)
        {
            float* zr = dz + r * rl, dxr = dx + r * inputs;
            for (int c = 0; c < fp; c += Lanes)
            {
                Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default,
                s6 = default, s7 = default;
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
                    s0.Store(dxr + c); s1.Store(dxr + inputs + c); s2.Store(dxr + 2 * inputs
                                                                            + c); s3.Store(dxr + 3 * inputs + c);
                    s4.Store(dxr + 4 * inputs + c); s5.Store(dxr + 5 * inputs
                        + c); s6.Store(dxr + 6 * inputs + c); s7.Store(dxr + 7 * inputs + c);
                }
                else
                {
                    Avx512F.MaskStore(dxr + c, lastMask, s0); Avx512F.MaskStore(dxr + inputs + c, lastMask, s1);
                    Avx512F.MaskStore(dxr + 2 * inputs + c, lastMask,
                                      s2); Avx512F.MaskStore(dxr + 3 * inputs + c, lastMask, s3);
                    Avx512F.MaskStore(dxr + 4 * inputs + c, lastMask,
                                      s4); Avx512F.MaskStore(dxr + 5 * inputs + c, lastMask, s5);
                    Avx512F.MaskStore(dxr + 6 * inputs + c, lastMask,
                                      s6); Avx512F.MaskStore(dxr + 7 * inputs + c, lastMask, s7);
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
                        if (TW.V > 1)
                            s1 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[16 + l]), Vector512.Load(w + 16 * fp),
                                                            s1);
                        if (TW.V > 2)
                        {
                            s2 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[32 + l]), Vector512.Load(w + 32 * fp),
                                                            s2);
                            s3 = Vector512.FusedMultiplyAdd(Vector512.Create(zr[48 + l]), Vector512.Load(w + 48 * fp),
                                                            s3);
                        }
                    }
                var sum = (s0 + s1) + (s2 + s3);
                if (c + Lanes <= inputs) sum.Store(dxr + c);
                else Avx512F.MaskStore(dxr + c, lastMask, sum);
            }
        }
    }
}
