using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Losses;

public class LossTests
{
    [Fact]
    public void BinaryCrossEntropyMatchesHandComputedValue()
    {
        // -(ln 0.9 + ln 0.8) / 2
        var dp = new float[2];
        float value = new BinaryCrossEntropy().Compute([0.9f, 0.2f], [1f, 0f], dp);
        Assert.Equal(0.164252033486018, value, 6);
        Assert.Equal(0.164252033486018, new BinaryCrossEntropy().Value([0.9f, 0.2f], [1f, 0f]), 6);
        // dL/dp = (p - y) / (p (1 - p)) / n
        Assert.Equal(-1 / 0.9 / 2, dp[0], 6);
        Assert.Equal(1 / 0.8 / 2, dp[1], 6);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(50)]
    [InlineData(67)]
    public void BinaryCrossEntropyIsBitIdenticalToTheTwoLogFormula(int n)
    {
        // The vector gradient and the one-log term for 0/1 targets against Keras' formula term by term, clipped values
        // included.
        var rng = new RandomSource(17 + (ulong)n);
        var p = new float[n];
        var y = new float[n];
        float[] edges = [0f, 1f, 1e-8f, 1e-7f, 1f - 1e-7f, 0.5f];
        for (int i = 0; i < n; i++)
        {
            p[i] = i % 5 == 3 ? edges[i % edges.Length] : rng.NextFloat();
            y[i] = i % 4 == 1 ? rng.NextFloat() : i % 2;
        }
        double sum = 0;
        var expected = new float[n];
        const float eps = BinaryCrossEntropy.Epsilon;
        for (int i = 0; i < n; i++)
        {
            float pc = Math.Clamp(p[i], eps, 1f - eps);
            sum -= y[i] * MathF.Log(pc) + (1f - y[i]) * MathF.Log(1f - pc);
            expected[i] = p[i] > eps && p[i] < 1f - eps ? 1f / n * (pc - y[i]) / (pc * (1f - pc)) : 0f;
        }
        var dp = new float[n];
        var loss = new BinaryCrossEntropy();
        float value = loss.Compute(p, y, dp);
        Assert.Equal(BitConverter.SingleToInt32Bits((float)(sum / n)), BitConverter.SingleToInt32Bits(value));
        Assert.Equal(BitConverter.SingleToInt32Bits(value), BitConverter.SingleToInt32Bits(loss.Value(p, y)));
        for (int i = 0; i < n; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(dp[i]));
        // NaN predictions take the zero gradient of the clip, in the vector loop as in the scalar one.
        Array.Fill(p, float.NaN);
        loss.Compute(p, y, dp);
        Assert.All(dp, d => Assert.Equal(0f, d));
    }

    [Fact]
    public void MeanSquaredErrorValueRefusesMismatchedLengths()
    {
        // A shorter target would otherwise be read past its end, a longer one silently cut (a Stryker survivor).
        Assert.Throws<ArgumentException>(() => new MeanSquaredError().Value(new float[3], new float[2]));
        Assert.Throws<ArgumentException>(() => new MeanSquaredError().Value(new float[2], new float[3]));
    }

    [Fact]
    public void BinaryCrossEntropyClipsLikeKeras()
    {
        // p is clipped to [1e-7, 1 - 1e-7] in float32: -ln(1e-7f) and -ln(1 - (1 - 1e-7f)); the gradient is 0 where
        // clipped.
        var dp = new float[2];
        Assert.Equal(16.118095639272223, new BinaryCrossEntropy().Compute([0f], [1f], dp.AsSpan(0, 1)), 4);
        Assert.Equal(15.942385152878742, new BinaryCrossEntropy().Compute([1f], [0f], dp.AsSpan(1, 1)), 4);
        Assert.Equal([0f, 0f], dp);
        Assert.True(float.IsFinite(new BinaryCrossEntropy().Value([0f, 1f], [0f, 1f])));
    }

