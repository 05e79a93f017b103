using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Engine.Threading;

namespace Engine.Kernels;

/// <summary>
/// Cache-blocked matrix product over a pre-packed right operand:
/// <c>C[i, j] += sum_p A[i, p] B[p, j]</c> for C (m, n) with row stride ldc, A (m, k) read through strides
/// (element (i, p) at <c>a[i rowStride + p colStride]</c>, so Aᵀ needs no copy), and B (k, n) packed by
/// <see cref="PackB"/> into panels of <see cref="PanelWidth"/> columns, each stored k-major and zero-padded.
/// A register-blocked micro-kernel keeps an MR x NR block of C in vector registers for a whole k block:
/// 8 x 32 with 512-bit vectors, 6 x 16 with 256-bit vectors, 6 x 8 with 128-bit vectors (SSE, NEON), 4 x 8 plain
/// scalars otherwise.
/// Packing B once serves every product with the same right operand (the recurrent kernel across all steps).
/// </summary>
internal static class GemmPacked
{
    // k block: one B micro-panel (256 x 32 floats) stays near L1; 96 rows of A in L2
    private const int KBlock = 256, MBlock = 96;

    /// <summary>Products at least this large (m n k) go through packing; smaller ones stay on the plain row
    /// loops.</summary>
    internal const long PackThreshold = 32 * 32 * 32;

    [ThreadStatic] private static float[]? t_packed;

    /// <summary>This thread's packing buffer, grown on demand and reused.</summary>
    internal static Span<float> PackScratch(int length)
    {
        if (t_packed is null || t_packed.Length < length) t_packed = new float[length];
        return t_packed.AsSpan(0, length);
    }

    /// <summary>Columns per packed panel (NR): 32 with 512-bit vectors, 16 with 256-bit vectors, 8 otherwise.</summary>
    public static int PanelWidth => Vector512.IsHardwareAccelerated ? 32 : Vector256.IsHardwareAccelerated ? 16 : 8;

    /// <summary>Floats needed to pack a (k, n) right operand: k x n rounded up to whole panels.</summary>
    public static int PackedLength(int k, int n) => checked((n + PanelWidth - 1) / PanelWidth * PanelWidth * k);

    /// <summary>
    /// Packs B (k, n) into panels: panel j holds columns [j NR, j NR + NR) as k rows of NR floats, zero beyond n.
    /// B is read as B[p, j] = b[p ldb + j], or, when <paramref name="transposed"/>, as B[p, j] = b[j ldb + p]
    /// (b holds Bᵀ, shape (n, k)).
    /// </summary>
    public static void PackB(Span<float> packed, ReadOnlySpan<float> b, int ldb, bool transposed, int k, int n)
    {
        Check.Positive(k, nameof(k));
        Check.Positive(n, nameof(n));
        if (packed.Length < PackedLength(k, n))
            throw new ArgumentException($"packed has length {packed.Length}, expected at least {PackedLength(k, n)} " +
                                        $"for ({k}, {n})", nameof(packed));
        int rows = transposed ? n : k, cols = transposed ? k : n;
        if (ldb < cols) throw new ArgumentException($"ldb {ldb} is less than the {cols} columns of b", nameof(ldb));
        if (b.Length < (long)(rows - 1) * ldb + cols)
            throw new ArgumentException($"b has length {b.Length}, too short for ({rows}, {cols}) with row stride " +
                                        $"{ldb}", nameof(b));
        PackBUnchecked(packed, b, ldb, transposed, k, n);
    }

    internal static unsafe void PackBUnchecked(Span<float> packed, ReadOnlySpan<float> b, int ldb, bool transposed,
                                               int k, int n)
    {
        int panels = (n + PanelWidth - 1) / PanelWidth;
        if (panels > 1 && Parallelism.MaxThreads > 1 && (long)k * n >= PackThreadThreshold)
            fixed (float* pp = packed, bp = b)
                if (Parallelism.TryRun(new PackJob(pp, packed.Length, bp, b.Length, ldb, transposed, k, n, panels)))
                    return;
        PackPanels(packed, b, ldb, transposed, k, n, 0, panels);
    }

