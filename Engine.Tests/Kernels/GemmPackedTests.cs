using Engine.Kernels;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Kernels;

/// <summary>The packed, blocked product against its scalar twin and against a plain triple loop.</summary>
[Trait("Category", "Kernels")]
public class GemmPackedTests
{
    public static readonly TheoryData<int> Lengths = [1, 7, 8, 15, 16, 17, 33, 65];

    private static float[] Random(int n, ulong seed)
    {
        var a = new float[n];
        var rng = new RandomSource(seed);
        for (int i = 0; i < n; i++) a[i] = rng.Uniform(-1f, 1f);
        return a;
    }

    private static void AssertClose(float[] expected, float[] actual, int k)
    {
        float tol = 1e-5f * (k + 1);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= tol * (1 + MathF.Abs(expected[i])),
                        $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    // C (m, n; ldc) += A B with A as row-major (m, k) or as Aᵀ stored (k, m), B as (k, n) or Bᵀ stored (n, k).
    private static void Check(int m, int k, int n, bool transA, bool transB, int extraLdc)
    {
        var a = Random(m * k, 1);
        var b = Random(k * n, 2);
        int ldc = n + extraLdc;
        var c0 = Random(m * ldc, 3);
        var packed = new float[GemmPacked.PackedLength(k, n)];
        GemmPacked.PackB(packed, b, transB ? k : n, transB, k, n);
        int rs = transA ? 1 : k, cs = transA ? m : 1;

        var expected = (float[])c0.Clone();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = expected[i * ldc + j];
                for (int p = 0; p < k; p++) s += (double)a[i * rs + p * cs] * (transB ? b[j * k + p] : b[p * n + j]);
                expected[i * ldc + j] = (float)s;
            }
        var scalar = (float[])c0.Clone();
        GemmPacked.Scalar(scalar, ldc, a, rs, cs, packed, m, k, n);
        var fast = (float[])c0.Clone();
        GemmPacked.Run(fast, ldc, a, rs, cs, packed, m, k, n);
        AssertClose(expected, scalar, k);
        AssertClose(scalar, fast, k);
        for (int i = 0; i < m; i++)
            // the gap between rows is untouched
            for (int j = n; j < ldc; j++) Assert.Equal(c0[i * ldc + j], fast[i * ldc + j]);
    }

    [Theory, MemberData(nameof(Lengths))]
    public void MatchesScalarTwinOnEveryRemainder(int len)
    {
        Check(len, len, len, false, false, 0);
        Check(len, 3, len, true, false, 2);
        Check(5, len, 40, false, true, 0);
        Check(len, 10, 17, true, true, 5);
    }

    [Fact]
    public void CrossesTheCacheBlocks() => Check(100, 300, 70, false, false, 1);

    [Fact]
    public void ThreadedProductIsBitIdenticalToOneThread()
    {
        int m = 130, k = 200, n = 150; // above the threading threshold, several panels
        var a = Random(m * k, 5);
        var b = Random(k * n, 6);
        var packed = new float[GemmPacked.PackedLength(k, n)];
        GemmPacked.PackB(packed, b, n, false, k, n);
        var one = new float[m * n];
        GemmPacked.Run(one, n, a, k, 1, packed, m, k, n);
        foreach (int threads in new[] { 2, 3 })
        {
            var two = Engine.Tests.Threading.ThreadSetting.With(threads, () =>
            {
                var c = new float[m * n];
                GemmPacked.Run(c, n, a, k, 1, packed, m, k, n);
                return c;
            });
            Assert.Equal(one, two);
        }
    }

    [Theory, InlineData(false), InlineData(true)]
    public void ThreadedPackingIsIdenticalToOneThread(bool transposed)
    {
        int k = 1000, n = 1050; // above the packing threshold, a partial last panel
        var b = Random(k * n, 8);
        var one = new float[GemmPacked.PackedLength(k, n)];
        GemmPacked.PackB(one, b, transposed ? k : n, transposed, k, n);
        var two = Engine.Tests.Threading.ThreadSetting.With(2, () =>
        {
            var packed = Enumerable.Repeat(float.NaN, one.Length).ToArray();
            GemmPacked.PackB(packed, b, transposed ? k : n, transposed, k, n);
            return packed;
        });
        Assert.Equal(one, two);
    }

