using Engine.Kernels;
using Engine.Layers;
using Engine.Random;
using Engine.Tests.Reference;
using Engine.Tests.Threading;
using Xunit;

namespace Engine.Tests.Layers;

/// <summary>
/// The LSTM's general path (<see cref="LstmGemmPath"/>, more than 16 units) against the double reference: outputs and
/// every gradient by central differences, below and from <see cref="LstmGemmPath.StepwiseBatch"/>, with and without
/// return_sequences; and its forward split by units between two threads (<see cref="LstmUnitSplit"/>) against the
/// reference and, bit for bit, against one thread. (The random properties over wide layers are slow and left out of
/// mutation runs; these are their deterministic core.)
/// </summary>
[Collection(nameof(WorkerTeamTests))]
public class LstmGeneralPathTests
{
    private static NetworkCase Case(int units, int batch, bool sequences, ulong seed)
    {
        const int steps = 3, features = 2;
        RecurrentSpec[] lstm = [new LstmSpec(units, Activation.Tanh, Activation.Sigmoid, sequences)];
        var head = new DenseSpec(2, Activation.Linear);
        var net = new ReferenceNetwork(features, lstm, head);
        var rng = new RandomSource(seed);
        float[] Draw(int n, float r) { var v = new float[n]; rng.FillUniform(v, -r, r); return v; }
        return new NetworkCase(batch, steps, features, lstm, head, false, Draw(net.ParameterCount, 0.4f),
                               Draw(batch * steps * features, 1.5f), LossKind.WeightedSum,
                               Draw(batch * net.OutputsPerSeries(steps), 1f));
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(2, false)]
    [InlineData(8, true)]
    [InlineData(9, false)]
    public void OutputsAndGradientsMatchTheReference(int batch, bool sequences)
    {
        var c = Case(17, batch, sequences, (ulong)(batch * 2 + (sequences ? 1 : 0)));
        Assert.True(c.BuildModel().Layers[0] is Lstm, "an LSTM first");
        var result = GradientCheck.Run(c);
        Assert.True(result.Passed, $"{c}\n{result.Failures}");
    }

    /// <summary>N H 4H = 32 768 multiply-adds per step and more: the forward pass splits the units between two
    /// threads.</summary>
    [Theory]
    [InlineData(2, true)]
    [InlineData(8, false)]
    public void TheForwardSplitByUnitsMatchesTheReferenceAndOneThread(int batch, bool sequences)
    {
        var c = Case(64, batch, sequences, 40);
        var expected = c.Reference.Forward(GradientCheck.ToDouble(c.Parameters), GradientCheck.ToDouble(c.Input),
                                           c.Batch, c.Steps);
        (float[] Output, float[] DInput, float[] Gradients) Run()
        {
            var model = c.BuildModel();
            var output = new float[expected.Length];
            model.Forward(output, c.Input, c.Batch, c.Steps);
            var dInput = new float[c.Input.Length];
            model.Backward(dInput, c.Target);
            return (output, dInput, model.Gradients.ToArray());
        }
        var split = ThreadSetting.With(2, Run);
        var alone = Run();
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(split.Output[k] - expected[k]) <= 1e-5 * (1 + Math.Abs(expected[k])),
                        $"output[{k}]: engine {split.Output[k]:R}, reference {expected[k]:R}");
        Assert.Equal(alone.Output, split.Output);
        Assert.Equal(alone.DInput, split.DInput);
        Assert.Equal(alone.Gradients, split.Gradients);
    }
}
