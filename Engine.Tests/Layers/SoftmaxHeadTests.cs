using System.Text.Json.Nodes;
using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using Xunit;

namespace Engine.Tests.Layers;

/// <summary>
/// Dense with a softmax output: pinned to the Keras 2 fixture's float64 outputs; config keeps Keras' name. Its gradient
/// is checked against the double reference in Models/GradientPropertyTests.
/// </summary>
public class SoftmaxHeadTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MatchesKerasEquationsOnTheSoftmaxFixture(bool sequenceKernel)
    {
        // Keras 2.14: LSTM(5, tanh, hard_sigmoid = clip(0.2x + 0.5)) - Dense(4, softmax); T = 5, F = 4.
        var (parameters, input, expected, batch, steps) = BidirectionalTests.Load("k2_lstm_hard_sigmoid_softmax.h5");
        var lstm = new Lstm(5, Activation.Tanh, Activation.HardSigmoid) { UseSequenceKernel = sequenceKernel };
        var model = new Sequential(4, [lstm, Dense.WithSoftmax(4)]);
        parameters.CopyTo(model.Parameters, 0);
        var output = new float[batch * 4];
        model.Forward(output, input, batch, steps);
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(output[k] - expected[k]) <= 1e-6 + 1e-4 * Math.Abs(expected[k]),
                        $"output[{k}]: engine {output[k]:R}, Keras equations {expected[k]:R}");
    }

    [Fact]
    public void ConfigSaysSoftmaxAsKerasDoes()
    {
        var config = LayerRegistry.Config(Dense.WithSoftmax(3));
        Assert.Equal("""{"type":"Dense","units":3,"activation":"softmax"}""", config.ToJsonString());
        var dense = Assert.IsType<Dense>(LayerRegistry.Create(config, "layer 1"));
        Assert.True(dense.Softmax);
        Assert.Equal(Activation.Linear, dense.Activation);
        Assert.False(((Dense)LayerRegistry.Create(new JsonObject { ["type"] = "Dense", ["units"] = 3 },
                                                  "layer 1")).Softmax);
    }

    [Fact]
    public void BackwardIsYTimesDyMinusItsWeightedMean()
    {
        // One row z = (0, ln 2, ln 3) (K = 0, b = z, 1 input): y = (1, 2, 3) / 6; dy = (1, 0, 0):
        // dz = y (dy - y_0) = (1/6 (1 - 1/6), 2/6 (-1/6), 3/6 (-1/6)) = (5/36, -2/36, -3/36); db = dz.
        var model = new Sequential(1, [Dense.WithSoftmax(3)]);
        new[] { 0f, MathF.Log(2), MathF.Log(3) }.CopyTo(model.Tensor(0, "bias"));
        var y = new float[3];
        model.Forward(y, [0.5f], 1, 1);
        Assert.Equal([1 / 6.0, 2 / 6.0, 3 / 6.0], y.Select(v => (double)v), new Tolerance(1e-6));
        model.Backward([], [1f, 0f, 0f]);
        Assert.Equal([5 / 36.0, -2 / 36.0, -3 / 36.0], model.Gradients[3..].Select(v => (double)v),
                     new Tolerance(1e-6));
        Assert.Equal([2.5 / 36, -1 / 36.0, -1.5 / 36], model.Gradients[..3].Select(v => (double)v),
                     new Tolerance(1e-6));
    }

    private sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps;
        public int GetHashCode(double v) => 0;
    }
}
