using Engine.Kernels;
using Engine.Optimizers;
using Xunit;

namespace Engine.Tests.Optimizers;

public class AdamTests
{
    /// <summary>
    /// Three steps of Keras' Adam worked out by hand (Python, double): alpha_t = lr sqrt(1 - b2^t) / (1 - b1^t),
    /// m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, p -= alpha_t m / (sqrt(v) + eps); lr 0.1, b1 0.9, b2 0.999, eps
    /// 1e-7.
    /// </summary>
    [Fact]
    public void ThreeStepsMatchHandComputedValues()
    {
        var adam = new Adam(learningRate: 0.1f);
        float[] p = [1.0f, -0.5f, 0.25f];
        float[][] gradients = [[0.5f, -1.0f, 0.0f], [0.1f, 2.0f, 0.0f], [-0.3f, 0.0f, 1e-3f]];
        double[][] expected =
        [
            [0.9000006324515321, -0.400000316226766, 0.25],
            [0.819697032869824, -0.43661061715038796, 0.25],
            [0.7986258503439517, -0.46491048585238653, 0.186320013857726],
        ];
        for (int t = 0; t < 3; t++)
        {
            adam.Step(p, gradients[t]);
            for (int k = 0; k < 3; k++)
                Assert.True(Math.Abs(p[k] - expected[t][k]) < 2e-6,
                            $"step {t + 1}, p[{k}] = {p[k]}, expected {expected[t][k]}");
        }
        Assert.Equal(3, adam.Iterations);
    }

    [Fact]
    public void KerasDefaults()
    {
        var adam = new Adam();
        Assert.Equal((0.001f, 0.9f, 0.999f, 1e-7f), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon));
    }

    [Fact]
    public void UpdateFlushesTinyMomentsToZero()
    {
        // m = 0.9 * 1e-31 + 0.1 * 0 and v alike fall below 1e-30: flushed, so p does not move.
        float[] p = [1f], m = [1e-31f], v = [1e-31f];
        AdamUpdate.Run(p, m, v, [0f], 0.1f, 0.9f, 0.999f, 1e-7f);
        Assert.Equal([0f, 0f, 1f], [m[0], v[0], p[0]]);
    }

    [Fact]
    public void RejectsBadSettingsAndAChangedParameterCount()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(learningRate: 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(learningRate: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta2: -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(epsilon: 0f));
        var adam = new Adam();
        var e = Assert.Throws<ArgumentException>(() => adam.Step(new float[3], new float[2]));
        Assert.Contains("3", e.Message);
        Assert.Contains("2", e.Message);
        adam.Step(new float[3], new float[3]);
        Assert.Throws<InvalidOperationException>(() => adam.Step(new float[4], new float[4]));
    }
}
