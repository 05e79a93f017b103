using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine.Kernels;

/// <summary>
/// C += A B for row-major A (m, k), B (k, n), C (m, n):
/// <c>C[i, j] += sum_p A[i, p] B[p, j]</c>. Used for the input projection X W and the recurrent product h U.
/// </summary>
internal static class MatMul
{
    /// <summary>C (m, n) += A (m, k) B (k, n).</summary>
    public static void Run(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n)
    {
        Check.Matrix(c, m, n, nameof(c));
        Check.Matrix(a, m, k, nameof(a));
        Check.Matrix(b, k, n, nameof(b));
        Unchecked(c, a, b, m, k, n);
    }

    /// <summary>Scalar twin of <see cref="Run"/>: the textbook triple loop.</summary>
    public static void Scalar(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n)
    {
        Check.Matrix(c, m, n, nameof(c));
        Check.Matrix(a, m, k, nameof(a));
        Check.Matrix(b, k, n, nameof(b));
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float s = c[i * n + j];
                for (int p = 0; p < k; p++) s = MathF.FusedMultiplyAdd(a[i * k + p], b[p * n + j], s);
                c[i * n + j] = s;
            }
    }

    // Row i of C accumulates A[i, p] * row p of B: each B row is streamed with unit stride.
    internal static void Unchecked(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n) =>
        Unchecked(c, a, b, m, k, n, m);

    // The same, on the path a product of pathRows rows takes (a resumed pass computes the last m rows of a longer
    // product, each row as that product does).
    internal static void Unchecked(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n,
                                   long pathRows)
    {
        if (pathRows * n * k >= GemmPacked.PackThreshold)
        {
            var packed = GemmPacked.PackScratch(GemmPacked.PackedLength(k, n));
            GemmPacked.PackBUnchecked(packed, b, n, transposed: false, k, n);
            GemmPacked.Unchecked(c, n, a, k, 1, packed, m, k, n);
            return;
        }
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        if (n == 1)
        {
            // A single output column (a Dense(1) head): B is one contiguous vector, so each row is a dot product
            // instead of k scalar updates of one element.
            for (int i = 0; i < m; i++)
                Unsafe.Add(ref cr, i) += Dot.Unchecked(ref Unsafe.Add(ref ar, i * k), ref br, k);
            return;
        }
        for (int i = 0; i < m; i++)
        {
            ref float ci = ref Unsafe.Add(ref cr, i * n);
            for (int p = 0; p < k; p++)
            {
                float aip = Unsafe.Add(ref ar, i * k + p);
                if (aip != 0f) Axpy.Unchecked(aip, ref Unsafe.Add(ref br, p * n), ref ci, n);
            }
        }
    }
}
