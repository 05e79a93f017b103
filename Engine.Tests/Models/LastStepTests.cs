using System.Text.Json.Nodes;
using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Models;

/// <summary>LastStep: y_n = x_{T-1, n} forward, the output gradient into the last step backward.</summary>
public class LastStepTests
{
    [Fact]
    public void Forward_takes_the_last_step_and_backward_puts_the_gradient_there()
    {
        var model = new Sequential(2, [new LastStep()]);
        // (N = 2, T = 3, F = 2), batch-major: series 0 steps (1,2) (3,4) (5,6); series 1 steps (7,8) (9,10) (11,12).
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        var y = new float[4];
        model.Forward(y, x, 2, 3);
        Assert.Equal([5f, 6f, 11f, 12f], y);
        var dx = new float[12];
        dx.AsSpan().Fill(99);
        model.Backward(dx, [0.5f, -1f, 2f, 3f]);
        Assert.Equal([0f, 0, 0, 0, 0.5f, -1f, 0, 0, 0, 0, 2f, 3f], dx);
        Assert.Equal(0, model.ParameterCount);
    }

    /// <summary>After a unidirectional LSTM, LastStep is return_sequences = False: same outputs, input gradient and
    /// parameter gradients as the LSTM that returns its last step.</summary>
    [Fact]
    public void After_an_LSTM_it_is_return_sequences_false()
    {
        const int n = 3, t = 5, f = 2;
        var withLayer = new Sequential(f, [new Lstm(4, returnSequences: true), new LastStep(), new Dense(2)]);
        var plain = new Sequential(f, [new Lstm(4, returnSequences: false), new Dense(2)]);
        withLayer.Initialize(7);
        withLayer.Parameters.CopyTo(plain.Parameters, 0);
        var x = new float[n * t * f];
        new RandomSource(3).FillUniform(x, -1f, 1f);
        float[] y1 = new float[n * 2], y2 = new float[n * 2];
        withLayer.Forward(y1, x, n, t);
        plain.Forward(y2, x, n, t);
        Assert.Equal(y2, y1);
        float[] dy = [0.3f, -0.2f, 1f, 0.5f, -0.7f, 0.1f];
        float[] dx1 = new float[x.Length], dx2 = new float[x.Length];
        withLayer.Backward(dx1, dy);
        plain.Backward(dx2, dy);
        for (int i = 0; i < dx1.Length; i++) Assert.True(Math.Abs(dx1[i] - dx2[i]) <= 1e-6, $"dx[{i}]");
        for (int i = 0; i < plain.Gradients.Length; i++)
            Assert.True(Math.Abs(withLayer.Gradients[i] - plain.Gradients[i]) <= 1e-6, $"gradient[{i}]");
    }

    [Fact]
    public void Registry_builds_it_from_its_type()
    {
        var layer = LayerRegistry.Create(new JsonObject { ["type"] = "LastStep" }, "layer 2");
        Assert.IsType<LastStep>(layer);
        Assert.Equal("LastStep", LayerRegistry.Config(layer)["type"]!.GetValue<string>());
        var model = new Sequential(3, [new Lstm(2, returnSequences: true), layer]);
        Assert.False(model.OutputsSequence);
        Assert.Equal(2, model.OutputUnits);
    }

    /// <summary>The layer's own backward overwrites every step of dInput (zeros before the last), and writes nothing
    /// when no input gradient is wanted.</summary>
    [Fact]
    public void Backward_overwrites_the_earlier_steps_with_zeros()
    {
        var model = new Sequential(2, [new LastStep()]);
        var layer = model.Layers[0];
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]; // time-major (T = 3, N = 2, F = 2)
        layer.Forward(new float[4], x, [], 2, 3, ForwardMode.KeepForBackward);
        var dx = new float[12];
        dx.AsSpan().Fill(99);
        layer.Backward(dx, [], [0.5f, -1f, 2f, 3f], x, [], 2, 3);
        Assert.Equal([0f, 0, 0, 0, 0, 0, 0, 0, 0.5f, -1f, 2f, 3f], dx);
        layer.Backward([], [], [0.5f, -1f, 2f, 3f], x, [], 2, 3);
        Assert.Equal(["identity"], layer.InputGates);
    }

    [Fact]
    public void It_needs_a_sequence()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential(2, [new Lstm(2), new LastStep()]));
        Assert.StartsWith("layer 1 (LastStep) needs a sequence input", e.Message);
    }
}
