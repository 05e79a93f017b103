using Engine.Losses;
using Xunit;

namespace Engine.Tests.Losses;

/// <summary>Categorical cross-entropy pinned to hand-computed values, on probabilities and fused with the
/// softmax.</summary>
public class CategoricalCrossEntropyTests
{
    [Fact]
    public void OnProbabilitiesMatchesHandComputedValues()
    {
        // Rows (0.7, 0.2, 0.1) of class 0 and (0.1, 0.6, 0.3) of class 2: L = -(ln 0.7 + ln 0.3) / 2;
        // dL/dp = -y / (2 p): -1 / 1.4 at (0, 0), -1 / 0.6 at (1, 2), 0 elsewhere.
        float[] p = [0.7f, 0.2f, 0.1f, 0.1f, 0.6f, 0.3f];
        float[] y = [1f, 0f, 0f, 0f, 0f, 1f];
        var loss = new CategoricalCrossEntropy(3);
        var dp = new float[6];
        Assert.Equal(0.78032408013, loss.Compute(p, y, dp), 6);
        Assert.Equal(0.78032408013, loss.Value(p, y), 6);
        Assert.Equal([-1 / 1.4, 0, 0, 0, 0, -1 / 0.6], dp.Select(v => (double)v), new Close(1e-6));
        // Clipped: p = 0 for the target class costs -ln 1e-7 and no gradient.
        Assert.Equal(-Math.Log(1e-7) / 1, loss.Compute([0f, 1f, 0f], [1f, 0f, 0f], dp.AsSpan(0, 3)), 4);
        Assert.Equal(0f, dp[0]);
    }

    [Fact]
    public void FusedWithTheSoftmaxMatchesHandComputedValuesAndIsStable()
    {
        // Row 1: z = (0, ln 2, ln 3), p = (1, 2, 3) / 6, class 2: L_1 = -ln(1/2) = ln 2; dz = (p - y) / 2.
        // Row 2: z = (1000, 0, -1000), class 1: lse = 1000 (exp(-1000) underflows), L_2 = 1000 - 0 = 1000;
        // p = (1, 0, 0), dz = ((1, 0, 0) - (0, 1, 0)) / 2. A naive exp(1000) would overflow.
        float[] z = [0f, MathF.Log(2), MathF.Log(3), 1000f, 0f, -1000f];
        float[] y = [0f, 0f, 1f, 0f, 1f, 0f];
        var dz = new float[6];
        float value = new CategoricalCrossEntropy(3).ComputeFromLogits(z, y, dz);
        Assert.Equal((Math.Log(2) + 1000) / 2, value, 3);
        Assert.Equal([1 / 12.0, 2 / 12.0, -3 / 12.0, 0.5, -0.5, 0], dz.Select(v => (double)v), new Close(1e-6));
    }

    [Fact]
    public void FusedGradientScalesPWithTheTargetSum()
    {
        // Soft targets that do not sum to 1, y = (0.5, 1): L = 0.5 (lse - z_0) + (lse - z_1); dL/dz_j = 1.5 p_j - y_j.
        // z = (0, 0): lse = ln 2, p = (1/2, 1/2): L = 1.5 ln 2, dz = (0.25, -0.25).
        var dz = new float[2];
        Assert.Equal(1.5 * Math.Log(2), new CategoricalCrossEntropy(2).ComputeFromLogits([0f, 0f], [0.5f, 1f], dz), 6);
        Assert.Equal([0.25, -0.25], dz.Select(v => (double)v), new Close(1e-7));
    }

    [Fact]
    public void RefusesPartRowsAndFewerThanTwoClasses()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CategoricalCrossEntropy(1));
        var e = Assert.Throws<ArgumentException>(() => new CategoricalCrossEntropy(3).Value([0.5f, 0.5f], [1f, 0f]));
        Assert.Contains("whole rows of 3", e.Message);
        Assert.Throws<ArgumentException>(() =>
            new CategoricalCrossEntropy(3).TryComputeFromSoftmaxLogits([0f, 0f], [1f, 0f], new float[2], 2, out _));
    }

    private sealed class Close(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps;
        public int GetHashCode(double v) => 0;
    }
}