    [Fact]
    public void BinaryCrossEntropyFromLogitsMatchesHandComputedValue()
    {
        // max(z, 0) - z y + ln(1 + e^-|z|), averaged; z = 100 must not overflow.
        float[] z = [0f, 2f, -3f, 100f], y = [1f, 0f, 1f, 0f];
        var dz = new float[4];
        Assert.Equal(26.467165635794164, BinaryCrossEntropy.ComputeFromLogits(z, y, dz), 4);
        double[] expected = [-0.125, 0.22019926949447058, -0.2381435317056083, 0.25];
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], dz[i], 6);
    }

    [Fact]
    public void MeanSquaredErrorMatchesHandComputedValue()
    {
        var dp = new float[3];
        Assert.Equal(5.0 / 3, new MeanSquaredError().Compute([1f, 2f, 3f], [0f, 2f, 5f], dp), 6);
        Assert.Equal(5.0 / 3, new MeanSquaredError().Value([1f, 2f, 3f], [0f, 2f, 5f]), 6);
        Assert.Equal(2.0 / 3, dp[0], 6);
        Assert.Equal(0.0, dp[1], 6);
        Assert.Equal(-4.0 / 3, dp[2], 6);
    }

    public static TheoryData<string> Losses() => ["bce", "bce-logits", "mse"];

    /// <summary>Each loss's gradient against central differences of the same formula in double.</summary>
    [Theory]
    [MemberData(nameof(Losses))]
    public void GradientsMatchFiniteDifferences(string loss)
    {
        var rng = new RandomSource(7);
        const int n = 37;
        var p = new float[n];
        var y = new float[n];
        rng.FillUniform(p, loss == "bce-logits" ? -6f : 0.02f, loss == "bce-logits" ? 6f : 0.98f);
        rng.FillUniform(y);
        var dp = new float[n];
        Func<double, double, double> term = loss switch
        {
            "bce" => (pi, yi) => -(yi * Math.Log(pi) + (1 - yi) * Math.Log(1 - pi)),
            "bce-logits" => (zi, yi) =>
                -(yi * Math.Log(1 / (1 + Math.Exp(-zi))) + (1 - yi) * Math.Log(1 - 1 / (1 + Math.Exp(-zi)))),
            _ => (pi, yi) => (pi - yi) * (pi - yi),
        };
        float value = loss switch
        {
            "bce" => new BinaryCrossEntropy().Compute(p, y, dp),
            "bce-logits" => BinaryCrossEntropy.ComputeFromLogits(p, y, dp),
            _ => new MeanSquaredError().Compute(p, y, dp),
        };
        double mean = 0;
        for (int i = 0; i < n; i++) mean += term(p[i], y[i]) / n;
        Assert.Equal(mean, value, 5);
        const double h = 1e-6;
        for (int i = 0; i < n; i++)
        {
            double fd = (term(p[i] + h, y[i]) - term(p[i] - h, y[i])) / (2 * h) / n;
            Assert.True(Math.Abs(dp[i] - fd) <= 1e-6 + 1e-4 * Math.Abs(fd),
                        $"{loss} dL/dp[{i}]: {dp[i]} vs finite difference {fd}");
        }
    }

    /// <summary>
    /// Sequential.ComputeGradients fuses a sigmoid Dense head with BCE (loss on the logits); its gradients must
    /// equal the unfused chain: forward, BCE on the probabilities, backward through the sigmoid.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FusedSigmoidDenseBceEqualsTheUnfusedComputation(bool sequenceOutput)
    {
        const int batch = 3, steps = 5, features = 2;
        var model = new Sequential(features,
                                   [new Lstm(4, returnSequences: sequenceOutput), new Dense(2, Activation.Sigmoid)],
                                   flatten: sequenceOutput);
        model.Initialize(11);
        var rng = new RandomSource(12);
        var x = new float[batch * steps * features];
        var y = new float[batch * model.OutputsPerSeries(steps)];
        rng.FillUniform(x, -1f, 1f);
        rng.FillUniform(y);
        var loss = new BinaryCrossEntropy();

        float fusedValue = model.ComputeGradients(x, y, batch, steps, loss);
        var fused = (float[])model.Gradients.Clone();

        var prediction = new float[y.Length];
        var dPrediction = new float[y.Length];
        model.Forward(prediction, x, batch, steps);
        float value = loss.Compute(prediction, y, dPrediction);
        Array.Clear(model.Gradients);
        model.Backward([], dPrediction);

        Assert.Equal(value, fusedValue, 1e-6);
        double scale = fused.Max(Math.Abs);
        Assert.True(scale > 1e-3, "the gradients should not all vanish");
        for (int k = 0; k < fused.Length; k++)
            Assert.True(Math.Abs(fused[k] - model.Gradients[k]) <= 1e-6 * (1 + scale) + 1e-4 * Math.Abs(fused[k]),
                        $"gradient {k}: fused {fused[k]}, unfused {model.Gradients[k]}");
    }
}