    /// <summary>Operands of at least this many floats (W2: Uᵀ, dZ) are packed by all threads, each taking whole
    /// panels.</summary>
    internal const long PackThreadThreshold = 1L << 16;

    private readonly unsafe struct PackJob(float* packed, int packedLength, float* b, int bLength, int ldb,
                                           bool transposed, int k, int n, int panels) : ITeamWork
    {
        public void Execute(TeamMember member) =>
            PackPanels(new Span<float>(packed, packedLength), new ReadOnlySpan<float>(b, bLength), ldb, transposed, k,
                       n, member.Start(panels), member.End(panels));
    }

    // Panels [panelStart, panelEnd) of PackB.
    private static void PackPanels(Span<float> packed, ReadOnlySpan<float> b, int ldb, bool transposed, int k, int n,
                                   int panelStart, int panelEnd)
    {
        int nr = PanelWidth;
        for (int j0 = panelStart * nr, panel = panelStart; panel < panelEnd; j0 += nr, panel++)
        {
            int w = Math.Min(nr, n - j0);
            var dst = packed.Slice(panel * k * nr, k * nr);
            if (w < nr) dst.Clear();
            if (!transposed)
                for (int p = 0; p < k; p++) b.Slice(p * ldb + j0, w).CopyTo(dst.Slice(p * nr, w));
            else
                for (int jj = 0; jj < w; jj++)
                {
                    var src = b.Slice((j0 + jj) * ldb, k);
                    for (int p = 0; p < k; p++) dst[p * nr + jj] = src[p];
                }
        }
    }

    /// <summary>
    /// Packs the column blocks of B that a slice of a layer's units owns: the packed (k, blocks width) operand has
    /// B'[p, q width + j] = b[p ldb + q blockStride + first + j] for q &lt; blocks, j &lt; width (for an LSTM's (·, 4H)
    /// weights: blocks 4, blockStride H, units [first, first + width) of each gate). blocks 1 and first 0 is
    /// <see cref="PackB"/> of b's first width columns.
    /// </summary>
    internal static void PackColumnsUnchecked(Span<float> packed, ReadOnlySpan<float> b, int ldb, int k, int blocks,
                                              int blockStride, int first, int width)
    {
        int nr = PanelWidth, n = blocks * width;
        for (int j0 = 0, panel = 0; j0 < n; j0 += nr, panel++)
        {
            int w = Math.Min(nr, n - j0);
            var dst = packed.Slice(panel * k * nr, k * nr);
            if (w < nr) dst.Clear();
            for (int p = 0; p < k; p++)
                for (int j = j0; j < j0 + w;)
                {
                    // up to the panel's or the block's end
                    int q = j / width, run = Math.Min(j0 + w, (q + 1) * width) - j;
                    b.Slice(p * ldb + q * blockStride + first + j - q * width,
                            run).CopyTo(dst.Slice(p * nr + j - j0, run));
                    j += run;
                }
        }
    }

    /// <summary>C (m, n; row stride ldc) += A (m, k; strides rowStride, colStride) B, with B packed by
    /// <see cref="PackB"/>.</summary>
    public static void Run(Span<float> c, int ldc, ReadOnlySpan<float> a, int rowStride, int colStride,
                           ReadOnlySpan<float> packedB, int m, int k, int n)
    {
        CheckRun(c, ldc, a, rowStride, colStride, packedB, m, k, n);
        Unchecked(c, ldc, a, rowStride, colStride, packedB, m, k, n);
    }

