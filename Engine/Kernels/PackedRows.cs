using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.Kernels;

/// <summary>
/// Packs a block of rows of a right operand into <see cref="GemmPacked"/>'s panel layout and sums their columns in
/// the same pass: for the rows B[i, :] = src[i ld ..], i in [0, rows), stored as rows row0 + i of a packed (k, n)
/// operand,
/// <c>packed[(q k + row0 + i) NR + j - q NR] = B[i, j]</c> for the panel q = j / NR (zero in the panel's lanes beyond
/// n), and
/// <c>sums[j] += sum_i B[i, j]</c> with i ascending. The LSTM's backward pass packs each step's dZ this way while it is
/// still in cache (no pass over the whole dZ afterwards) and gets the bias gradient from the same loads.
/// </summary>
internal static class PackedRows
{
    /// <summary>Packs B (rows, n; row stride ld) as rows [row0, row0 + rows) of a packed (k, n) operand and adds its
    /// column sums to sums (n).</summary>
    public static void PackAndSum(Span<float> packed, Span<float> sums, ReadOnlySpan<float> src, int ld, int row0,
                                  int rows, int k, int n)
    {
        CheckArgs(packed, sums, src, ld, row0, rows, k, n);
        Unchecked(packed, sums, src, ld, row0, rows, k, n);
    }

    /// <summary>Scalar twin of <see cref="PackAndSum"/>: element by element, each column summed with i
    /// ascending.</summary>
    public static void Scalar(Span<float> packed, Span<float> sums, ReadOnlySpan<float> src, int ld, int row0, int rows,
                              int k, int n)
    {
        CheckArgs(packed, sums, src, ld, row0, rows, k, n);
        int nr = GemmPacked.PanelWidth, width = (n + nr - 1) / nr * nr;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < width; j++)
            {
                float v = j < n ? src[i * ld + j] : 0f;
                packed[((j / nr) * k + row0 + i) * nr + j % nr] = v;
                if (j < n) sums[j] += v;
            }
    }

    private static void CheckArgs(ReadOnlySpan<float> packed, ReadOnlySpan<float> sums, ReadOnlySpan<float> src, int ld,
                                  int row0, int rows, int k, int n)
    {
        Check.Positive(rows, nameof(rows));
        Check.Positive(n, nameof(n));
        if (row0 < 0 || row0 + rows > k)
            throw new ArgumentException($"rows [{row0}, {row0 + rows}) do not fit the {k} rows of the packed operand",
                                        nameof(row0));
        if (ld < n) throw new ArgumentException($"ld {ld} is less than the {n} columns of src", nameof(ld));
        if (src.Length < (long)(rows - 1) * ld + n)
            throw new ArgumentException($"src has length {src.Length}, too short for ({rows}, {n}) with row stride " +
                                        $"{ld}", nameof(src));
        if (packed.Length < GemmPacked.PackedLength(k, n))
            throw new ArgumentException($"packed has length {packed.Length}, expected at least " +
                                        $"{GemmPacked.PackedLength(k, n)} for ({k}, {n})", nameof(packed));
        if (sums.Length != n)
            throw new ArgumentException($"sums has length {sums.Length}, expected {n} (the columns of src)",
                                        nameof(sums));
    }

    // Row by row, one vector at a time (512, 256 or 128 bits): a vector never straddles two panels (NR is a multiple
    // of the vector width), the row's last partial vector is a masked load (zeros beyond n, stored into the panel's
    // padding) and a masked sum (lane by lane at 128 bits).
    internal static unsafe void Unchecked(Span<float> packed, Span<float> sums, ReadOnlySpan<float> src, int ld,
                                          int row0, int rows, int k, int n)
    {
        int nr = GemmPacked.PanelWidth, width = (n + nr - 1) / nr * nr;
        fixed (float* pp = packed, sp = sums, bp = src)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                for (int i = 0; i < rows; i++)
                {
                    float* b = bp + (nint)i * ld, d = pp + (nint)(row0 + i) * nr;
                    for (int j = 0; j < width; j += 16)
                    {
                        float* dst = d + (nint)(j / nr) * k * nr + j % nr;
                        if (j + 16 <= n)
                        {
                            var v = Vector512.Load(b + j);
                            v.Store(dst);
                            (Vector512.Load(sp + j) + v).Store(sp + j);
                        }
                        else if (j < n)
                        {
                            var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(n - j)).AsSingle();
                            var v = Avx512F.MaskLoad(b + j, mask, Vector512<float>.Zero);
                            v.Store(dst);
                            Avx512F.MaskStore(sp + j, mask, Avx512F.MaskLoad(sp + j, mask, Vector512<float>.Zero) + v);
                        }
                        else Vector512<float>.Zero.Store(dst);
                    }
                }
                return;
            }
            if (Vector256.IsHardwareAccelerated && nr % 8 == 0)
            {
                for (int i = 0; i < rows; i++)
                {
                    float* b = bp + (nint)i * ld, d = pp + (nint)(row0 + i) * nr;
                    for (int j = 0; j < width; j += 8)
                    {
                        float* dst = d + (nint)(j / nr) * k * nr + j % nr;
                        if (j + 8 <= n)
                        {
                            var v = Vector256.Load(b + j);
                            v.Store(dst);
                            (Vector256.Load(sp + j) + v).Store(sp + j);
                        }
                        else if (j < n)
                        {
                            var mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(n - j)).AsSingle();
                            var v = Avx.MaskLoad(b + j, mask);
                            v.Store(dst);
                            Avx.MaskStore(sp + j, mask, Avx.MaskLoad(sp + j, mask) + v);
                        }
                        else Vector256<float>.Zero.Store(dst);
                    }
                }
                return;
            }
            if (Vector128.IsHardwareAccelerated)
            {
                for (int i = 0; i < rows; i++)
                {
                    float* b = bp + (nint)i * ld, d = pp + (nint)(row0 + i) * nr;
                    for (int j = 0; j < width; j += 4)
                    {
                        float* dst = d + (nint)(j / nr) * k * nr + j % nr;
                        if (j + 4 <= n)
                        {
                            var v = Vector128.Load(b + j);
                            v.Store(dst);
                            (Vector128.Load(sp + j) + v).Store(sp + j);
                        }
                        else
                        {
                            // The row's last partial vector (or one of padding), lane by lane: no portable masked load.
                            for (int l = 0; l < 4; l++)
                            {
                                float v = j + l < n ? b[j + l] : 0f;
                                dst[l] = v;
                                if (j + l < n) sp[j + l] += v;
                            }
                        }
                    }
                }
                return;
            }
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < width; j++)
                {
                    float v = j < n ? bp[(nint)i * ld + j] : 0f;
                    pp[((nint)(j / nr) * k + row0 + i) * nr + j % nr] = v;
                    if (j < n) sp[j] += v;
                }
        }
    }
}
