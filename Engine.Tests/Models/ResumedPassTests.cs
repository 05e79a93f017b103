using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Random;
using Engine.Tests.Threading;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace Engine.Tests.Models;

/// <summary>
/// A forward pass resumed after a step from the recorded states of a full pass (<see cref="Sequential.PredictFrom"/>)
/// must give the full pass's predictions bit for bit, for every recurrent layer type and path; the methods that use it
/// (occlusion, input perturbation's maps) must give the maps they give with full passes.
/// </summary>
public class ResumedPassTests
{
    /// <summary>A model, a set of series, a batch size, and the step where a perturbation starts.</summary>
    public sealed record ResumeCase(int Kind, int Units, int Count, int BatchSize, int Steps, int Features, int Start,
                                    int Seed)
    {
        public override string ToString() =>
            $"kind {Kind} ({Kinds[Kind]}), units {Units}, N {Count} in batches of {BatchSize}, T {Steps}, " +
            $"F {Features}, start {Start}, seed {Seed}";
    }

    private static readonly string[] Kinds =
    [
        "LSTM general path, sequence", "LSTM small path, sequence", "LSTM of one unit (batch in lanes)",
        "GRU reset_after", "GRU reset_before", "LSTM general -> LSTM small -> Dense(1) sigmoid (W6)",
        "LSTM last step only -> Dense", "LSTM -> Dropout -> LastStep -> Dense",
    ];

    public static class Cases
    {
        public static Arbitrary<ResumeCase> ResumeCase() =>
            (from kind in Gen.Choose(0, Kinds.Length - 1)
             from units in Gen.Choose(1, 20)
             from count in Gen.Choose(1, 24)
             from batchSize in Gen.Choose(1, 24)
             from steps in Gen.Choose(2, 9)
             from features in Gen.Choose(1, 5)
             from start in Gen.Choose(1, steps - 1)
             from seed in Gen.Choose(0, 1000)
             select new ResumeCase(kind, units, count, batchSize, steps, features, start, seed)).ToArbitrary();
    }

    private static Sequential Build(ResumeCase c)
    {
        int small = Math.Min(c.Units, 16), general = 16 + c.Units;
        Layer[] layers = c.Kind switch
        {
            0 => [
                new Lstm(c.Units, returnSequences: true) { UseSequenceKernel = false }, new Dense(2, Activation.Tanh),
            ],
            1 => [new Lstm(Math.Max(2, small), Activation.Tanh, returnSequences: true), new Dense(1)],
            2 => [new Lstm(1, returnSequences: true), new Dense(1, Activation.Sigmoid)],
            3 => [new Gru(c.Units, returnSequences: true), new Dense(1)],
            4 => [new Gru(c.Units, returnSequences: true, resetAfter: false), new Dense(2)],
            5 => [new Lstm(general, returnSequences: true), new Lstm(small, returnSequences: true),
                  new Dense(1, Activation.Sigmoid)],
            6 => [new Lstm(small), new Dense(3, Activation.Sigmoid)],
            _ => [new Lstm(c.Units, returnSequences: true), new Dropout(0.3), new LastStep(), new Dense(1)],
        };
        var model = new Sequential(c.Features, layers, flatten: c.Kind == 5);
        model.Initialize((ulong)c.Seed);
        return model;
    }

    // The series, and a copy perturbed from step start on (step start in every series, a later step in some).
    private static (float[] X, float[] Perturbed) Inputs(ResumeCase c)
    {
        var x = new float[c.Count * c.Steps * c.Features];
        new RandomSource((ulong)c.Seed + 1).FillUniform(x);
        var perturbed = (float[])x.Clone();
        var noise = new RandomSource((ulong)c.Seed + 2);
        for (int n = 0; n < c.Count; n++)
            for (int t = c.Start; t < c.Steps; t++)
                for (int f = 0; f < c.Features; f++)
                    if (t == c.Start || noise.NextDouble() < 0.3)
                        perturbed[(n * c.Steps + t) * c.Features + f] += (float)noise.NextGaussian();
        return (x, perturbed);
    }

