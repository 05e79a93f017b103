namespace Engine.Kernels;

/// <summary>
/// Swaps the first two axes of a (a, b, w) block: <c>dst[j, i, :] = src[i, j, :]</c>.
/// Converts between the user's batch-major (N, T, F) series and the layers' time-major (T, N, F).
/// </summary>
internal static unsafe class TransposeBatchTime
{
    /// <summary>dst (b, a, w) = src (a, b, w) with its first two axes swapped.</summary>
    public static void Run(Span<float> dst, ReadOnlySpan<float> src, int a, int b, int width)
    {
        long n = (long)a * b * width;
        if (src.Length != n || dst.Length != n)
            throw new ArgumentException($"src and dst must both hold ({a}, {b}, {width}) = {n} elements; got " +
                                        $"{src.Length} and {dst.Length}");
        Unchecked(dst, src, a, b, width);
    }

    internal static void Unchecked(Span<float> dst, ReadOnlySpan<float> src, int a, int b, int width)
    {
        if (width < 8)
        {
            // Narrow rows (a few features, one output): element copies beat a span copy call per row; through pointers,
            // as the
            // index arithmetic and bounds checks per element cost more than the copy (the reference step transposes 200
            // floats).
            fixed (float* dp = dst, sp = src)
            {
                float* s = sp;
                for (int i = 0; i < a; i++)
                    for (int j = 0; j < b; j++, s += width)
                    {
                        float* d = dp + (j * a + i) * width;
                        for (int w = 0; w < width; w++) d[w] = s[w];
                    }
            }
            return;
        }
        for (int i = 0; i < a; i++)
            for (int j = 0; j < b; j++)
                src.Slice((i * b + j) * width, width).CopyTo(dst.Slice((j * a + i) * width, width));
    }
}
