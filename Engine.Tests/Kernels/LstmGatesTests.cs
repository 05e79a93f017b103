using Engine.Kernels;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Kernels;

/// <summary>The fused, batched gate kernels against their scalar twins (LstmCell's scalar math row by row).</summary>
[Trait("Category", "Kernels")]
public class LstmGatesTests
{
    public static readonly TheoryData<int> Lengths = [1, 7, 8, 15, 16, 17, 33, 65];

    internal static float[] Random(int n, RandomSource rng, float scale = 3f)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rng.Uniform(-scale, scale);
        return a;
    }

    internal static void AssertClose(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 2e-6f * (1 + MathF.Abs(expected[i])),
                        $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    [Theory, MemberData(nameof(Lengths))]
    public void MatchTheScalarTwinsForEveryActivationPair(int units)
    {
        var rng = new RandomSource((ulong)units);
        foreach (int rows in new[] { 1, 3 })
            foreach (Activation a in Enum.GetValues<Activation>())
                foreach (Activation r in Enum.GetValues<Activation>())
                {
                    var z = Random(rows * 4 * units, rng);
                    var cPrev = Random(rows * units, rng);
                    float[] g0 = (float[])z.Clone(), c0 = new float[rows * units], s0 = new float[rows * units],
                    h0 = new float[rows * units];
                    float[] g1 = (float[])z.Clone(), c1 = new float[rows * units], s1 = new float[rows * units],
                    h1 = new float[rows * units];
                    LstmGates.ForwardScalar(g0, c0, s0, h0, cPrev, a, r, rows, units);
                    LstmGates.Forward(g1, c1, s1, h1, cPrev, a, r, rows, units);
                    string pair = $"{a}/{r}, {rows} rows";
                    AssertClose(g0, g1, $"gates {pair}"); AssertClose(c0, c1,
                        $"c {pair}"); AssertClose(s0, s1, $"s {pair}"); AssertClose(h0, h1, $"h {pair}");

                    var dh = Random(rows * units, rng, 1f);
                    var dcNext = Random(rows * units, rng, 1f);
                    float[] dz0 = new float[rows * 4 * units], dc0 = (float[])dcNext.Clone(),
                    dz1 = new float[rows * 4 * units], dc1 = (float[])dcNext.Clone();
                    LstmGates.BackwardScalar(dz0, dc0, dh, g0, cPrev, s0, a, r, rows, units);
                    LstmGates.Backward(dz1, dc1, dh, g0, cPrev, s0, a, r, rows, units);
                    AssertClose(dz0, dz1, $"dz {pair}"); AssertClose(dc0, dc1, $"dc {pair}");
                }
    }

    [Fact]
    public void SaturatedGatesStayFinite()
    {
        float[] z = [100f, -100f, 100f, -100f, -100f, 100f, -100f, 100f];
        float[] c = new float[2], s = new float[2], h = new float[2];
        LstmGates.Forward(z, c, s, h, [0f, 0f], Activation.Tanh, Activation.Sigmoid, 1, 2);
        float[] expected = [1f, 0f, 1f, 0f, -1f, 1f, 0f, 1f]; // i, f, g = tanh, o for units 0 and 1
        for (int i = 0; i < z.Length; i++) Assert.True(MathF.Abs(z[i] - expected[i]) < 1e-6f, $"gate {i}: {z[i]}");
        Assert.All(h, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void RejectsMismatchedShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            LstmGates.Forward(new float[8], new float[2], new float[2], new float[2], new float[1], Activation.Tanh,
                              Activation.Sigmoid, 1, 2));
        Assert.Contains("cPrev", ex.Message);
    }
}
