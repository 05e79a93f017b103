using System.Text.Json.Nodes;
using Engine.Layers;
using Engine.Models;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Layers;

/// <summary>Dropout and SpatialDropout1D: identity at inference, inverted dropout in training, masks from the
/// seed.</summary>
public class DropoutTests
{
    private const int N = 40, T = 25, F = 10;

    private static float[] Draw(int length, ulong seed)
    {
        var v = new float[length];
        new RandomSource(seed).FillUniform(v, -2f, 2f);
        return v;
    }

    // A bound layer (through a one-layer model) and its output for (T, N, F) input, time-major.
    private static float[] Run(Dropout layer, float[] input, bool training, ulong seed = 7)
    {
        var model = new Sequential(F, [layer]);
        model.Initialize(seed);
        var output = new float[input.Length];
        layer.Forward(output, input, [], N, T, training ? ForwardMode.Training : ForwardMode.KeepForBackward);
        return output;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void InferenceIsTheIdentityForwardAndBackward(bool spatial)
    {
        Dropout layer = spatial ? new SpatialDropout1D(0.5) : new Dropout(0.5);
        var x = Draw(N * T * F, 1);
        Assert.Equal(x, Run(layer, x, training: false));
        var dy = Draw(x.Length, 2);
        var dx = new float[x.Length];
        layer.Backward(dx, [], dy, x, [], N, T);
        Assert.Equal(dy, dx);
    }

    [Fact]
    public void TrainingDropsTheRateAndScalesTheKeptByOneOverOneMinusRate()
    {
        const double rate = 0.3;
        var layer = new Dropout(rate);
        var x = Enumerable.Repeat(1f, N * T * F).ToArray();
        var y = Run(layer, x, training: true);
        float keep = 1f / 0.7f;
        Assert.All(y, v => Assert.True(v == 0f || v == keep, $"{v} is neither 0 nor 1/0.7"));
        double dropped = y.Count(v => v == 0f) / (double)y.Length;
        double sd = Math.Sqrt(rate * (1 - rate) / y.Length); // 0.0046 for 10000 draws
        Assert.InRange(dropped, rate - 4 * sd, rate + 4 * sd);
        // Backward: dx = dy * mask, the mask read back from the output of an all-ones input.
        var dy = Draw(x.Length, 3);
        var dx = new float[x.Length];
        layer.Backward(dx, [], dy, x, [], N, T);
        for (int k = 0; k < x.Length; k++) Assert.Equal(dy[k] * y[k], dx[k]);
    }

    [Fact]
    public void SpatialDropoutSharesOneMaskPerSeriesAndFeatureOverTime()
    {
        const double rate = 0.4;
        var layer = new SpatialDropout1D(rate);
        var x = Draw(N * T * F, 4);
        var y = Run(layer, x, training: true);
        int dropped = 0;
        for (int n = 0; n < N; n++)
            for (int i = 0; i < F; i++)
            {
                bool kept = y[n * F + i] != 0f;
                if (!kept) dropped++;
                for (int t = 0; t < T; t++)
                {
                    int k = (t * N + n) * F + i;
                    Assert.Equal(kept ? x[k] * (1f / 0.6f) : 0f, y[k]);
                }
            }
        double sd = Math.Sqrt(rate * (1 - rate) / (N * F));
        Assert.InRange(dropped / (double)(N * F), rate - 4 * sd, rate + 4 * sd);
        Assert.True(layer.RequiresSequence);
        var e = Assert.Throws<ArgumentException>(() => new Sequential(F, [new Lstm(3), new SpatialDropout1D(rate)]));
        Assert.Contains("layer 1 (SpatialDropout1D) needs a sequence input", e.Message);
    }

    [Fact]
    public void MasksFollowTheSeedAndChangeFromStepToStep()
    {
        var x = Draw(N * T * F, 5);
        var layer = new Dropout(0.5);
        var first = Run(layer, x, training: true, seed: 11);
        var second = new float[x.Length];
        layer.Forward(second, x, [], N, T, ForwardMode.Training); // the next training step draws a new mask
        Assert.NotEqual(first, second);
        Assert.Equal(first, Run(new Dropout(0.5), x, training: true, seed: 11));
        Assert.NotEqual(first, Run(new Dropout(0.5), x, training: true, seed: 12));
    }

    [Fact]
    public void ConfigRoundTripsAndBadRatesAreRefusedInOneLine()
    {
        var layer = LayerRegistry.Create(LayerRegistry.Config(new SpatialDropout1D(0.25)), "layer 0");
        Assert.Equal("SpatialDropout1D", layer.TypeName);
        Assert.Equal(0.25, ((Dropout)layer).Rate);
        var e = Assert.Throws<ArgumentException>(() =>
            LayerRegistry.Create(new JsonObject { ["type"] = "Dropout", ["rate"] = 1.0 }, "layer 2"));
        Assert.Equal("layer 2 (Dropout): 'rate' must be below 1, not 1", e.Message);
        Assert.Throws<ArgumentException>(() =>
            LayerRegistry.Create(new JsonObject { ["type"] = "Dropout" }, "layer 2"));
    }

    [Fact]
    public void InputWeightsAreTheIdentityAndTheWidthIsKept()
    {
        var model = new Sequential(3, [new Dropout(0.2), new Lstm(2)]);
        var layer = model.Layers[0];
        Assert.Equal(3, layer.OutputSize);
        Assert.Equal(0, layer.ParameterCount);
        Assert.Equal(new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } },
                     layer.InputWeights([], 0, absolute: true));
    }

    [Fact]
    public void RatesOutsideZeroToOneAreRefusedAndRateZeroIsAccepted()
    {
        foreach (double bad in new[] { -0.01, 1.0, 1.5, double.NaN })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(bad));
            Assert.Equal("rate", e.ParamName);
            Assert.StartsWith("the dropout rate must be in [0, 1)", e.Message);
        }
        var layer = new Dropout(0);
        Assert.Equal(0, layer.Rate);
        var x = Draw(N * T * F, 4);
        Assert.Equal(x, Run(layer, x, training: true)); // nothing dropped, nothing scaled
        Assert.Equal(["identity"], layer.InputGates);
    }

    /// <summary>The first layer of a training step is asked for no input gradient (an empty dInput), masked or
    /// not.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BackwardWithoutAnInputGradientDoesNothing(bool training)
    {
        var layer = new Dropout(0.5);
        var x = Draw(N * T * F, 5);
        Run(layer, x, training);
        layer.Backward([], [], Draw(x.Length, 6), x, [], N, T);
    }
}