    /// <summary>Scalar twin of <see cref="Run"/>: the triple loop over the same packed layout, summing p in
    /// order.</summary>
    public static void Scalar(Span<float> c, int ldc, ReadOnlySpan<float> a, int rowStride, int colStride,
                              ReadOnlySpan<float> packedB, int m, int k, int n)
    {
        CheckRun(c, ldc, a, rowStride, colStride, packedB, m, k, n);
        int nr = PanelWidth;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                int panel = j / nr, jj = j % nr;
                float s = c[i * ldc + j];
                for (int p = 0; p < k; p++)
                    s = MathF.FusedMultiplyAdd(a[i * rowStride + p * colStride], packedB[(panel * k + p) * nr + jj], s);
                c[i * ldc + j] = s;
            }
    }

    private static void CheckRun(ReadOnlySpan<float> c, int ldc, ReadOnlySpan<float> a, int rowStride, int colStride,
                                 ReadOnlySpan<float> packedB, int m, int k, int n)
    {
        Check.Positive(m, nameof(m));
        Check.Positive(k, nameof(k));
        Check.Positive(n, nameof(n));
        if (ldc < n) throw new ArgumentException($"ldc {ldc} is less than the {n} columns of c", nameof(ldc));
        if (rowStride < 0 || colStride < 0)
            throw new ArgumentException($"strides must be non-negative, got {rowStride} and {colStride}");
        if (c.Length < (long)(m - 1) * ldc + n)
            throw new ArgumentException($"c has length {c.Length}, too short for ({m}, {n}) with row stride {ldc}",
                                        nameof(c));
        if (a.Length < (long)(m - 1) * rowStride + (long)(k - 1) * colStride + 1)
            throw new ArgumentException($"a has length {a.Length}, too short for ({m}, {k}) with strides " +
                                        $"({rowStride}, {colStride})", nameof(a));
        if (packedB.Length < PackedLength(k, n))
            throw new ArgumentException($"packedB has length {packedB.Length}, expected {PackedLength(k, n)} for " +
                                        $"({k}, {n})", nameof(packedB));
    }

    /// <summary>
    /// Threads a large product may use: the engine-wide <see cref="Parallelism.MaxThreads"/> (default 1). Above about
    /// 2 M multiply-adds the panels of C are split between the members of the shared <see cref="WorkerTeam"/>; each
    /// element of C is still summed by one thread in the same order, so results do not depend on the thread count.
    /// Small products (the reference model's) never leave the calling thread.
    /// </summary>
    public static int MaxThreads
    {
        get => Parallelism.MaxThreads;
        set => Parallelism.MaxThreads = value;
    }

    internal const long ThreadThreshold = 1L << 21;

    /// <summary>Rows of C per micro-kernel call (MR): 8 with 512-bit vectors, 6 with 256 or 128, 4 otherwise.</summary>
    internal static int MicroRows =>
        Vector512.IsHardwareAccelerated ? 8 :
        Vector256.IsHardwareAccelerated || Vector128.IsHardwareAccelerated ? 6 : 4;

    internal static unsafe void Unchecked(Span<float> c, int ldc, ReadOnlySpan<float> a, int rowStride, int colStride,
                                          ReadOnlySpan<float> packedB, int m, int k, int n)
    {
        int panels = (n + PanelWidth - 1) / PanelWidth;
        if (panels > 1 && Parallelism.MaxThreads > 1 && (long)m * n * k >= ThreadThreshold)
            fixed (float* cp = c, ap = a, bp = packedB)
                if (Parallelism.TryRun(new PanelJob(cp, ldc, ap, rowStride, colStride, bp, m, k, n, panels))) return;
        Blocks(ref MemoryMarshal.GetReference(c), ldc, ref MemoryMarshal.GetReference(a), rowStride, colStride,
               ref MemoryMarshal.GetReference(packedB), m, k, n, 0, panels);
    }

    // Member i of the team computes C's panels [panels i / count, panels (i + 1) / count) over all rows.
    private readonly unsafe struct PanelJob(float* c, int ldc, float* a, int rowStride, int colStride, float* b, int m,
                                            int k, int n, int panels) : ITeamWork
    {
        public void Execute(TeamMember member) =>
            Blocks(ref *c, ldc, ref *a, rowStride, colStride, ref *b, m, k, n, member.Start(panels),
                   member.End(panels));
    }

    // C's panels [panelStart, panelEnd) over all rows: k blocks, then blocks of MBlock rows, then panels, then MR rows.
    private static void Blocks(ref float cr, int ldc, ref float ar, int rowStride, int colStride, ref float br, int m,
                               int k, int n, int panelStart, int panelEnd)
    {
        int nr = PanelWidth, mr = MicroRows;
        for (int k0 = 0; k0 < k; k0 += KBlock)
        {
            int kc = Math.Min(KBlock, k - k0);
            for (int i0 = 0; i0 < m; i0 += MBlock)
            {
                int mc = Math.Min(MBlock, m - i0);
                for (int j0 = panelStart * nr; j0 < Math.Min(n, panelEnd * nr); j0 += nr)
                {
                    int w = Math.Min(nr, n - j0);
                    // panel j0/nr starts at (j0/nr) k nr = j0 k
                    ref float bp = ref Unsafe.Add(ref br, (nint)(j0 * k + k0 * nr));
                    for (int i = i0; i < i0 + mc; i += mr)
                    {
                        int rows = Math.Min(mr, i0 + mc - i);
                        ref float ci = ref Unsafe.Add(ref cr, (nint)i * ldc + j0);
                        ref float ai = ref Unsafe.Add(ref ar, (nint)i * rowStride + (nint)k0 * colStride);
                        if (Vector512.IsHardwareAccelerated)
                            Kernel512(rows, ref ci, ldc, ref ai, rowStride, colStride, ref bp, kc, w);
                        else if (Vector256.IsHardwareAccelerated)
                            Kernel256(rows, ref ci, ldc, ref ai, rowStride, colStride, ref bp, kc, w);
                        else if (Vector128.IsHardwareAccelerated)
                            Kernel128(rows, ref ci, ldc, ref ai, rowStride, colStride, ref bp, kc, w);
                        else KernelScalar(rows, ref ci, ldc, ref ai, rowStride, colStride, ref bp, kc, w);
                    }
                }
            }
        }
    }

    private static void Kernel512(int rows, ref float c, nint ldc, ref float a, nint rs, nint cs, ref float b, int kc,
                                  int w)
    {
        if (rows == 1) { Kernel512Row(ref c, ref a, cs, ref b, kc, w); return; }
        if (w <= 16)
        {
            // Only the panel's first vector holds columns (a narrow C, or the last panel): half the work.
            switch (rows)
            {
                case 8: Kernel512Half<R8>(ref c, ldc, ref a, rs, cs, ref b, kc, w); return;
                case 7: Kernel512Half<R7>(ref c, ldc, ref a, rs, cs, ref b, kc, w); return;
                case 6: Kernel512Half<R6>(ref c, ldc, ref a, rs, cs, ref b, kc, w); return;
                case 5: Kernel512Half<R5>(ref c, ldc, ref a, rs, cs, ref b, kc, w); return;
                case 4: Kernel512Half<R4>(ref c, ldc, ref a, rs, cs, ref b, kc, w); return;
                case 3: Kernel512Half<R3>(ref c, ldc, ref a, rs, cs, ref b, kc, w); return;
                case 2: Kernel512Half<R2>(ref c, ldc, ref a, rs, cs, ref b, kc, w); return;
                default: Kernel512Half<R1>(ref c, ldc, ref a, rs, cs, ref b, kc, w); return;
            }
        }
        switch (rows)
        {
            case 8: Kernel512<R8>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            case 7: Kernel512<R7>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            case 6: Kernel512<R6>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            case 5: Kernel512<R5>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            case 4: Kernel512<R4>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            case 3: Kernel512<R3>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            case 2: Kernel512<R2>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            default: Kernel512<R1>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
        }
    }

    // A single row of C (batch-1 inference): one accumulator pair would be a chain of kc dependent FMAs, so four
    // pairs take every fourth p and are summed at the end.
    private static void Kernel512Row(ref float c, ref float a, nint cs, ref float b, int kc, int w)
    {
        Vector512<float> s0 = default, s1 = default, t0 = default, t1 = default, u0 = default, u1 = default,
        v0 = default, v1 = default;
        int p = 0;
        nint ap = 0;
        for (; p + 4 <= kc; p += 4, ap += 4 * cs)
        {
            var x = Vector512.Create(Unsafe.Add(ref a, ap));
            s0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref b),
                                            s0); s1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref b, 16),
                                                                                 s1);
            x = Vector512.Create(Unsafe.Add(ref a, ap + cs));
            t0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref b, 32),
                                            t0); t1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref b, 48),
                                                                                 t1);
            x = Vector512.Create(Unsafe.Add(ref a, ap + 2 * cs));
            u0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref b, 64),
                                            u0); u1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref b, 80),
                                                                                 u1);
            x = Vector512.Create(Unsafe.Add(ref a, ap + 3 * cs));
            v0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref b, 96),
                                            v0); v1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref b, 112),
                                                                                 v1);
            b = ref Unsafe.Add(ref b, 128);
        }
        for (; p < kc; p++, ap += cs)
        {
            var x = Vector512.Create(Unsafe.Add(ref a, ap));
            s0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref b),
                                            s0); s1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref b, 16),
                                                                                 s1);
            b = ref Unsafe.Add(ref b, 32);
        }
        Store512(ref c, (s0 + t0) + (u0 + v0), (s1 + t1) + (u1 + v1), w);
    }

    // One MR x 16 block of C (the first vector of a 32-column panel), for panels with at most 16 live columns.
    private static unsafe void Kernel512Half<TR>(ref float c, nint ldc, ref float a, nint rs, nint cs, ref float b,
                                                 int kc, int w) where TR : struct, IRowCount
    {
        int r = TR.Rows;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default,
        c6 = default, c7 = default;
        nint ap = 0;
        for (int p = 0; p < kc; p++, ap += cs)
        {
            var b0 = Vector512.LoadUnsafe(ref b);
            b = ref Unsafe.Add(ref b, 32);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, ap)), b0, c0);
            if (r > 1) c1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, ap + 1 * rs)), b0, c1);
            if (r > 2) c2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, ap + 2 * rs)), b0, c2);
            if (r > 3) c3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, ap + 3 * rs)), b0, c3);
            if (r > 4) c4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, ap + 4 * rs)), b0, c4);
            if (r > 5) c5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, ap + 5 * rs)), b0, c5);
            if (r > 6) c6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, ap + 6 * rs)), b0, c6);
            if (r > 7) c7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, ap + 7 * rs)), b0, c7);
        }
        var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(w)).AsSingle();
        fixed (float* p0 = &c)
        {
            float* q = p0;
            { q = p0 + 0 * ldc; Avx512F.MaskStore(q, mask, Avx512F.MaskLoad(q, mask, Vector512<float>.Zero) + c0); }
            if (r > 1)
            {
                q = p0
                + 1 * ldc; Avx512F.MaskStore(q, mask, Avx512F.MaskLoad(q, mask, Vector512<float>.Zero) + c1);
            }
            if (r > 2)
            {
                q = p0
                + 2 * ldc; Avx512F.MaskStore(q, mask, Avx512F.MaskLoad(q, mask, Vector512<float>.Zero) + c2);
            }
            if (r > 3)
            {
                q = p0
                + 3 * ldc; Avx512F.MaskStore(q, mask, Avx512F.MaskLoad(q, mask, Vector512<float>.Zero) + c3);
            }
            if (r > 4)
            {
                q = p0
                + 4 * ldc; Avx512F.MaskStore(q, mask, Avx512F.MaskLoad(q, mask, Vector512<float>.Zero) + c4);
            }
            if (r > 5)
            {
                q = p0
                + 5 * ldc; Avx512F.MaskStore(q, mask, Avx512F.MaskLoad(q, mask, Vector512<float>.Zero) + c5);
            }
            if (r > 6)
            {
                q = p0
                + 6 * ldc; Avx512F.MaskStore(q, mask, Avx512F.MaskLoad(q, mask, Vector512<float>.Zero) + c6);
            }
            if (r > 7)
            {
                q = p0
                + 7 * ldc; Avx512F.MaskStore(q, mask, Avx512F.MaskLoad(q, mask, Vector512<float>.Zero) + c7);
            }
        }
    }

    // One MR x 32 block of C: two 16-float vectors per row. The row count is a type so the JIT drops unused rows.
    [SkipLocalsInit]
    private static void Kernel512<TR>(ref float c, nint ldc, ref float a, nint rs, nint cs, ref float b, int kc, int w)
        where TR : struct, IRowCount
    {
        int r = TR.Rows;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
        c30 = default, c31 = default,
                         c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default,
                         c70 = default, c71 = default;
        nint ap = 0;
        for (int p = 0; p < kc; p++, ap += cs)
        {
            var b0 = Vector512.LoadUnsafe(ref b);
            var b1 = Vector512.LoadUnsafe(ref b, 16);
            b = ref Unsafe.Add(ref b, 32);
            var x = Vector512.Create(Unsafe.Add(ref a, ap));
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            if (r > 1)
            {
                x = Vector512.Create(Unsafe.Add(ref a, ap
                + rs)); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            }
            if (r > 2)
            {
                x = Vector512.Create(Unsafe.Add(ref a, ap
                + 2 * rs)); c20 = Vector512.FusedMultiplyAdd(x, b0,
                                                             c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            }
            if (r > 3)
            {
                x = Vector512.Create(Unsafe.Add(ref a, ap
                + 3 * rs)); c30 = Vector512.FusedMultiplyAdd(x, b0,
                                                             c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            }
            if (r > 4)
            {
                x = Vector512.Create(Unsafe.Add(ref a, ap
                + 4 * rs)); c40 = Vector512.FusedMultiplyAdd(x, b0,
                                                             c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            }
            if (r > 5)
            {
                x = Vector512.Create(Unsafe.Add(ref a, ap
                + 5 * rs)); c50 = Vector512.FusedMultiplyAdd(x, b0,
                                                             c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            }
            if (r > 6)
            {
                x = Vector512.Create(Unsafe.Add(ref a, ap
                + 6 * rs)); c60 = Vector512.FusedMultiplyAdd(x, b0,
                                                             c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            }
            if (r > 7)
            {
                x = Vector512.Create(Unsafe.Add(ref a, ap
                + 7 * rs)); c70 = Vector512.FusedMultiplyAdd(x, b0,
                                                             c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            }
        }
        Store512(ref c, c00, c01, w);
        if (r > 1) Store512(ref Unsafe.Add(ref c, ldc), c10, c11, w);
        if (r > 2) Store512(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, w);
        if (r > 3) Store512(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, w);
        if (r > 4) Store512(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, w);
        if (r > 5) Store512(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, w);
        if (r > 6) Store512(ref Unsafe.Add(ref c, 6 * ldc), c60, c61, w);
        if (r > 7) Store512(ref Unsafe.Add(ref c, 7 * ldc), c70, c71, w);
    }

    // C row += (v0, v1) over its first w of 32 columns: whole vectors where they fit, a masked load and store for the
    // rest.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store512(ref float c, Vector512<float> v0, Vector512<float> v1, int w)
    {
        if (w == 32)
        {
            (Vector512.LoadUnsafe(ref c) + v0).StoreUnsafe(ref c);
            (Vector512.LoadUnsafe(ref c, 16) + v1).StoreUnsafe(ref c, 16);
            return;
        }
        if (w >= 16)
        {
            (Vector512.LoadUnsafe(ref c)
                        + v0).StoreUnsafe(ref c); v0 = v1; w -= 16; c = ref Unsafe.Add(ref c, 16);
        }
        if (w == 0) return;
        var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(w)).AsSingle();
        fixed (float* p = &c) Avx512F.MaskStore(p, mask, Avx512F.MaskLoad(p, mask, Vector512<float>.Zero) + v0);
    }

    private static void Kernel256(int rows, ref float c, nint ldc, ref float a, nint rs, nint cs, ref float b, int kc,
                                  int w)
    {
        switch (rows)
        {
            case 6: Kernel256<R6>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            case 5: Kernel256<R5>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            case 4: Kernel256<R4>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            case 3: Kernel256<R3>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            case 2: Kernel256<R2>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            default: Kernel256<R1>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
        }
    }

    // One MR x 16 block of C: two 8-float vectors per row (12 accumulators fit the 16 registers of AVX2).
    private static void Kernel256<TR>(ref float c, nint ldc, ref float a, nint rs, nint cs, ref float b, int kc, int w)
        where TR : struct, IRowCount
    {
        int r = TR.Rows;
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                         c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint ap = 0;
        for (int p = 0; p < kc; p++, ap += cs)
        {
            var b0 = Vector256.LoadUnsafe(ref b);
            var b1 = Vector256.LoadUnsafe(ref b, 8);
            b = ref Unsafe.Add(ref b, 16);
            var x = Vector256.Create(Unsafe.Add(ref a, ap));
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            if (r > 1)
            {
                x = Vector256.Create(Unsafe.Add(ref a, ap
                + rs)); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            }
            if (r > 2)
            {
                x = Vector256.Create(Unsafe.Add(ref a, ap
                + 2 * rs)); c20 = Vector256.FusedMultiplyAdd(x, b0,
                                                             c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            }
            if (r > 3)
            {
                x = Vector256.Create(Unsafe.Add(ref a, ap
                + 3 * rs)); c30 = Vector256.FusedMultiplyAdd(x, b0,
                                                             c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            }
            if (r > 4)
            {
                x = Vector256.Create(Unsafe.Add(ref a, ap
                + 4 * rs)); c40 = Vector256.FusedMultiplyAdd(x, b0,
                                                             c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            }
            if (r > 5)
            {
                x = Vector256.Create(Unsafe.Add(ref a, ap
                + 5 * rs)); c50 = Vector256.FusedMultiplyAdd(x, b0,
                                                             c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            }
        }
        Store256(ref c, c00, c01, w);
        if (r > 1) Store256(ref Unsafe.Add(ref c, ldc), c10, c11, w);
        if (r > 2) Store256(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, w);
        if (r > 3) Store256(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, w);
        if (r > 4) Store256(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, w);
        if (r > 5) Store256(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store256(ref float c, Vector256<float> v0, Vector256<float> v1, int w)
    {
        if (w == 16)
        {
            (Vector256.LoadUnsafe(ref c) + v0).StoreUnsafe(ref c);
            (Vector256.LoadUnsafe(ref c, 8) + v1).StoreUnsafe(ref c, 8);
            return;
        }
        if (w >= 8)
        {
            (Vector256.LoadUnsafe(ref c)
                       + v0).StoreUnsafe(ref c); v0 = v1; w -= 8; c = ref Unsafe.Add(ref c, 8);
        }
        if (w == 0) return;
        var mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(w)).AsSingle();
        fixed (float* p = &c) Avx.MaskStore(p, mask, Avx.MaskLoad(p, mask) + v0);
    }

    private static void Kernel128(int rows, ref float c, nint ldc, ref float a, nint rs, nint cs, ref float b, int kc,
                                  int w)
    {
        switch (rows)
        {
            case 6: Kernel128<R6>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            case 5: Kernel128<R5>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            case 4: Kernel128<R4>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            case 3: Kernel128<R3>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            case 2: Kernel128<R2>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
            default: Kernel128<R1>(ref c, ldc, ref a, rs, cs, ref b, kc, w); break;
        }
    }

    // One MR x 8 block of C: two 4-float vectors per row (12 accumulators, as Kernel256; SSE has 16 registers).
    private static void Kernel128<TR>(ref float c, nint ldc, ref float a, nint rs, nint cs, ref float b, int kc, int w)
        where TR : struct, IRowCount
    {
        int r = TR.Rows;
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                         c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        nint ap = 0;
        for (int p = 0; p < kc; p++, ap += cs)
        {
            var b0 = Vector128.LoadUnsafe(ref b);
            var b1 = Vector128.LoadUnsafe(ref b, 4);
            b = ref Unsafe.Add(ref b, 8);
            var x = Vector128.Create(Unsafe.Add(ref a, ap));
            c00 = Vector128.FusedMultiplyAdd(x, b0, c00); c01 = Vector128.FusedMultiplyAdd(x, b1, c01);
            if (r > 1)
            {
                x = Vector128.Create(Unsafe.Add(ref a, ap + rs));
                c10 = Vector128.FusedMultiplyAdd(x, b0, c10); c11 = Vector128.FusedMultiplyAdd(x, b1, c11);
            }
            if (r > 2)
            {
                x = Vector128.Create(Unsafe.Add(ref a, ap + 2 * rs));
                c20 = Vector128.FusedMultiplyAdd(x, b0, c20); c21 = Vector128.FusedMultiplyAdd(x, b1, c21);
            }
            if (r > 3)
            {
                x = Vector128.Create(Unsafe.Add(ref a, ap + 3 * rs));
                c30 = Vector128.FusedMultiplyAdd(x, b0, c30); c31 = Vector128.FusedMultiplyAdd(x, b1, c31);
            }
            if (r > 4)
            {
                x = Vector128.Create(Unsafe.Add(ref a, ap + 4 * rs));
                c40 = Vector128.FusedMultiplyAdd(x, b0, c40); c41 = Vector128.FusedMultiplyAdd(x, b1, c41);
            }
            if (r > 5)
            {
                x = Vector128.Create(Unsafe.Add(ref a, ap + 5 * rs));
                c50 = Vector128.FusedMultiplyAdd(x, b0, c50); c51 = Vector128.FusedMultiplyAdd(x, b1, c51);
            }
        }
        Store128(ref c, c00, c01, w);
        if (r > 1) Store128(ref Unsafe.Add(ref c, ldc), c10, c11, w);
        if (r > 2) Store128(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, w);
        if (r > 3) Store128(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, w);
        if (r > 4) Store128(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, w);
        if (r > 5) Store128(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, w);
    }

    // C row += (v0, v1) over its first w of 8 columns: whole vectors where they fit, lane by lane for the rest
    // (no portable masked store at this width).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store128(ref float c, Vector128<float> v0, Vector128<float> v1, int w)
    {
        if (w == 8)
        {
            (Vector128.LoadUnsafe(ref c) + v0).StoreUnsafe(ref c);
            (Vector128.LoadUnsafe(ref c, 4) + v1).StoreUnsafe(ref c, 4);
            return;
        }
        if (w >= 4)
        {
            (Vector128.LoadUnsafe(ref c) + v0).StoreUnsafe(ref c);
            v0 = v1;
            w -= 4;
            c = ref Unsafe.Add(ref c, 4);
        }
        for (int l = 0; l < w; l++) Unsafe.Add(ref c, l) += v0.GetElement(l);
    }

    // Without vector hardware: rows x 8 with the panel's columns in scalars, p summed in order.
    private static void KernelScalar(int rows, ref float c, nint ldc, ref float a, nint rs, nint cs, ref float b,
                                     int kc, int w)
    {
        for (int i = 0; i < rows; i++)
        {
            ref float ci = ref Unsafe.Add(ref c, i * ldc);
            for (int j = 0; j < w; j++)
            {
                float s = Unsafe.Add(ref ci, j);
                for (int p = 0; p < kc; p++)
                    s = MathF.FusedMultiplyAdd(Unsafe.Add(ref a, i * rs + p * cs), Unsafe.Add(ref b, p * 8 + j), s);
                Unsafe.Add(ref ci, j) = s;
            }
        }
    }

    private interface IRowCount { static abstract int Rows { get; } }
    private readonly struct R1 : IRowCount { public static int Rows => 1; }
    private readonly struct R2 : IRowCount { public static int Rows => 2; }
    private readonly struct R3 : IRowCount { public static int Rows => 3; }
    private readonly struct R4 : IRowCount { public static int Rows => 4; }
    private readonly struct R5 : IRowCount { public static int Rows => 5; }
    private readonly struct R6 : IRowCount { public static int Rows => 6; }
    private readonly struct R7 : IRowCount { public static int Rows => 7; }
    private readonly struct R8 : IRowCount { public static int Rows => 8; }
}
