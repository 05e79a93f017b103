using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// One Adam update over flat buffers, in Keras' form (epsilon outside the square root, bias
/// correction folded into the step size alpha = lr sqrt(1 - b2^t) / (1 - b1^t)):
/// <c>m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= alpha m / (sqrt(v) + eps)</c>.
/// Moments below 1e-30 in magnitude are flushed to zero: for units that stopped learning they
/// would otherwise decay into denormal floats, which are many times slower to compute with.
/// Every width (512-, 256-, 128-bit vectors, then scalars for the rest) evaluates the same expressions in the same
/// order, without fused multiply-adds, so each element's result does not depend on the path that computed it.
/// </summary>
internal static class AdamUpdate
{
    /// <summary>The flush threshold for the moments.</summary>
    public const float FlushBelow = 1e-30f;

    /// <summary>Applies the update in place to p, m and v.</summary>
    public static void Run(Span<float> p, Span<float> m, Span<float> v, ReadOnlySpan<float> g, float alpha, float beta1,
                           float beta2, float epsilon)
    {
        Check.SameLength(p, g, nameof(p), nameof(g));
        Check.SameLength(p, m, nameof(p), nameof(m));
        Check.SameLength(p, v, nameof(p), nameof(v));
        Unchecked(p, m, v, g, alpha, beta1, beta2, epsilon);
    }

    /// <summary>Scalar twin of <see cref="Run"/>.</summary>
    public static void Scalar(Span<float> p, Span<float> m, Span<float> v, ReadOnlySpan<float> g, float alpha,
                              float beta1, float beta2, float epsilon)
    {
        Check.SameLength(p, g, nameof(p), nameof(g));
        Check.SameLength(p, m, nameof(p), nameof(m));
        Check.SameLength(p, v, nameof(p), nameof(v));
        for (int i = 0; i < p.Length; i++) Step(ref p[i], ref m[i], ref v[i], g[i], alpha, beta1, beta2, epsilon);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(ref float p, ref float m, ref float v, float g, float alpha, float beta1, float beta2,
                             float epsilon)
    {
        float mi = beta1 * m + (1f - beta1) * g;
        float vi = beta2 * v + (1f - beta2) * g * g;
        if (MathF.Abs(mi) < FlushBelow) mi = 0f;
        if (vi < FlushBelow) vi = 0f;
        m = mi; v = vi;
        p -= alpha * mi / (MathF.Sqrt(vi) + epsilon);
    }

    internal static void Unchecked(Span<float> p, Span<float> m, Span<float> v, ReadOnlySpan<float> g, float alpha,
                                   float beta1, float beta2, float epsilon)
    {
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float vr = ref MemoryMarshal.GetReference(v);
        ref float gr = ref MemoryMarshal.GetReference(g);
        nuint n = (nuint)p.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> b1 = Vector512.Create(beta1), c1 = Vector512.Create(1f - beta1),
            b2 = Vector512.Create(beta2),
                c2 = Vector512.Create(1f - beta2), a = Vector512.Create(alpha), e = Vector512.Create(epsilon),
                tiny = Vector512.Create(FlushBelow);
            for (; i + 16 <= n; i += 16)
            {
                var gi = Vector512.LoadUnsafe(ref gr, i);
                var mi = b1 * Vector512.LoadUnsafe(ref mr, i) + c1 * gi;
                var vi = b2 * Vector512.LoadUnsafe(ref vr, i) + c2 * gi * gi;
                mi = Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(mi), tiny), Vector512<float>.Zero,
                                                 mi);
                vi = Vector512.ConditionalSelect(Vector512.LessThan(vi, tiny), Vector512<float>.Zero, vi);
                mi.StoreUnsafe(ref mr, i);
                vi.StoreUnsafe(ref vr, i);
                (Vector512.LoadUnsafe(ref pr, i) - a * mi / (Vector512.Sqrt(vi) + e)).StoreUnsafe(ref pr, i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> b1 = Vector256.Create(beta1), c1 = Vector256.Create(1f - beta1),
            b2 = Vector256.Create(beta2),
                c2 = Vector256.Create(1f - beta2), a = Vector256.Create(alpha), e = Vector256.Create(epsilon),
                tiny = Vector256.Create(FlushBelow);
            for (; i + 8 <= n; i += 8)
            {
                var gi = Vector256.LoadUnsafe(ref gr, i);
                var mi = b1 * Vector256.LoadUnsafe(ref mr, i) + c1 * gi;
                var vi = b2 * Vector256.LoadUnsafe(ref vr, i) + c2 * gi * gi;
                mi = Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(mi), tiny), Vector256<float>.Zero,
                                                 mi);
                vi = Vector256.ConditionalSelect(Vector256.LessThan(vi, tiny), Vector256<float>.Zero, vi);
                mi.StoreUnsafe(ref mr, i);
                vi.StoreUnsafe(ref vr, i);
                (Vector256.LoadUnsafe(ref pr, i) - a * mi / (Vector256.Sqrt(vi) + e)).StoreUnsafe(ref pr, i);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> b1 = Vector128.Create(beta1), c1 = Vector128.Create(1f - beta1);
            Vector128<float> b2 = Vector128.Create(beta2), c2 = Vector128.Create(1f - beta2);
            Vector128<float> a = Vector128.Create(alpha), e = Vector128.Create(epsilon);
            var tiny = Vector128.Create(FlushBelow);
            for (; i + 4 <= n; i += 4)
            {
                var gi = Vector128.LoadUnsafe(ref gr, i);
                var mi = b1 * Vector128.LoadUnsafe(ref mr, i) + c1 * gi;
                var vi = b2 * Vector128.LoadUnsafe(ref vr, i) + c2 * gi * gi;
                mi = Vector128.ConditionalSelect(Vector128.LessThan(Vector128.Abs(mi), tiny), default, mi);
                vi = Vector128.ConditionalSelect(Vector128.LessThan(vi, tiny), default, vi);
                mi.StoreUnsafe(ref mr, i);
                vi.StoreUnsafe(ref vr, i);
                (Vector128.LoadUnsafe(ref pr, i) - a * mi / (Vector128.Sqrt(vi) + e)).StoreUnsafe(ref pr, i);
            }
        }
        for (; i < n; i++)
            Step(ref Unsafe.Add(ref pr, i), ref Unsafe.Add(ref mr, i), ref Unsafe.Add(ref vr, i), Unsafe.Add(ref gr, i),
                 alpha, beta1, beta2, epsilon);
    }
}