    [Fact]
    public void PackingColumnBlocksGathersTheGateSlices()
    {
        int k = 5, h = 7, g = 4 * h, first = 2, width = 3;
        var b = Random(k * g, 7);
        var packed = Enumerable.Repeat(float.NaN, GemmPacked.PackedLength(k, 4 * width)).ToArray();
        GemmPacked.PackColumnsUnchecked(packed, b, g, k, 4, h, first, width);
        var gathered = new float[k * 4 * width];
        for (int p = 0; p < k; p++)
            for (int q = 0; q < 4; q++)
                for (int j = 0; j < width; j++) gathered[p * 4 * width + q * width + j] = b[p * g + q * h + first + j];
        var expected = new float[packed.Length];
        GemmPacked.PackB(expected, gathered, 4 * width, false, k, 4 * width);
        Assert.Equal(expected, packed);
        var whole = new float[GemmPacked.PackedLength(k, g)];
        GemmPacked.PackColumnsUnchecked(whole, b, g, k, 4, h, 0, h);
        GemmPacked.PackB(expected = new float[whole.Length], b, g, false, k, g);
        Assert.Equal(expected, whole);
    }

    [Fact]
    public void PackZeroPadsThePartialPanel()
    {
        var b = Random(3 * 5, 4);
        var packed = Enumerable.Repeat(float.NaN, GemmPacked.PackedLength(3, 5)).ToArray();
        GemmPacked.PackB(packed, b, 5, false, 3, 5);
        int nr = GemmPacked.PanelWidth;
        for (int p = 0; p < 3; p++)
            for (int j = 0; j < nr; j++) Assert.Equal(j < 5 ? b[p * 5 + j] : 0f, packed[p * nr + j]);
    }

    [Fact]
    public void RejectsShortBuffers()
    {
        var packed = new float[GemmPacked.PackedLength(4, 4)];
        var ex = Assert.Throws<ArgumentException>(() =>
            GemmPacked.Run(new float[15], 4, new float[16], 4, 1, packed, 4, 4, 4));
        Assert.Contains("(4, 4)", ex.Message);
        Assert.Throws<ArgumentException>(() => GemmPacked.PackB(new float[3], new float[16], 4, false, 4, 4));
    }

    // ---- PackedRows: packing row blocks with column sums (the same panels as PackB, the sums of a plain loop) ----

    // B (k, n) packed in blocks of `block` rows, last block first (as the LSTM's backward pass does), against PackB of
    // the whole B.
    private static void CheckPackedRows(int k, int n, int block, int extraLd)
    {
        int ld = n + extraLd;
        var b = Random(k * ld, 1);
        var expectedPacked = new float[GemmPacked.PackedLength(k, n)];
        var full = new float[k * n];
        for (int i = 0; i < k; i++) Array.Copy(b, i * ld, full, i * n, n);
        GemmPacked.PackB(expectedPacked, full, n, false, k, n);
        var sums0 = Random(n, 2);

        // stale contents everywhere: every element, padding too, must be written
        var fast = Random(expectedPacked.Length, 3);
        var scalar = (float[])fast.Clone();
        var fastSums = (float[])sums0.Clone();
        var scalarSums = (float[])sums0.Clone();
        var expectedSums = (float[])sums0.Clone();
        for (int start = (k - 1) / block * block; start >= 0; start -= block)
        {
            int rows = Math.Min(block, k - start);
            var src = b.AsSpan(start * ld, (rows - 1) * ld + n);
            PackedRows.PackAndSum(fast, fastSums, src, ld, start, rows, k, n);
            PackedRows.Scalar(scalar, scalarSums, src, ld, start, rows, k, n);
            for (int j = 0; j < n; j++)
                for (int i = 0; i < rows; i++) expectedSums[j] += b[(start + i) * ld + j];
        }
        Assert.Equal(expectedPacked, fast);
        Assert.Equal(expectedPacked, scalar);
        Assert.Equal(expectedSums, scalarSums); // same order: blocks as called, rows ascending
        Assert.Equal(scalarSums, fastSums);     // the vector path sums in the same order: bit-identical
    }

    [Theory, MemberData(nameof(Lengths))]
    public void PackedRowsMatchPackBAndColumnSumsOnEveryRemainder(int len)
    {
        CheckPackedRows(len, len, 3, 0);
        CheckPackedRows(2 * len + 1, len, len, 5);
        CheckPackedRows(len, 3 * len + 1, 4, 0);
        CheckPackedRows(7, len, 1, 1);
    }

    [Fact]
    public void PackedRowsRejectRowsOutsideThePackedOperand()
    {
        var packed = new float[GemmPacked.PackedLength(4, 8)];
        var sums = new float[8];
        var src = new float[16];
        Assert.Throws<ArgumentException>(() => PackedRows.PackAndSum(packed, sums, src, 8, 3, 2, 4, 8));
        Assert.Throws<ArgumentException>(() => PackedRows.PackAndSum(packed, new float[7], src, 8, 0, 2, 4, 8));
        Assert.Throws<ArgumentException>(() => PackedRows.PackAndSum(packed, sums, src, 7, 0, 2, 4, 8));
        Assert.Throws<ArgumentException>(() => PackedRows.PackAndSum(new float[8], sums, src, 8, 0, 2, 4, 8));
    }
}