    [Property(Arbitrary = [typeof(Cases)], MaxTest = 200)]
    public void AResumedPassPredictsWhatTheFullPassDoesBitForBit(ResumeCase c)
    {
        var model = Build(c);
        var (x, perturbed) = Inputs(c);
        int perOut = model.OutputsPerSeries(c.Steps);
        var recorded = new float[c.Count * perOut];
        var states = new float[c.Count * (c.Steps - 1) * model.StateSize];
        model.PredictRecording(recorded, states, x, c.Count, c.Steps, c.BatchSize);
        var expectedRecorded = new float[recorded.Length];
        model.Predict(expectedRecorded, x, c.Count, c.Steps, c.BatchSize);
        Assert.Equal(expectedRecorded, recorded);

        var full = new float[recorded.Length];
        model.Predict(full, perturbed, c.Count, c.Steps, c.BatchSize);
        var pass = RecordedPass.Record(model, x, c.Count, c.Steps, c.BatchSize)!;
        Assert.Equal(states, pass.States);
        var resumed = new float[recorded.Length];
        model.PredictFrom(resumed, perturbed, pass, c.Start);
        Assert.Equal(full, resumed);
        // not vacuous: the perturbation changes the outputs, and batches whose rows group whole resume at start
        Assert.NotEqual(recorded, full);
        for (int n0 = 0; n0 < c.Count; n0 += c.BatchSize)
        {
            int b = Math.Min(c.BatchSize, c.Count - n0);
            if (b % GemmPacked.MicroRows == 0 && (c.Steps - c.Start) * b >= 16)
                Assert.Equal(c.Start, model.ResumeStep(b, c.Steps, c.Start));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TheLstmPathsResumeAtEveryStepOfAnAlignedBatch(int threads)
    {
        // LSTM 64 over 16 series: with two threads the general path splits its units (LstmUnitSplit); LSTM 16: the
        // small path's row layout; LSTM 1: its batch-in-lanes layout.
        const int count = 16, steps = 7, features = 3;
        var model = new Sequential(features, [
            new Lstm(64, returnSequences: true), new Lstm(16, returnSequences: true),
            new Lstm(1, returnSequences: true),
            new Dense(1, Activation.Sigmoid),
        ]);
        model.Initialize(5);
        var x = new float[count * steps * features];
        new RandomSource(6).FillUniform(x);
        ThreadSetting.With(threads, () =>
        {
            var pass = RecordedPass.Record(model, x, count, steps)!;
            Assert.IsType<LstmGemmPath>(((Lstm)model.Layers[0]).LastPath);
            if (LstmSequence.Supported(16)) Assert.IsType<LstmSmallPath>(((Lstm)model.Layers[1]).LastPath);
            for (int start = 1; start < steps; start++)
            {
                Assert.Equal(start, model.ResumeStep(count, steps, start));
                var perturbed = (float[])x.Clone();
                for (int n = 0; n < count; n++) perturbed[(n * steps + start) * features + 1] += 0.5f;
                var full = new float[count * steps];
                model.Predict(full, perturbed, count, steps);
                var resumed = new float[full.Length];
                model.PredictFrom(resumed, perturbed, pass, start);
                Assert.Equal(full, resumed);
                Assert.NotEqual(pass.Predictions, full);
            }
            return 0;
        });
    }

    [Fact]
    public void ADenseHeadKeepsThePathOfTheFullPassesProduct()
    {
        // 9 steps x 256 series x 16 inputs x 1 output: the full pass's product is packed (GemmPacked); the last step's
        // 256 rows alone would take the row loop (a dot product per row), which rounds otherwise.
        const int count = 256, steps = 9, features = 2;
        var model = new Sequential(features, [new Lstm(16, returnSequences: true), new Dense(1, Activation.Sigmoid)]);
        model.Initialize(12);
        Assert.True((long)steps * count * 16 >= GemmPacked.PackThreshold);
        Assert.True((long)count * 16 < GemmPacked.PackThreshold);
        var x = new float[count * steps * features];
        new RandomSource(13).FillUniform(x);
        var pass = RecordedPass.Record(model, x, count, steps)!;
        var perturbed = (float[])x.Clone();
        for (int n = 0; n < count; n++) perturbed[(n * steps + steps - 1) * features] -= 0.25f;
        var full = new float[count * steps];
        model.Predict(full, perturbed, count, steps);
        var resumed = new float[full.Length];
        model.PredictFrom(resumed, perturbed, pass, steps - 1);
        Assert.Equal(full, resumed);
    }

    [Fact]
    public void TheGeneralLstmPathResumesASmallBatchOnlyAtWholeGroupsOfRows()
    {
        // One series, 9 steps, 8 inputs: X W over all 9 rows is a group of 8 rows and a last row alone (GemmPacked's
        // one-row kernel sums four partial accumulators; 8-row groups with 512-bit vectors, 6 with 256 or 128); resumed
        // at step s < 8 the rest would be one group of 9 - s, with another rounding of the last row. So the pass
        // resumes only at whole groups of rows (step 8), and runs in full before.
        const int count = 1, steps = 9, features = 8;
        var model = new Sequential(features, [new Lstm(4, returnSequences: true) { UseSequenceKernel = false }]);
        model.Initialize(14);
        var x = new float[count * steps * features];
        new RandomSource(15).FillUniform(x, -2f, 2f);
        var pass = RecordedPass.Record(model, x, count, steps)!;
        for (int start = 1; start < steps; start++)
        {
            var perturbed = (float[])x.Clone();
            for (int t = start; t < steps; t++) perturbed[t * features + 3] += 0.75f;
            var full = new float[count * steps * 4];
            model.Predict(full, perturbed, count, steps);
            var resumed = new float[full.Length];
            model.PredictFrom(resumed, perturbed, pass, start);
            Assert.Equal(full, resumed);
            Assert.Equal(start / GemmPacked.MicroRows * GemmPacked.MicroRows, model.ResumeStep(count, steps, start));
        }
    }

    [Fact]
    public void ABidirectionalModelCannotResumeAndTheMethodsRunFullPasses()
    {
        const int count = 20, steps = 5, features = 3;
        var model = new Sequential(features, [new Bidirectional(new Lstm(4, returnSequences: true)), new Dense(1)]);
        model.Initialize(7);
        var x = new float[count * steps * features];
        new RandomSource(8).FillUniform(x);
        Assert.False(model.CanResume);
        Assert.Equal(0, model.ResumeStep(8, steps, 2));
        Assert.Null(RecordedPass.Record(model, x, count, steps));
        var y = new float[count * steps];
        new RandomSource(9).FillUniform(y);
        var context = new ImportanceContext
        {
            Model = model, Inputs = x, Targets = y, Count = count, Steps = steps, Loss = new MeanSquaredError(),
            Threads = 1,
        };
        // occlusion's map against its definition with full passes: cell (t, i) = mean_n |L_n(x') - L_n(x)|
        var map = new Occlusion { ZeroBaseline = true }.Compute(context).TimeMap!;
        var reference = SeriesLosses(model, x, y, count, steps);
        for (int t = 0; t < steps; t++)
            for (int i = 0; i < features; i++)
            {
                var occluded = (float[])x.Clone();
                for (int n = 0; n < count; n++) occluded[(n * steps + t) * features + i] = 0;
                var losses = SeriesLosses(model, occluded, y, count, steps);
                double mean = 0;
                for (int n = 0; n < count; n++) mean += Math.Abs(losses[n] - reference[n]) / count;
                Assert.Equal(mean, map[t, i], 1e-12);
            }
    }

    // Each series' mean squared error, in double.
    private static double[] SeriesLosses(Sequential model, float[] x, float[] y, int count, int steps)
    {
        var p = new float[y.Length];
        model.Predict(p, x, count, steps);
        var losses = new double[count];
        for (int j = 0; j < p.Length; j++)
        {
            float d = p[j] - y[j];
            losses[j / steps] += d * d / (double)steps; // MeanSquaredError's element loss, a float square
        }
        return losses;
    }

    // W6's layers over fewer steps and features; 300 series make batches of 256 and 44 (44 x an odd step is not a
    // whole number of 8-row groups: those batches resume a step earlier).
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void OcclusionAndInputPerturbationMapsAreThoseOfFullPasses(int threads)
    {
        const int count = 300, steps = 6, features = 4;
        var model = new Sequential(features, [
            new Lstm(32, returnSequences: true), new Lstm(16, returnSequences: true), new Dense(1, Activation.Sigmoid),
        ], flatten: true);
        model.Initialize(3);
        var x = new float[count * steps * features];
        new RandomSource(4).FillUniform(x);
        var y = new float[count * steps];
        for (int j = 0; j < y.Length; j++) y[j] = x[j * features % x.Length] > 0.5f ? 1 : 0;
        var context = new ImportanceContext
        {
            Model = model, Inputs = x, Targets = y, Count = count, Steps = steps, Loss = new BinaryCrossEntropy(),
            Threads = threads, Repeats = 2, Seed = 11,
        };
        Assert.NotNull(RecordedPass.Record(model, x, count, steps));
        Assert.True(model.ResumeStep(44, steps, 5) < 5); // 44 x 5 rows are not whole groups of 8 (or 6): earlier
        ImportanceResult[] Run() =>
        [
            new Occlusion().Compute(context), new InputPerturbation { TimeResolved = true }.Compute(context),
        ];
        var resumed = Run();
        var full = WithFullPasses(Run);
        for (int m = 0; m < full.Length; m++)
        {
            Assert.Equal(full[m].Scores, resumed[m].Scores);
            Assert.Equal(full[m].TimeMap, resumed[m].TimeMap);
            Assert.Equal(full[m].LagMap, resumed[m].LagMap);
            Assert.Equal(full[m].Note, resumed[m].Note);
        }
    }

    [Fact]
    public void LagWindowMethodsGiveTheScoresOfFullPasses()
    {
        // Lag windows: each output step's copy changes only its window's steps, so its pass resumes at the window.
        const int count = 40, steps = 6, features = 3;
        var model = new Sequential(features, [
            new Lstm(32, returnSequences: true), new Lstm(16, returnSequences: true), new Dense(1, Activation.Sigmoid),
        ]);
        model.Initialize(16);
        var x = new float[count * steps * features];
        new RandomSource(17).FillUniform(x);
        var y = new float[count * steps];
        for (int j = 0; j < y.Length; j++) y[j] = x[j * features] + x[j * features + 2] > 1 ? 1 : 0;
        var context = new ImportanceContext
        {
            Model = model, Inputs = x, Targets = y, Count = count, Steps = steps, Loss = new BinaryCrossEntropy(),
            Threads = 2, Repeats = 2, Seed = 18, Groups = FeatureGroups.Lags("0,1-2", steps, ["a", "b", "c"]),
        };
        Assert.NotNull(RecordedPass.Record(model, x, count, steps));
        ImportanceResult[] Run() =>
        [
            new Occlusion().Compute(context), new Permutation().Compute(context),
            new InputPerturbation().Compute(context), new ImprovedStepwise(true).Compute(context),
        ];
        var resumed = Run();
        var full = WithFullPasses(Run);
        for (int m = 0; m < full.Length; m++)
        {
            Assert.Equal(full[m].Scores, resumed[m].Scores);
            Assert.Equal(full[m].Note, resumed[m].Note);
        }
    }

    private static readonly object Gate = new();

    // run() with resumed passes off (RecordedPass.Enabled is process-wide: one test at a time turns it off).
    private static T WithFullPasses<T>(Func<T> run)
    {
        lock (Gate)
        {
            RecordedPass.Enabled = false;
            try { return run(); }
            finally { RecordedPass.Enabled = true; }
        }
    }
}
