using System.Text.Json.Nodes;
using Engine.Layers;
using Engine.Models;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Models;

/// <summary>Flatten: a series' T steps of W values become one row of T x W, Keras' order (step-major).</summary>
public class FlattenTests
{
    [Fact]
    public void ForwardLaysTheStepsOutInOrderAndBackwardPutsThemBack()
    {
        var model = new Sequential(2, [new Flatten(3)]);
        // (N = 2, T = 3, F = 2), batch-major: series 0 steps (1,2) (3,4) (5,6); series 1 steps (7,8) (9,10) (11,12).
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        var y = new float[12];
        model.Forward(y, x, 2, 3);
        Assert.Equal(x, y); // Keras' Flatten of (N, T, F) is the batch-major series as they come
        Assert.False(model.OutputsSequence);
        Assert.Equal(6, model.OutputsPerSeries(3));
        var dx = new float[12];
        float[] dy = [1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12];
        model.Backward(dx, dy);
        Assert.Equal(dy, dx);
        Assert.Contains("series of 3 steps",
                        Assert.Throws<ArgumentException>(() =>
                            model.Forward(new float[12], new float[8], 2, 2)).Message);
    }

    /// <summary>LSTM -> Flatten -> Dense(O) is y = b + sum_t h_t K_t with K_t rows t H .. t H + H - 1 of the kernel,
    /// computed
    /// here in double from the LSTM's own sequence output.</summary>
    [Fact]
    public void ADenseAfterItSeesEveryStep()
    {
        const int n = 2, t = 4, f = 3, h = 2, o = 2;
        var model = new Sequential(f, [new Lstm(h, returnSequences: true), new Flatten(t), new Dense(o)]);
        model.Initialize(5);
        var lstm = new Sequential(f, [new Lstm(h, returnSequences: true)], flatten: true);
        model.LayerParameters(0).CopyTo(lstm.Parameters);
        var x = new float[n * t * f];
        new RandomSource(9).FillUniform(x, -1f, 1f);
        float[] y = new float[n * o], hs = new float[n * t * h];
        model.Forward(y, x, n, t);
        lstm.Forward(hs, x, n, t);
        var kernel = model.Tensor(2, "kernel");
        var bias = model.Tensor(2, "bias");
        for (int s = 0; s < n; s++)
            for (int j = 0; j < o; j++)
            {
                double sum = bias[j];
                for (int i = 0; i < t * h; i++) sum += (double)hs[s * t * h + i] * kernel[i * o + j];
                Assert.True(Math.Abs(sum - y[s * o + j]) < 1e-6, $"y[{s}, {j}] = {y[s * o + j]}, expected {sum}");
            }
        Assert.Equal([t * h, o], model.Layers[2].Tensors[0].Shape);
    }

    [Fact]
    public void RegistryRoundTripAndWeightPath()
    {
        var layer = LayerRegistry.Create(new JsonObject { ["type"] = "Flatten", ["steps"] = 3 }, "layer 1");
        var model = new Sequential(2, [new Lstm(2, returnSequences: true), layer, new Dense(1)]);
        Assert.Equal("""{"type":"Flatten","steps":3}""", LayerRegistry.Config(layer).ToJsonString());
        var block = layer.InputWeights([], 0, absolute: false);
        Assert.Equal(new double[,] { { 1, 0, 1, 0, 1, 0 }, { 0, 1, 0, 1, 0, 1 } }, block);
        Assert.Contains("needs a sequence input",
                        Assert.Throws<ArgumentException>(() =>
                            new Sequential(2, [new Lstm(2), new Flatten(3)])).Message);
        Assert.Contains("'steps'",
                        Assert.Throws<ArgumentException>(() =>
                            LayerRegistry.Create(new JsonObject { ["type"] = "Flatten" }, "layer 1")).Message);
        Assert.Equal(6 * 1 + 1 + 2 * 8 + 2 * 8 + 8, model.ParameterCount);
    }

    [Fact]
    public void StepsArePositiveTheOneBlockIsTheIdentityAndAWrongLengthIsRefusedInFull()
    {
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => new Flatten(0));
        Assert.Equal("steps", zero.ParamName);
        Assert.StartsWith("steps must be positive, got 0", zero.Message);
        var model = new Sequential(2, [new Flatten(3)]);
        var layer = model.Layers[0];
        Assert.Equal(["identity"], layer.InputGates);
        var gate = Assert.Throws<ArgumentOutOfRangeException>(() => layer.InputWeights([], 1, false));
        Assert.Equal("gate", gate.ParamName);
        Assert.StartsWith("Flatten has one block", gate.Message);
        Assert.Equal("the model flattens series of 3 steps (Keras' Flatten fixes the length), but got 2 steps",
                     Assert.Throws<ArgumentException>(() => model.Forward(new float[12], new float[8], 2, 2)).Message);
        var x = new float[12];
        layer.Forward(new float[12], x, [], 2, 3, ForwardMode.KeepForBackward);
        layer.Backward([], [], new float[12], x, [], 2, 3); // no input gradient wanted: nothing to write
    }
}
