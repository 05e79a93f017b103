using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// The gradient methods share work between output steps (one forward pass per batch for a group of outputs' backward
/// passes): their numbers must be those of one pass per output over every series, bit for bit.
/// </summary>
public class SharedPassTests
{
    // W6's layer sizes (LSTM 32: the GEMM path; LSTM 16: the small-layer path) over fewer steps and features.
    private static Sequential W6Like(int features)
    {
        var model = new Sequential(features, [
            new Lstm(32, Activation.Tanh, Activation.Sigmoid, returnSequences: true),
            new Lstm(16, Activation.Tanh, Activation.Sigmoid, returnSequences: true),
            new Dense(1, Activation.Sigmoid),
        ], flatten: true);
        model.Initialize(3);
        return model;
    }

    private static float[] Series(int count, int steps, int features, ulong seed)
    {
        var x = new float[count * steps * features];
        new RandomSource(seed).FillUniform(x);
        return x;
    }

    // A series' gradients depend on the size of the batch it runs in (the kernels' paths do), so the methods keep the
    // batches of one pass over the whole set (256 series); 300 series make two blocks. The buffer sizes make groups of
    // every output step (4M doubles), of 2, 2 and 2 (40000 / (2 x 256 x 30) = 2) and of one step each.
    [Theory]
    [InlineData(1, 1L << 22)]
    [InlineData(2, 1L << 22)]
    [InlineData(2, 40000L)]
    [InlineData(1, 1L)]
    public void IntegratedGradientsMapsAreThoseOfOnePassPerOutputStep(int threads, long bufferValues)
    {
        const int steps = 6, features = 5, count = 300;
        var model = W6Like(features);
        var x = Series(count, steps, features, 2);
        var context = new ImportanceContext
        {
            Model = model, Inputs = x, Count = count, Steps = steps, Loss = new Engine.Losses.BinaryCrossEntropy(),
            Threads = threads,
        };
        var ig = new IntegratedGradients { Steps = 4, MaxSteps = 4, BufferValues = bufferValues };
        var result = ig.Compute(context);
        // The method's definition, one output step at a time over every series, reduced as the class notes say.
        var baseline = ig.Baseline(context);
        int per = steps * features;
        var total = new double[x.Length];
        var lag = new double[steps, features];
        for (int tau = 0; tau < steps; tau++)
        {
            var weights = new float[steps];
            weights[tau] = 1;
            var a = IntegratedGradients.Attributions(model, x, baseline, count, steps, 4, weights);
            for (int j = 0; j < a.Length; j++) total[j] += a[j];
            for (int n = 0; n < count; n++)
                for (int t = 0; t <= tau; t++)
                    for (int i = 0; i < features; i++)
                        lag[tau - t, i] += Math.Abs(a[n * per + t * features + i]) / count;
        }
        // The time map comes from the summed output's attributions (one backward pass per point): bit for bit
        // those of Attributions, and the sum of each step's attributions up to float rounding (linearity).
        var summed = IntegratedGradients.Attributions(model, x, baseline, count, steps, 4);
        var time = new double[steps, features];
        for (int n = 0; n < count; n++)
            for (int t = 0; t < steps; t++)
                for (int i = 0; i < features; i++) time[t, i] += Math.Abs(summed[n * per + t * features + i]) / count;
        Assert.Equal(time, result.TimeMap);
        for (int j = 0; j < x.Length; j++) Assert.Equal(total[j], summed[j], 2e-6 * Math.Max(1e-2, Math.Abs(total[j])));
        // The lag map is summed over blocks of series: equal up to the order of a sum of positive terms.
        for (int k = 0; k < steps; k++)
            for (int i = 0; i < features; i++)
                Assert.Equal(lag[k, i], result.LagMap![k, i], 1e-12 * Math.Max(1, lag[k, i]));
    }

    // Models whose backward may stop at the output step: W6's sizes, the reference model (relu, an LSTM(1) head on the
    // small path's one-unit layout), and a one-unit Dense head on a relu LSTM with hard-sigmoid gates.
    // Batches that are not a multiple of 8 run the full backward pass (the small path's dx blocks rows by 8).
    public static TheoryData<int, int> PrefixCases() =>
        new() { { 0, 256 }, { 0, 16 }, { 0, 5 }, { 1, 256 }, { 1, 8 }, { 2, 24 }, { 2, 9 } };

    private static Sequential PrefixModel(int which, int features) => which switch
    {
        0 => W6Like(features),
        1 => Build(3, new Lstm(10, Activation.Relu, Activation.Sigmoid, returnSequences: true),
                   new Lstm(5, Activation.Relu, Activation.Sigmoid, returnSequences: true),
                   new Lstm(1, Activation.Sigmoid, Activation.Sigmoid, returnSequences: true)),
        _ => Build(features, new Lstm(7, Activation.Relu, Activation.HardSigmoid, returnSequences: true),
                   new Dense(1, Activation.Sigmoid)),
    };

    private static Sequential Build(int features, params Layer[] layers)
    {
        var model = new Sequential(features, layers, flatten: true);
        model.Initialize(5);
        return model;
    }

    [Theory]
    [MemberData(nameof(PrefixCases))]
    public void BackwardStoppedAtTheOutputStepGivesTheFullPassGradientsBitForBit(int which, int count)
    {
        var model = PrefixModel(which, 5);
        int features = model.InputFeatures, steps = 7, perOut = model.OutputsPerSeries(steps);
        Assert.Equal(count % 8 == 0, model.CanBackwardPrefix(count));
        var x = Series(count, steps, features, 4);
        var full = model.Clone();
        var output = new float[count * perOut];
        full.Forward(output, x, count, steps);
        for (int p = 0; p < perOut; p++)
        {
            var dOutput = new float[count * perOut];
            for (int n = 0; n < count; n++) dOutput[n * perOut + p] = 1;
            var expected = new float[x.Length];
            full.Backward(expected, dOutput);
            var actual = PartialDerivatives.Jacobian(model, x, count, steps, p);
            Assert.Equal(expected, actual);
            // Causal: nothing after the output's step.
            for (int n = 0; n < count; n++)
                for (int j = (p / model.OutputUnits + 1) * features; j < steps * features; j++)
                    Assert.Equal(0f, actual[n * steps * features + j]);
        }
    }

    [Fact]
    public void OnlyCausalOneUnitHeadsStopEarly()
    {
        Assert.False(Build(3, new Lstm(4, Activation.Tanh, Activation.Sigmoid, returnSequences: true),
                           new Dense(2, Activation.Sigmoid)).CanBackwardPrefix(8));
        Assert.False(Build(3,
                           new Bidirectional(new Lstm(4, Activation.Tanh, Activation.Sigmoid, returnSequences: true)),
                           new Dense(1, Activation.Sigmoid))
            .CanBackwardPrefix(8));
        Assert.True(Build(3, new Lstm(4, Activation.Tanh, Activation.Sigmoid, returnSequences: true),
                          new Dense(1, Activation.Sigmoid)).CanBackwardPrefix(8));
    }
}
