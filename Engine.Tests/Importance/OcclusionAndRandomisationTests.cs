using Engine.Importance;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Random;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>Occlusion of step x feature cells, and Olden &amp; Jackson's randomisation test for connection
/// weights.</summary>
public class OcclusionAndRandomisationTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void OcclusionMapSumsToTheScoreAndEachCellIsTheMeanSeriesLossChange(bool lastStep, bool zeroBaseline)
    {
        var model = Fixtures.Model(31, lastStep);
        var context = Fixtures.Context(model, 32, count: 9);
        var result = new Occlusion { ZeroBaseline = zeroBaseline }.Compute(context);
        Assert.Equal($"sum over steps of mean |change in binary_crossentropy|, cell = {(zeroBaseline ? "0" : "mean")}",
                     result.ScoreMeaning);
        var map = result.TimeMap!;
        int features = context.Features, steps = context.Steps, outputs = context.OutputsPerSeries;
        for (int i = 0; i < features; i++)
        {
            double sum = 0;
            for (int t = 0; t < steps; t++) sum += map[t, i];
            Assert.Equal(result.Scores[i], sum);
        }
        // Written out for every cell: mean over series of |L_n(x') - L_n(x)|, L_n = the loss over series n's outputs.
        var means = zeroBaseline ? new float[features] : context.Means();
        var y = new float[context.Count * outputs];
        model.Predict(y, context.Inputs, context.Count, steps);
        for (int t = 0; t < steps; t++)
            for (int i = 0; i < features; i++)
            {
                var x = (float[])context.Inputs.Clone();
                for (int n = 0; n < context.Count; n++) x[(n * steps + t) * features + i] = means[i];
                var occluded = new float[y.Length];
                model.Predict(occluded, x, context.Count, steps);
                double expected = 0;
                for (int n = 0; n < context.Count; n++)
                {
                    var target = context.Targets.AsSpan(n * outputs, outputs);
                    expected += Math.Abs(context.Loss.Value(occluded.AsSpan(n * outputs, outputs),
                                                            target) - context.Loss.Value(y.AsSpan(n * outputs, outputs),
                                                                                         target)) / context.Count;
                }
                Assert.Equal(expected, map[t, i], 1e-6 * (1 + expected));
            }
        Assert.Equal(lastStep, result.LagMap is null);
    }

    [Fact]
    public void OcclusionWithOneAndTwoThreadsIsIdentical()
    {
        var context = Fixtures.Context(Fixtures.Model(41, relu: true), 42, count: 30);
        var one = new Occlusion().Compute(context);
        var two = new Occlusion().Compute(context with { Threads = 2 });
        Assert.Equal(one.Scores, two.Scores);
        Assert.Equal(one.TimeMap!.Cast<double>(), two.TimeMap!.Cast<double>());
        Assert.Equal(one.LagMap!.Cast<double>(), two.LagMap!.Cast<double>());
        Assert.Equal(one.Note, two.Note);
    }

    [Fact]
    public void PValuesCountNullsAtLeastAsLargeInMagnitude()
    {
        var p = ConnectionWeightsTest.PValues([2.0, -1.0, 0.0], [[1.0, -3.0, 0.5], [-2.0, 0.5, -0.1], [0.5, 1.0, 0.0]]);
        Assert.Equal([2.0 / 4, 3.0 / 4, 4.0 / 4], p);
    }

    // A stand-in for retraining on permuted targets: a fresh random network per seed (deterministic, instant).
    private static Retrainer RandomNetworks(bool lastStep) => (features, seed) =>
        Fixtures.Model(seed, lastStep, features: features.Length);

    [Fact]
    public void RandomisationTestPValuesAreMultiplesOfOneOverRPlusOneAndOneForAZeroRow()
    {
        // Several weight draws and both output shapes: every p is k/(R+1) with k in 1..R+1, the same with 1 or 2
        // threads,
        // and a feature whose first-layer kernel row is zero has observed CW = 0, which every null |CW| reaches: p = 1.
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(6),
                          Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(),
                                      Gen.Choose(0, Fixtures.Features - 1).ToArbitrary(),
                                      Gen.Elements(false, true).ToArbitrary(),
            (seed, z, lastStep) =>
            {
                const int networks = 7;
                var model = Fixtures.Model((ulong)seed, lastStep);
                Fixtures.ZeroInputRow(model, z);
                var context = Fixtures.Context(model, (ulong)seed) with { RetrainPermuted = RandomNetworks(lastStep) };
                var method = new ConnectionWeightsTest { Networks = networks };
                var result = method.Compute(context);
                var twoThreads = method.Compute(context with { Threads = 2 });
                Assert.Equal(result.Features.Select(f => f.P), twoThreads.Features.Select(f => f.P));
                Assert.Equal(new ConnectionWeights().Compute(context).Scores, result.Scores);
                foreach (var f in result.Features)
                {
                    double p = f.P!.Value, k = p * (networks + 1);
                    Assert.InRange(p, 1.0 / (networks + 1), 1.0);
                    Assert.Equal(Math.Round(k), k, 9);
                }
                Assert.Equal(1.0, result.Features[z].P);
            }));
    }

    [Fact]
    public void RandomisationTestNeedsAWayToTrainOnPermutedTargets()
    {
        var context = Fixtures.Context(Fixtures.Model(1), 1);
        var e = Assert.Throws<InvalidOperationException>(() => new ConnectionWeightsTest().Compute(context));
        Assert.Contains("RetrainPermuted", e.Message);
        var runner = Assert.Throws<ArgumentException>(() =>
            ImportanceRunner.Run(context, ImportanceMethods.Create(["connection-weights-test"])));
        Assert.Contains("permuted targets", runner.Message);
    }

    [Fact]
    public void PermuteSeriesMovesWholeRows()
    {
        var values = Enumerable.Range(0, 12).Select(v => (float)v).ToArray(); // 4 series x 3 targets
        var permuted = Retrainers.PermuteSeries(values, 4, new RandomSource(3));
        Assert.NotEqual(values, permuted);
        Assert.Equal(values, permuted.Order());
        for (int n = 0; n < 4; n++)
        {
            int row = (int)permuted[n * 3] / 3;
            Assert.Equal(values.AsSpan(row * 3, 3).ToArray(), permuted.AsSpan(n * 3, 3).ToArray());
        }
        Assert.Equal(permuted, Retrainers.PermuteSeries(values, 4, new RandomSource(3)));
    }

    [Fact]
    public void RandomisationTestFindsTheFeatureTheTargetIsMadeOf()
    {
        // y_t = 1 when x1_t > 0.5, x2 is noise. A small LSTM trained on it against 9 trained on permuted targets:
        // x1's |CW| beats every null network, p = 1/10, the smallest possible.
        const int count = 64, steps = 3, features = 2, networks = 9;
        var rng = new RandomSource(5);
        var x = new float[count * steps * features];
        rng.FillUniform(x);
        var y = new float[count * steps];
        for (int j = 0; j < y.Length; j++) y[j] = x[j * features] > 0.5f ? 1f : 0f;
        static Sequential Build(int width, ulong seed)
        {
            var model = new Sequential(width,
                                       [new Lstm(4, Engine.Kernels.Activation.Tanh, returnSequences: true),
                                        new Dense(1, Engine.Kernels.Activation.Sigmoid)], flatten: true);
            model.Initialize(seed);
            return model;
        }
        Retrainer Train(bool permute) =>
            Retrainers.FromArrays(Build, x, y, count, steps, features, new BinaryCrossEntropy(), epochs: 40,
                                  batchSize: 8, learningRate: 0.01f, permuteTargets: permute);
        var observed = Train(false)([0, 1], 17);
        var context = new ImportanceContext
        {
            Model = observed, Inputs = x, Targets = y, Count = count, Steps = steps, Loss = new BinaryCrossEntropy(),
            Seed = 3, Threads = 2,
            RetrainPermuted = Train(true),
        };
        var result = new ConnectionWeightsTest { Networks = networks }.Compute(context);
        Assert.True(new BinaryCrossEntropy().Value(Predict(observed, x, count, steps), y) < 0.3,
                    "the observed network should learn the target");
        Assert.Equal(1.0 / (networks + 1), result.Features[0].P);
        Assert.Equal(1, result.Features[0].Rank);
    }

    private static float[] Predict(Sequential model, float[] x, int count, int steps)
    {
        var y = new float[count * model.OutputsPerSeries(steps)];
        model.Predict(y, x, count, steps);
        return y;
    }
}
