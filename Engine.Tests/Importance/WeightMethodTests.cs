using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>Connection weights and Garson against values computed by hand on a tiny network with chosen
/// weights.</summary>
public class WeightMethodTests
{
    // LSTM(2) on 2 inputs; kernel (2, 8), gate blocks i, f, c, o of 2 columns each. Candidate block W^c:
    //   [[-1, 4],
    //    [ 3, 0.5]]
    // The other blocks hold distinct values, so a method that reads the wrong block fails.
    private static readonly float[] Kernel =
    [
        //  i          f          c          o
        0.1f, 0.2f, 0.3f, 0.4f, -1f, 4f, 0.5f, 0.6f,
        0.7f, -0.8f, 0.9f, 1.0f, 3f, 0.5f, 1.1f, 1.2f,
    ];

    // Head v = [2, -1]: either a Dense(1) kernel, or the candidate column of an LSTM(1) (its kernel (2, 4)).
    private static Sequential Network(bool lstmHead)
    {
        Layer head = lstmHead ? new Lstm(1, Activation.Tanh, returnSequences: true) : new Dense(1, Activation.Sigmoid);
        var model = new Sequential(2, [new Lstm(2, Activation.Tanh, returnSequences: true), head], flatten: true);
        model.Initialize(1);
        Kernel.CopyTo(model.Tensor(0, "kernel"));
        // LSTM(1) kernel (2, 4): row h = [i, f, c, o]
        float[] v = lstmHead ? [7f, 8f, 2f, 9f, -5f, -6f, -1f, -7f] : [2f, -1f];
        v.CopyTo(model.Tensor(1, "kernel"));
        return model;
    }

    private static ImportanceContext Context(Sequential model) => new()
    {
        Model = model, Inputs = new float[2 * 3 * 2], Targets = new float[2 * 3], Count = 2, Steps = 3,
        Loss = new BinaryCrossEntropy(),
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ConnectionWeightsEqualHandComputedValues(bool lstmHead)
    {
        var result = new ConnectionWeights().Compute(Context(Network(lstmHead)));
        // CW_1 = (-1)(2) + (4)(-1) = -6;  CW_2 = (3)(2) + (0.5)(-1) = 5.5; ranked by magnitude.
        Assert.Equal([-6.0, 5.5], result.Scores);
        Assert.Equal([1, 2], result.Ranks);
        // Gate-resolved: the i block [[0.1, 0.2], [0.7, -0.8]] gives 0.1*2 - 0.2 = 0 and 1.4 + 0.8 = 2.2.
        var gates = result.GateScores!;
        Assert.Equal(0.0, gates[0, 0], 6);
        Assert.Equal(2.2, gates[0, 1], 6); // float weights: 6 decimals
        Assert.Equal(-6.0, gates[2, 0]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GarsonEqualsHandComputedValues(bool lstmHead)
    {
        var result = new Garson().Compute(Context(Network(lstmHead)));
        // P = |W^c| |v| = [[2, 4], [6, 0.5]]; Q by column: [[2/8, 4/4.5], [6/8, 0.5/4.5]] = [[1/4, 8/9], [3/4, 1/9]];
        // S = [1/4 + 8/9, 3/4 + 1/9] = [41/36, 31/36]; RI = S / 2 = [41/72, 31/72].
        Assert.Equal(41.0 / 72, result.Scores[0], 12);
        Assert.Equal(31.0 / 72, result.Scores[1], 12);
        Assert.Equal([1, 2], result.Ranks);
        Assert.Equal(1.0, result.Scores.Sum(), 12);
    }

    [Fact]
    public void GarsonAllGatesSumsAbsoluteBlocks()
    {
        var result = new Garson { AllGates = true }.Compute(Context(Network(false)));
        // |i|+|f|+|c|+|o| = [[0.1+0.3+1+0.5, 0.2+0.4+4+0.6], [0.7+0.9+3+1.1, 0.8+1+0.5+1.2]] = [[1.9, 5.2], [5.7, 3.5]]
        double s1 = 1.9 / 7.6 + 5.2 / 8.7, s2 = 5.7 / 7.6 + 3.5 / 8.7;
        Assert.Equal(s1 / (s1 + s2), result.Scores[0], 6);
        Assert.Equal(s2 / (s1 + s2), result.Scores[1], 6);
    }

    [Fact]
    public void GarsonSkipsAUnitWithoutInputWeightsAndSaysWhichBlocks()
    {
        // Unit 2's candidate column set to 0: W^c = [[-1, 0], [3, 0]]. Its Q column is 0 / 0 and left out (not NaN):
        // Q = [[1/4, 0], [3/4, 0]], S = [1/4, 3/4], RI = S / 1.
        var model = Network(false);
        var kernel = model.Tensor(0, "kernel");
        kernel[5] = 0;
        kernel[13] = 0;
        var result = new Garson().Compute(Context(model));
        Assert.Equal(0.25, result.Scores[0], 12);
        Assert.Equal(0.75, result.Scores[1], 12);
        Assert.Equal("share of |W1c| x path", result.ScoreMeaning);
        Assert.Equal("share of |W1| (all gates) x path",
                     new Garson { AllGates = true }.Compute(Context(model)).ScoreMeaning);
        Assert.Equal("signed weight product W1c..v, ranked by |CW|",
                     new ConnectionWeights().Compute(Context(model)).ScoreMeaning);
    }

    [Fact]
    public void ADenseFirstLayerHasOneBlockAndNoGateScores()
    {
        // Dense(2) -> Dense(1) per step: W1 = [[1, -2], [3, 0.5]] (one block, no gates), head v = [2, -1].
        var model = new Sequential(2, [new Dense(2, Activation.Tanh), new Dense(1, Activation.Sigmoid)], flatten: true);
        model.Initialize(1);
        new[] { 1f, -2f, 3f, 0.5f }.CopyTo(model.Tensor(0, "kernel"));
        new[] { 2f, -1f }.CopyTo(model.Tensor(1, "kernel"));
        // CW = W1 v = [1 * 2 + (-2)(-1), 3 * 2 + 0.5 (-1)] = [4, 5.5].
        var cw = new ConnectionWeights().Compute(Context(model));
        Assert.Equal([4.0, 5.5], cw.Scores);
        Assert.Null(cw.GateScores);
        // Garson: |W1| columns [1, 3] -> Q = [1/4, 3/4], [2, 0.5] -> [0.8, 0.2]; S = [1.05, 0.95]; RI = S / 2. The
        // one block is the value block, with or without AllGates.
        foreach (var garson in new[] { new Garson(), new Garson { AllGates = true } })
        {
            var result = garson.Compute(Context(model));
            Assert.Equal(0.525, result.Scores[0], 12);
            Assert.Equal(0.475, result.Scores[1], 12);
            Assert.Null(result.GateScores);
        }
    }
}
