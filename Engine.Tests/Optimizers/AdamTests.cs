using Engine.Kernels;
using Engine.Optimizers;
using Engine.Tests.Threading;
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

    [Fact]
    public void TheSettingsBoundariesAndMessages()
    {
        // The closed ends are accepted, the open ends refused.
        Assert.Equal((0f, 0f), (new Adam(beta1: 0f).Beta1, new Adam(beta2: 0f).Beta2));
        foreach (var (make, name, message) in new (Func<Adam>, string, string)[]
                 {
                     (() => new Adam(learningRate: float.PositiveInfinity), "learningRate",
                      "learning rate must be positive and finite"),
                     (() => new Adam(learningRate: -1f), "learningRate", "learning rate must be positive and finite"),
                     (() => new Adam(beta1: -1e-7f), "beta1", "beta1 must be in [0, 1)"),
                     (() => new Adam(beta1: 1f), "beta1", "beta1 must be in [0, 1)"),
                     (() => new Adam(beta1: float.NaN), "beta1", "beta1 must be in [0, 1)"),
                     (() => new Adam(beta2: -1e-7f), "beta2", "beta2 must be in [0, 1)"),
                     (() => new Adam(beta2: 1f), "beta2", "beta2 must be in [0, 1)"),
                     (() => new Adam(beta2: float.NaN), "beta2", "beta2 must be in [0, 1)"),
                     (() => new Adam(epsilon: -1e-7f), "epsilon", "epsilon must be positive"),
                     (() => new Adam(epsilon: float.NaN), "epsilon", "epsilon must be positive"),
                 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(make);
            Assert.Equal(name, e.ParamName);
            Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        }
        var adam = new Adam();
        var mismatch = Assert.Throws<ArgumentException>(() => adam.Step(new float[3], new float[2]));
        Assert.Equal("parameters has 3 elements but gradients has 2 (Parameter 'gradients')", mismatch.Message);
        adam.Step(new float[3], new float[3]);
        var changed = Assert.Throws<InvalidOperationException>(() => adam.Step(new float[4], new float[4]));
        Assert.Equal("this optimizer was used with 3 parameters, now given 4", changed.Message);
        // Before the first step, the size is free: the buffers follow the first call.
        var fresh = new Adam();
        fresh.Step(new float[5], new float[5]);
        Assert.Equal(1, fresh.Iterations);
    }
}

/// <summary>Adam's update split between threads; runs alone (it raises the process-wide thread setting, and a
/// kernel test beside it could hold the team and get it a one-thread lease).</summary>
[Collection(nameof(WorkerTeamTests))]
public class AdamThreadTests
{
    /// <summary>
    /// An update large enough to be split between threads (at least <see cref="Adam.ThreadThreshold"/> parameters,
    /// lengths that leave every remainder of a 16-element block): on two threads bit for bit the one-thread result,
    /// and both within float rounding of Adam's formula in double, element by element, over three steps.
    /// </summary>
    [Theory]
    [InlineData(Adam.ThreadThreshold)]
    [InlineData(Adam.ThreadThreshold + 1)]
    [InlineData(Adam.ThreadThreshold + 15)]
    [InlineData(Adam.ThreadThreshold * 2 + 7)]
    public void ASplitUpdateIsTheOneThreadUpdateAndAdamsFormula(int length)
    {
        var random = new System.Random(length);
        float[] start = new float[length];
        float[][] gradients = [new float[length], new float[length], new float[length]];
        for (int k = 0; k < length; k++) start[k] = (float)(random.NextDouble() * 2 - 1);
        foreach (var g in gradients)
            for (int k = 0; k < length; k++) g[k] = (float)(random.NextDouble() * 4 - 2);
        float[] Run(int threads) => ThreadSetting.With(threads, () =>
        {
            var adam = new Adam(learningRate: 0.05f);
            float[] p = (float[])start.Clone();
            foreach (var g in gradients) adam.Step(p, g);
            return p;
        });
        float[] one = Run(1), two = Run(2);
        Assert.Equal(one.Select(BitConverter.SingleToInt32Bits), two.Select(BitConverter.SingleToInt32Bits));
        for (int k = 0; k < length; k++)
        {
            double p = start[k], m = 0, v = 0;
            for (int t = 1; t <= 3; t++)
            {
                double g = gradients[t - 1][k];
                m = 0.9 * m + 0.1 * g;
                v = 0.999 * v + 0.001 * g * g;
                double alpha = 0.05 * Math.Sqrt(1 - Math.Pow(0.999, t)) / (1 - Math.Pow(0.9, t));
                p -= alpha * m / (Math.Sqrt(v) + 1e-7);
            }
            if (Math.Abs(two[k] - p) > 1e-6 + 1e-6 * Math.Abs(p))
                Assert.Fail($"length {length}, element {k}: {two[k]}, Adam's formula in double {p}");
        }
    }
}
