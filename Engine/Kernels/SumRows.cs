using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Engine.Threading;

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

    /// <summary>Sums of at least this many elements are split by column blocks of 16 between threads (<see cref="Parallelism.MaxThreads"/>).</summary>
    internal const long ThreadThreshold = 1L << 20;

    internal static unsafe void Unchecked(Span<float> acc, ReadOnlySpan<float> a, int m, int n)
    {
        if (n > 16 && Parallelism.MaxThreads > 1 && (long)m * n >= ThreadThreshold)
        {
            using var lease = Parallelism.Lease();
            if (lease.Count > 1)
            {
                fixed (float* sp = acc, ap = a) lease.Run(new ColumnsJob(sp, ap, m, n));
                return;
            }
        }
        Columns(ref MemoryMarshal.GetReference(acc), ref MemoryMarshal.GetReference(a), m, n, n);
    }

    // Member i sums the column blocks of 16 [blocks i / count, blocks (i + 1) / count): each column takes the same
    // vector width and order as on one thread (the last member gets the remainder), so results do not depend on it.
    private readonly unsafe struct ColumnsJob(float* acc, float* a, int m, int n) : ITeamWork
    {
        public void Execute(TeamMember member)
        {
            int blocks = (n + 15) / 16, j0 = member.Start(blocks) * 16, j1 = Math.Min(n, member.End(blocks) * 16);
            if (j1 > j0) Columns(ref acc[j0], ref a[j0], m, j1 - j0, n);
        }
    }

    // Column blocks of one vector, each summed down all rows in a register and stored once (one pass, no call per row).
    // acc (n) += column sums of A (m, n) with row stride lda.
    private static void Columns(ref float sr, ref float ar, int m, int n, int lda)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j + 16 <= n; j += 16)
            {
                var s = Vector512.LoadUnsafe(ref sr, (nuint)j);
                for (int i = 0; i < m; i++) s += Vector512.LoadUnsafe(ref ar, (nuint)(i * lda + j));
                s.StoreUnsafe(ref sr, (nuint)j);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; j + 8 <= n; j += 8)
            {
                var s = Vector256.LoadUnsafe(ref sr, (nuint)j);
                for (int i = 0; i < m; i++) s += Vector256.LoadUnsafe(ref ar, (nuint)(i * lda + j));
                s.StoreUnsafe(ref sr, (nuint)j);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; j + 4 <= n; j += 4)
            {
                var s = Vector128.LoadUnsafe(ref sr, (nuint)j);
                for (int i = 0; i < m; i++) s += Vector128.LoadUnsafe(ref ar, (nuint)(i * lda + j));
                s.StoreUnsafe(ref sr, (nuint)j);
            }
        for (; j < n; j++)
        {
            float s = Unsafe.Add(ref sr, j);
            for (int i = 0; i < m; i++) s += Unsafe.Add(ref ar, i * lda + j);
            Unsafe.Add(ref sr, j) = s;
        }
    }
}
