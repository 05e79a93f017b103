using System.Text.Json.Nodes;
using Engine.Layers;
using Engine.Models;
using Xunit;

namespace Engine.Tests.Layers;

/// <summary>SelectOutput: y_r = x_{r, Index} forward, dy_r into column Index backward, its one weight block e_Index;
/// numbers written out by hand.</summary>
public class SelectOutputTests
{
    // (T = 2, N = 2, I = 3), time-major rows t N + n.
    private static readonly float[] X = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    private static Layer Bound(int index) => new Sequential(3, [new SelectOutput(index)]).Layers[0];

    [Fact]
    public void ForwardKeepsColumnIndexOfEveryRow()
    {
        var y = new float[4];
        Bound(1).Forward(y, X, [], 2, 2, ForwardMode.KeepForBackward);
        Assert.Equal([2f, 5, 8, 11], y);
        Bound(2).Forward(y, X, [], 2, 2, ForwardMode.KeepForBackward);
        Assert.Equal([3f, 6, 9, 12], y);
    }

    [Fact]
    public void BackwardPutsEachRowsGradientInColumnIndexAndZerosElsewhere()
    {
        var layer = Bound(1);
        layer.Forward(new float[4], X, [], 2, 2, ForwardMode.KeepForBackward);
        var dx = new float[12];
        dx.AsSpan().Fill(99);
        layer.Backward(dx, [], [0.5f, -1, 2, 3], X, [], 2, 2);
        Assert.Equal([0, 0.5f, 0, 0, -1, 0, 0, 2, 0, 0, 3, 0], dx);
        layer.Backward([], [], [0.5f, -1, 2, 3], X, [], 2, 2); // no input gradient wanted: nothing to write
        Assert.True(layer.BackwardOverPrefix(1));
        Assert.True(layer.BackwardOverPrefix(7));
    }

    [Fact]
    public void ItsOneBlockIsTheColumnOfIndex()
    {
        var layer = Bound(2);
        Assert.Equal("SelectOutput", layer.TypeName);
        Assert.Equal(["select"], layer.InputGates);
        Assert.Equal(new double[,] { { 0 }, { 0 }, { 1 } }, layer.InputWeights([], 0, absolute: true));
        var gate = Assert.Throws<ArgumentOutOfRangeException>(() => layer.InputWeights([], 1, true));
        Assert.Equal("gate", gate.ParamName);
        Assert.StartsWith("SelectOutput has one block", gate.Message);
        var config = new JsonObject();
        layer.WriteConfig(config);
        Assert.Equal("""{"index":2}""", config.ToJsonString());
    }

    [Fact]
    public void TheIndexMustBeAnInputOfTheLayerBefore()
    {
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => new SelectOutput(-1)).ParamName);
        Assert.Equal(0, Bound(0).ParameterCount);
        var e = Assert.Throws<ArgumentException>(() => new Sequential(2, [new Dense(2), new SelectOutput(2)]));
        Assert.StartsWith("layer 1 (SelectOutput) selects output 2, but the layer before it has 2", e.Message);
    }
}
