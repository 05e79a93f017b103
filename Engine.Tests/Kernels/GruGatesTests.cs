using Engine.Kernels;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Kernels;

/// <summary>The fused GRU gate kernels against their scalar twins, on unit counts that reach every vector
/// remainder.</summary>
[Trait("Category", "Kernels")]
public class GruGatesTests
{
    public static readonly TheoryData<int> Lengths = [1, 3, 7, 8, 9, 15, 16, 17, 33, 65];

    private static float[] Copy(float[] a) => (float[])a.Clone();

    [Theory, MemberData(nameof(Lengths))]
    public void ResetAfterKernelsMatchTheScalarTwins(int units)
    {
        var rng = new RandomSource((ulong)units);
        foreach (int rows in new[] { 1, 3 })
            foreach (Activation a in Enum.GetValues<Activation>())
                foreach (Activation r in Enum.GetValues<Activation>())
                {
                    string pair = $"{a}/{r}, {rows} rows";
                    var x = LstmGatesTests.Random(rows * 3 * units, rng);
                    var u = LstmGatesTests.Random(rows * 3 * units, rng);
                    var hPrev = LstmGatesTests.Random(rows * units, rng, 1f);
                    float[] g0 = Copy(x), h0 = new float[rows * units], g1 = Copy(x), h1 = new float[rows * units];
                    GruGates.ForwardResetAfterScalar(g0, u, h0, hPrev, a, r, rows, units);
                    GruGates.ForwardResetAfter(g1, u, h1, hPrev, a, r, rows, units);
                    LstmGatesTests.AssertClose(g0, g1, $"gates {pair}");
                    LstmGatesTests.AssertClose(h0, h1, $"h {pair}");

                    var dh = LstmGatesTests.Random(rows * units, rng, 1f);
                    float[] dx0 = new float[rows * 3 * units], du0 = new float[rows * 3 * units], dh0 = Copy(dh);
                    float[] dx1 = new float[rows * 3 * units], du1 = new float[rows * 3 * units], dh1 = Copy(dh);
                    GruGates.BackwardResetAfterScalar(dx0, du0, dh0, g0, u, hPrev, a, r, rows, units);
                    GruGates.BackwardResetAfter(dx1, du1, dh1, g0, u, hPrev, a, r, rows, units);
                    LstmGatesTests.AssertClose(dx0, dx1, $"dX side {pair}");
                    LstmGatesTests.AssertClose(du0, du1, $"dU side {pair}");
                    LstmGatesTests.AssertClose(dh0, dh1, $"dh {pair}");
                }
    }

    [Theory, MemberData(nameof(Lengths))]
    public void ResetBeforeKernelsMatchTheScalarTwins(int units)
    {
        var rng = new RandomSource(100 + (ulong)units);
        foreach (int rows in new[] { 1, 3 })
            foreach (Activation a in Enum.GetValues<Activation>())
                foreach (Activation r in Enum.GetValues<Activation>())
                {
                    string pair = $"{a}/{r}, {rows} rows";
                    var x = LstmGatesTests.Random(rows * 3 * units, rng);
                    var hPrev = LstmGatesTests.Random(rows * units, rng, 1f);
                    float[] g0 = Copy(x), rh0 = new float[rows * units], h0 = new float[rows * units];
                    float[] g1 = Copy(x), rh1 = new float[rows * units], h1 = new float[rows * units];
                    GruGates.ForwardResetGateScalar(g0, rh0, hPrev, r, rows, units);
                    GruGates.ForwardResetGate(g1, rh1, hPrev, r, rows, units);
                    LstmGatesTests.AssertClose(g0, g1, $"z, r {pair}");
                    LstmGatesTests.AssertClose(rh0, rh1, $"r h {pair}");
                    GruGates.ForwardCandidateScalar(g0, h0, hPrev, a, rows, units);
                    GruGates.ForwardCandidate(g1, h1, hPrev, a, rows, units);
                    LstmGatesTests.AssertClose(g0, g1, $"gates {pair}");
                    LstmGatesTests.AssertClose(h0, h1, $"h {pair}");

                    var dh = LstmGatesTests.Random(rows * units, rng, 1f);
                    var drh = LstmGatesTests.Random(rows * units, rng, 1f);
                    float[] d0 = new float[rows * 3 * units], dh0 = Copy(dh), d1 = new float[rows * 3 * units],
                    dh1 = Copy(dh);
                    GruGates.BackwardCandidateScalar(d0, dh0, g0, hPrev, a, r, rows, units);
                    GruGates.BackwardCandidate(d1, dh1, g0, hPrev, a, r, rows, units);
                    LstmGatesTests.AssertClose(d0, d1, $"dZ (z, h) {pair}");
                    LstmGatesTests.AssertClose(dh0, dh1, $"dh {pair}");
                    GruGates.BackwardResetGateScalar(d0, dh0, drh, g0, hPrev, r, rows, units);
                    GruGates.BackwardResetGate(d1, dh1, drh, g0, hPrev, r, rows, units);
                    LstmGatesTests.AssertClose(d0, d1, $"dZ {pair}");
                    LstmGatesTests.AssertClose(dh0, dh1, $"dh + d(r h) r {pair}");
                }
    }

    /// <summary>The scalar twin against numbers worked out by hand: one unit, tanh / sigmoid, reset_after.</summary>
    [Fact]
    public void ScalarTwinMatchesHandComputedValues()
    {
        // x part (0.5, 1, 1.5), recurrent part (-0.5, 0, 0.25), h_{t-1} = 0.5: z = σ(0) = 0.5, r = σ(1) =
        // 0.7310585786300049,
        // ĥ = tanh(1.5 + 0.7310585786300049 * 0.25) = 0.9332193957022543, h = 0.5 * 0.5 + 0.5 * ĥ = 0.7166096978511272.
        float[] gates = [0.5f, 1f, 1.5f], u = [-0.5f, 0f, 0.25f], h = new float[1];
        GruGates.ForwardResetAfterScalar(gates, u, h, [0.5f], Activation.Tanh, Activation.Sigmoid, 1, 1);
        Assert.Equal(0.5f, gates[0], 6);
        Assert.Equal(0.7310585786300049f, gates[1], 6);
        Assert.Equal(0.9332193957022543f, gates[2], 6);
        Assert.Equal(0.7166096978511272f, h[0], 6);
    }

    [Fact]
    public void SaturatedGatesStayFinite()
    {
        float[] x = [100f, -100f, 100f, -100f, 100f, -100f], u = new float[6], h = new float[2];
        GruGates.ForwardResetAfter(x, u, h, [0.5f, -0.5f], Activation.Tanh, Activation.Sigmoid, 1, 2);
        float[] expected = [1f, 0f, 1f, 0f, 1f, -1f]; // blocks z, r, ĥ, units 0 and 1 in each
        for (int i = 0; i < x.Length; i++) Assert.True(MathF.Abs(x[i] - expected[i]) < 1e-6f, $"gate {i}: {x[i]}");
        Assert.Equal(0.5f, h[0], 6); // z = 1 keeps h_{t-1}
        Assert.Equal(-1f, h[1], 6);  // z = 0 takes ĥ
    }
}
