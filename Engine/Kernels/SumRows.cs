using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>acc[j] += sum_i A[i, j] for row-major A (m, n). Used for bias gradients.</summary>
internal static class SumRows
{
    /// <summary>acc (n) += column sums of A (m, n).</summary>
    public static void Run(Span<float> acc, ReadOnlySpan<float> a, int m, int n)
    {
        Check.Matrix(a, m, n, nameof(a));
        if (acc.Length != n)
            throw new ArgumentException($"acc has length {acc.Length}, expected {n} (the columns of a)", nameof(acc));
        Unchecked(acc, a, m, n);
    }

    /// <summary>Scalar twin of <see cref="Run"/>.</summary>
    public static void Scalar(Span<float> acc, ReadOnlySpan<float> a, int m, int n)
    {
        Check.Matrix(a, m, n, nameof(a));
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) acc[j] += a[i * n + j];
    }

    // Column blocks of one vector, each summed down all rows in a register and stored once (one pass, no call per row).
    internal static void Unchecked(Span<float> acc, ReadOnlySpan<float> a, int m, int n)
    {
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float sr = ref MemoryMarshal.GetReference(acc);
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j + 16 <= n; j += 16)
            {
                var s = Vector512.LoadUnsafe(ref sr, (nuint)j);
                for (int i = 0; i < m; i++) s += Vector512.LoadUnsafe(ref ar, (nuint)(i * n + j));
                s.StoreUnsafe(ref sr, (nuint)j);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; j + 8 <= n; j += 8)
            {
                var s = Vector256.LoadUnsafe(ref sr, (nuint)j);
                for (int i = 0; i < m; i++) s += Vector256.LoadUnsafe(ref ar, (nuint)(i * n + j));
                s.StoreUnsafe(ref sr, (nuint)j);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; j + 4 <= n; j += 4)
            {
                var s = Vector128.LoadUnsafe(ref sr, (nuint)j);
                for (int i = 0; i < m; i++) s += Vector128.LoadUnsafe(ref ar, (nuint)(i * n + j));
                s.StoreUnsafe(ref sr, (nuint)j);
            }
        for (; j < n; j++)
        {
            float s = Unsafe.Add(ref sr, j);
            for (int i = 0; i < m; i++) s += Unsafe.Add(ref ar, i * n + j);
            Unsafe.Add(ref sr, j) = s;
        }
    }
}
