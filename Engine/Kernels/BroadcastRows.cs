namespace Engine.Kernels;

/// <summary>A[i, :] = v for every row of row-major A (m, n): starts a product that adds a bias.</summary>
internal static class BroadcastRows
{
    /// <summary>Writes v into each of the m rows of A (m, n).</summary>
    public static void Run(Span<float> a, ReadOnlySpan<float> v, int m, int n)
    {
        Check.Matrix(a, m, n, nameof(a));
        if (v.Length != n)
            throw new ArgumentException($"v has length {v.Length}, expected {n} (the columns of a)", nameof(v));
        Unchecked(a, v, m, n);
    }

    internal static void Unchecked(Span<float> a, ReadOnlySpan<float> v, int m, int n)
    {
        for (int i = 0; i < m; i++) v.CopyTo(a.Slice(i * n, n));
    }
}
