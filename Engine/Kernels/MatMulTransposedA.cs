using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine.Kernels;

/// <summary>
/// C += Aᵀ B for row-major A (m, k), B (m, n), C (k, n):
/// <c>C[p, j] += sum_i A[i, p] B[i, j]</c>. Used for weight gradients: dW += Xᵀ dZ.
/// </summary>
internal static class MatMulTransposedA
{
    /// <summary>C (k, n) += Aᵀ B with A (m, k), B (m, n).</summary>
    public static void Run(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n)
    {
        Check.Matrix(c, k, n, nameof(c));
        Check.Matrix(a, m, k, nameof(a));
        Check.Matrix(b, m, n, nameof(b));
        Unchecked(c, a, b, m, k, n);
    }

    /// <summary>Scalar twin of <see cref="Run"/>.</summary>
    public static void Scalar(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n)
    {
        Check.Matrix(c, k, n, nameof(c));
        Check.Matrix(a, m, k, nameof(a));
        Check.Matrix(b, m, n, nameof(b));
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++)
            {
                float s = c[p * n + j];
                for (int i = 0; i < m; i++) s = MathF.FusedMultiplyAdd(a[i * k + p], b[i * n + j], s);
                c[p * n + j] = s;
            }
    }

    // Rank-one updates: row p of C accumulates A[i, p] * row i of B.
    internal static void Unchecked(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n)
    {
        if ((long)m * n * k >= GemmPacked.PackThreshold)
        {
            // C (k, n) += Aᵀ B: Aᵀ is A read with swapped strides, B packed as it is.
            var packed = GemmPacked.PackScratch(GemmPacked.PackedLength(m, n));
            GemmPacked.PackBUnchecked(packed, b, n, transposed: false, m, n);
            GemmPacked.Unchecked(c, n, a, 1, k, packed, k, m, n);
            return;
        }
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        for (int i = 0; i < m; i++)
        {
            ref float bi = ref Unsafe.Add(ref br, i * n);
            for (int p = 0; p < k; p++)
            {
                float aip = Unsafe.Add(ref ar, i * k + p);
                if (aip != 0f) Axpy.Unchecked(aip, ref bi, ref Unsafe.Add(ref cr, p * n), n);
            }
        }
    }
}
