using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine.Kernels;

/// <summary>
/// C += A Bᵀ for row-major A (m, k), B (n, k), C (m, n):
/// <c>C[i, j] += sum_p A[i, p] B[j, p]</c>. Used for input gradients: dX = dZ Wᵀ, dh = dZ Uᵀ.
/// </summary>
internal static class MatMulTransposedB
{
    /// <summary>C (m, n) += A Bᵀ with A (m, k), B (n, k).</summary>
    public static void Run(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n)
    {
        Check.Matrix(c, m, n, nameof(c));
        Check.Matrix(a, m, k, nameof(a));
        Check.Matrix(b, n, k, nameof(b));
        Unchecked(c, a, b, m, k, n);
    }

    /// <summary>Scalar twin of <see cref="Run"/>.</summary>
    public static void Scalar(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n)
    {
        Check.Matrix(c, m, n, nameof(c));
        Check.Matrix(a, m, k, nameof(a));
        Check.Matrix(b, n, k, nameof(b));
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float s = 0f;
                for (int p = 0; p < k; p++) s = MathF.FusedMultiplyAdd(a[i * k + p], b[j * k + p], s);
                c[i * n + j] += s;
            }
    }

    // Each C element is a dot product of two unit-stride rows.
    internal static void Unchecked(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n)
    {
        if ((long)m * n * k >= GemmPacked.PackThreshold)
        {
            // C (m, n) += A Bᵀ: B (n, k) is packed transposed.
            var packed = GemmPacked.PackScratch(GemmPacked.PackedLength(k, n));
            GemmPacked.PackBUnchecked(packed, b, k, transposed: true, k, n);
            GemmPacked.Unchecked(c, n, a, k, 1, packed, m, k, n);
            return;
        }
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        for (int i = 0; i < m; i++)
        {
            ref float ai = ref Unsafe.Add(ref ar, i * k);
            ref float ci = ref Unsafe.Add(ref cr, i * n);
            for (int j = 0; j < n; j++)
                Unsafe.Add(ref ci, j) += Dot.Unchecked(ref ai, ref Unsafe.Add(ref br, j * k), k);
        }
    }
}
