using System.Numerics.Tensors;

namespace Engine.Kernels;

/// <summary>acc[j] += sum_i A[i, j] for row-major A (m, n). Used for bias gradients.</summary>
public static class SumRows
{
    /// <summary>acc (n) += column sums of A (m, n).</summary>
    public static void Run(Span<float> acc, ReadOnlySpan<float> a, int m, int n)
    {
        Check.Matrix(a, m, n, nameof(a));
        if (acc.Length != n) throw new ArgumentException($"acc has length {acc.Length}, expected {n} (the columns of a)", nameof(acc));
        Unchecked(acc, a, m, n);
    }

    /// <summary>Scalar twin of <see cref="Run"/>.</summary>
    public static void Scalar(Span<float> acc, ReadOnlySpan<float> a, int m, int n)
    {
        Check.Matrix(a, m, n, nameof(a));
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) acc[j] += a[i * n + j];
    }

    internal static void Unchecked(Span<float> acc, ReadOnlySpan<float> a, int m, int n)
    {
        for (int i = 0; i < m; i++) TensorPrimitives.Add(acc, a.Slice(i * n, n), acc);
    }
}
