using System.Runtime.Intrinsics;
using Engine.Kernels;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Kernels;

/// <summary>
/// Which path the kernels take: build.sh runs the kernel tests again under DOTNET_PreferredVectorBitWidth=256 and 128
/// and DOTNET_EnableHWIntrinsic=0. These tests fail when the path taken is not the one the setting asks for: the
/// runtime must report the width asked for, and LstmGates and GemmPacked must compute, bit for bit, what their
/// vector code computes (which differs from what their scalar code computes: they would pass vacuously otherwise).
/// </summary>
[Trait("Category", "Kernels")]
public class VectorPathTests
{
    // The width the environment asks for, or null when it asks for nothing (this machine's widest then).
    private static int? RequestedWidth()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0") return 0;
        return int.TryParse(Environment.GetEnvironmentVariable("DOTNET_PreferredVectorBitWidth"), out int w) ? w : null;
    }

    [Fact]
    public void TheRuntimeTakesTheRequestedWidth()
    {
        int width = VectorPath.Width;
        if (RequestedWidth() is int requested) Assert.Equal(requested, width);
        Assert.Equal(width >= 128, Vector128.IsHardwareAccelerated);
        // GemmPacked's micro-kernel: 8 x 32, 6 x 16, 6 x 8 (Kernel128), or the scalar 4 x 8.
        Assert.Equal(width switch { 512 => (8, 32), 256 => (6, 16), 128 => (6, 8), _ => (4, 8) },
                     (GemmPacked.MicroRows, GemmPacked.PanelWidth));
    }

    private static float[] Random(int n, RandomSource rng, float scale)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rng.Uniform(-scale, scale);
        return a;
    }

    // One activation through the form the taken path uses: the operator's vectors (the same value on every width,
    // ActivationOperatorTests) or its scalar form.
    private static float F(Activation a, float x, bool vector) =>
        ActivationOperatorTests.Through(a, [x], vector ? 128 : 0)[0];

    private static float D(Activation a, float y, bool vector) =>
        ActivationOperatorTests.Through(a, [y], vector ? 128 : 0, derivative: true)[0];

    [Theory]
    [InlineData(Activation.Relu, Activation.Sigmoid), InlineData(Activation.Tanh, Activation.HardSigmoidKeras3)]
    public void LstmGatesTakeTheVectorPathOfTheWidth(Activation a, Activation r)
    {
        bool vector = VectorPath.Width > 0;
        var rng = new RandomSource(9);
        int differs = 0; // elements where the other path would have given another value
        foreach (int units in new[] { 1, 3, 4, 5, 10, 17 }) // partial vectors at every width
        {
            const int rows = 3;
            int n = rows * units;
            var z = Random(4 * n, rng, 4f);
            var cPrev = Random(n, rng, 1f);
            float[] gates = (float[])z.Clone(), c = new float[n], s = new float[n], h = new float[n];
            LstmGates.Forward(gates, c, s, h, cPrev, a, r, rows, units);
            var dh = Random(n, rng, 1f);
            var dcNext = Random(n, rng, 1f);
            float[] dz = new float[4 * n], dc = (float[])dcNext.Clone();
            LstmGates.Backward(dz, dc, dh, gates, cPrev, s, a, r, rows, units);

            for (int row = 0; row < rows; row++)
                for (int j = 0; j < units; j++)
                {
                    int q = row * 4 * units + j, e = row * units + j;
                    float[] zz = [z[q], z[q + units], z[q + 2 * units], z[q + 3 * units]];
                    float i = F(r, zz[0], vector), f = F(r, zz[1], vector);
                    float g = F(a, zz[2], vector), o = F(r, zz[3], vector);
                    float ce = MathF.FusedMultiplyAdd(i, g, f * cPrev[e]), se = F(a, ce, vector);
                    Assert.Equal([i, f, g, o],
                                 [gates[q], gates[q + units], gates[q + 2 * units], gates[q + 3 * units]]);
                    Assert.Equal((ce, se, o * se), (c[e], s[e], h[e]));
                    if (F(r, zz[0], !vector) != i || F(a, ce, !vector) != se) differs++;

                    // The vector backward fuses dc + dh o a'(s); the scalar one rounds dh o a'(s) first.
                    float dcv = vector ? MathF.FusedMultiplyAdd(dh[e] * o, D(a, se, vector), dcNext[e])
                                       : dcNext[e] + dh[e] * o * D(a, se, vector);
                    Assert.Equal(dh[e] * se * D(r, o, vector), dz[q + 3 * units]);
                    Assert.Equal(dcv * g * D(r, i, vector), dz[q]);
                    Assert.Equal(dcv * cPrev[e] * D(r, f, vector), dz[q + units]);
                    Assert.Equal(dcv * i * D(a, g, vector), dz[q + 2 * units]);
                    Assert.Equal(dcv * f, dc[e]);
                }
        }
        if (r == Activation.Sigmoid) Assert.True(differs > 0, "no element tells the paths apart");
    }

    [Fact]
    public void GemmPackedTakesTheVectorPathOfTheWidth()
    {
        // The vector micro-kernels sum each k block of 256 from zero and add it to C; the scalar one sums into C.
        bool vector = VectorPath.Width > 0;
        const int m = 12, k = 300, n = 13; // two row blocks of 6 (or 8 + 4), two k blocks, a full and a partial panel
        var rng = new RandomSource(11);
        var a = Random(m * k, rng, 1f);
        var b = Random(k * n, rng, 1f);
        var c0 = Random(m * n, rng, 30f);
        var packed = new float[GemmPacked.PackedLength(k, n)];
        GemmPacked.PackB(packed, b, n, false, k, n);
        var c = (float[])c0.Clone();
        GemmPacked.Run(c, n, a, k, 1, packed, m, k, n);
        int differs = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float blocked = c0[i * n + j], plain = c0[i * n + j];
                for (int k0 = 0; k0 < k; k0 += 256)
                {
                    float acc = 0f;
                    for (int p = k0; p < Math.Min(k, k0 + 256); p++)
                        acc = MathF.FusedMultiplyAdd(a[i * k + p], b[p * n + j], acc);
                    blocked += acc;
                }
                for (int p = 0; p < k; p++) plain = MathF.FusedMultiplyAdd(a[i * k + p], b[p * n + j], plain);
                Assert.Equal(vector ? blocked : plain, c[i * n + j]);
                if (blocked != plain) differs++;
            }
        Assert.True(differs > 0, "no element tells the paths apart");
    }
}
