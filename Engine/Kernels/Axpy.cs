using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>y[i] += a * x[i], fused multiply-add on every vector width.</summary>
internal static class Axpy
{
    /// <summary>y[i] += a * x[i] for i in [0, x.Length).</summary>
    public static void Run(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        Check.SameLength(x, y, nameof(x), nameof(y));
        Unchecked(a, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length);
    }

    /// <summary>Scalar twin of <see cref="Run"/>.</summary>
    public static void Scalar(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        Check.SameLength(x, y, nameof(x), nameof(y));
        for (int i = 0; i < x.Length; i++) y[i] = MathF.FusedMultiplyAdd(a, x[i], y[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Unchecked(float a, ref float x, ref float y, int length)
    {
        nuint n = (nuint)length, i = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var va = Vector512.Create(a);
            for (; i + 16 <= n; i += 16)
                Vector512.FusedMultiplyAdd(va, Vector512.LoadUnsafe(ref x, i),
                                           Vector512.LoadUnsafe(ref y, i)).StoreUnsafe(ref y, i);
        }
        if (Vector256.IsHardwareAccelerated && i + 8 <= n)
        {
            var va = Vector256.Create(a);
            for (; i + 8 <= n; i += 8)
                Vector256.FusedMultiplyAdd(va, Vector256.LoadUnsafe(ref x, i),
                                           Vector256.LoadUnsafe(ref y, i)).StoreUnsafe(ref y, i);
        }
        if (Vector128.IsHardwareAccelerated && i + 4 <= n)
        {
            var va = Vector128.Create(a);
            for (; i + 4 <= n; i += 4)
                Vector128.FusedMultiplyAdd(va, Vector128.LoadUnsafe(ref x, i),
                                           Vector128.LoadUnsafe(ref y, i)).StoreUnsafe(ref y, i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref y, i) = MathF.FusedMultiplyAdd(a, Unsafe.Add(ref x, i), Unsafe.Add(ref y, i));
    }
}
