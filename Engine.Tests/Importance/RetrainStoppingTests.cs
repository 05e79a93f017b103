using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Optimizers;
using Engine.Random;
using Engine.Training;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// Early stopping of the stepwise retrainings (<see cref="RetrainStopping"/>): each retraining is replayed by hand
/// (the split computed here from the seed, the engine's Trainer run for every epoch on the training series, the
/// held-out losses recorded), the stop epoch read off that loss sequence with Keras' rule, and the retrainer must stop
/// there and return the best epoch's parameters bit for bit.
/// </summary>
public class RetrainStoppingTests
{
    private const int Count = 40, Steps = 4, Features = 3, Batch = 8, Epochs = 30, Patience = 3;
    private const ulong SplitSeed = 11;
    private const float Rate = 0.02f;

    // y = 1 where the mean of feature 0 is positive; the first held-out series has its target flipped, so the held-out
    // loss falls while the rule is learned and rises as the predictions grow confident.
    private static (float[] X, float[] Y) Data()
    {
        var x = new float[Count * Steps * Features];
        new RandomSource(5).FillUniform(x, -1f, 1f);
        var y = new float[Count];
        var held = HeldOut();
        for (int n = 0; n < Count; n++)
        {
            float sum = 0;
            for (int t = 0; t < Steps; t++) sum += x[(n * Steps + t) * Features];
            int k = Array.IndexOf(held, n);
            y[n] = (sum > 0) != (k == 0) ? 1f : 0f;
        }
        return (x, y);
    }

    // The split written out: shuffle 0..39 by new RandomSource(SplitSeed) (Fisher-Yates, as RandomSource.Shuffle),
    // hold out the first round(0.2 x 40) = 8, ascending.
    private static int[] HeldOut()
    {
        var order = Enumerable.Range(0, Count).ToArray();
        new RandomSource(SplitSeed).Shuffle<int>(order);
        return order[..8].Order().ToArray();
    }

    private static Sequential Build(int width, ulong seed)
    {
        var model = new Sequential(width, [new Lstm(5), new Dense(1, Activation.Sigmoid)]);
        model.Initialize(seed);
        return model;
    }

    // The rows `series` of (N, per) values.
    private static float[] Rows(float[] values, int per, int[] series) =>
        series.SelectMany(n => values.Skip(n * per).Take(per)).ToArray();

    // The columns `subset` of (rows, F) values.
    private static float[] Columns(float[] values, int[] subset) =>
        Enumerable.Range(0, values.Length / Features).SelectMany(r => subset.Select(i => values[r * Features + i]))
            .ToArray();

    // The retraining replayed for every epoch: each epoch's held-out loss and parameters.
    private static (float[] Losses, float[][] Parameters) Replay(float[] x, float[] y, int[] subset, ulong seed,
                                                                 float[]? validationX = null)
    {
        var held = HeldOut();
        var train = Enumerable.Range(0, Count).Except(held).ToArray();
        var model = Build(subset.Length, seed);
        var source = new ArrayBatchSource(Columns(Rows(x, Steps * Features, train), subset), Rows(y, 1, train),
                                          train.Length, Steps, subset.Length, 1, Batch, seed);
        var trainer = new Trainer(model, new BinaryCrossEntropy(), new Adam(Rate));
        var parameters = new List<float[]>();
        trainer.OnEpoch = _ => parameters.Add((float[])model.Parameters.Clone());
        var history = trainer.Fit(source, Epochs, source.StepsPerEpoch,
            new ValidationSet(Columns(Rows(validationX ?? x, Steps * Features, held), subset), Rows(y, 1, held),
                              held.Length));
        return (history.Select(e => e.ValidationLoss).ToArray(), parameters.ToArray());
    }

    // Keras' rule on a loss sequence: the first epoch e > 1 that is `patience` epochs past the lowest loss so far
    // (the earliest of equal ones); the last epoch when none. Returns (stop, best).
    private static (int Stop, int Best) StopEpoch(float[] losses, int patience)
    {
        int best = 1;
        for (int e = 1; e <= losses.Length; e++)
        {
            if (losses[e - 1] < losses[best - 1]) best = e;
            if (e > 1 && e - best >= patience) return (e, best);
        }
        return (losses.Length, best);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2 }, 17UL)]
    [InlineData(new[] { 0 }, 17UL)]
    [InlineData(new[] { 1, 2 }, 23UL)]
    public void StopsWhereTheHeldOutLossesSayWithTheSameSplitForEverySubset(int[] subset, ulong seed)
    {
        var (x, y) = Data();
        var (losses, parameters) = Replay(x, y, subset, seed);
        var (stop, best) = StopEpoch(losses, Patience);
        Assert.True(stop < Epochs && best > 1, "the held-out loss must fall, then rise: " + string.Join(", ", losses));
        var tally = new RetrainingTally();
        var retrain = Retrainers.FromArrays(Build, x, y, Count, Steps, Features, new BinaryCrossEntropy(), Epochs,
                                            Batch, Rate, stopping: new RetrainStopping(Patience, SplitSeed),
                                            tally: tally);
        var model = retrain(subset, seed);
        Assert.Equal((1L, (long)stop, (long)Epochs, (long)stop * 4), (tally.Trainings, tally.Epochs,
                                                                     tally.ScheduledEpochs, tally.Steps));
        Assert.Equal(parameters[best - 1], model.Parameters);
    }

    [Fact]
    public void TheMaskedRetrainerZeroesTheWindowInTheHeldOutSeriesToo()
    {
        // Feature 0, the one the target is made of, at lags 0..2 (the last three steps) removed: the replay trains and
        // validates on inputs with those cells zeroed by hand. The unmasked held-out losses would stop elsewhere.
        var (x, y) = Data();
        var zeroed = (float[])x.Clone();
        for (int n = 0; n < Count; n++)
            for (int t = Steps - 3; t < Steps; t++) zeroed[(n * Steps + t) * Features] = 0f;
        var (losses, parameters) = Replay(zeroed, y, [0, 1, 2], 31);
        var (stop, best) = StopEpoch(losses, Patience);
        var tally = new RetrainingTally();
        var retrain = Retrainers.MaskedFromArrays(Build, x, y, Count, Steps, Features, new BinaryCrossEntropy(), Epochs,
                                                  Batch, Rate, new RetrainStopping(Patience, SplitSeed), tally);
        var model = retrain([(0, new LagWindow(0, 2))], 31);
        Assert.Equal(stop, tally.Epochs);
        Assert.Equal(parameters[best - 1], model.Parameters);
        Assert.NotEqual((stop, best), StopEpoch(Replay(zeroed, y, [0, 1, 2], 31, validationX: x).Losses, Patience));
    }

    [Fact]
    public void WithoutStoppingEverySeriesTrainsEveryEpoch()
    {
        var (x, y) = Data();
        var tally = new RetrainingTally();
        var model = Retrainers.FromArrays(Build, x, y, Count, Steps, Features, new BinaryCrossEntropy(), 6, Batch,
                                          Rate, tally: tally)([0, 1, 2], 17);
        var replay = Build(Features, 17);
        var source = new ArrayBatchSource(x, y, Count, Steps, Features, 1, Batch, 17);
        new Trainer(replay, new BinaryCrossEntropy(), new Adam(Rate)).Fit(source, 6, source.StepsPerEpoch);
        Assert.Equal(replay.Parameters, model.Parameters);
        Assert.Equal((1L, 6L, 6L, 6L * 5), (tally.Trainings, tally.Epochs, tally.ScheduledEpochs, tally.Steps));
        Assert.Equal("1 trainings, 6 of 6 epochs run (100.0%), 30 steps", tally.ToString());
    }

    [Fact]
    public void StepwiseWithStoppingIsTheSameOnOneOrTwoThreads()
    {
        var (x, y) = Data();
        var tallies = new List<RetrainingTally>();
        ImportanceResult Run(int threads)
        {
            var tally = new RetrainingTally();
            tallies.Add(tally);
            var context = new ImportanceContext
            {
                Model = Build(Features, 1), Inputs = x, Targets = y, Count = Count, Steps = Steps,
                Loss = new BinaryCrossEntropy(), Seed = 9, Threads = threads,
                Retrain = Retrainers.FromArrays(Build, x, y, Count, Steps, Features, new BinaryCrossEntropy(), 8, Batch,
                                                Rate, stopping: new RetrainStopping(2, SplitSeed), tally: tally),
            };
            return new RetrainingStepwise(forward: true) { Restarts = 2 }.Compute(context);
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Scores, two.Scores);
        Assert.Equal(one.Order, two.Order);
        Assert.Equal(one.Features.Select(f => f.Statistics), two.Features.Select(f => f.Statistics));
        // F(F+1)/2 = 6 subsets x 2 restarts; some stop before their 8 epochs.
        Assert.Equal((12L, 96L), (tallies[0].Trainings, tallies[0].ScheduledEpochs));
        Assert.Equal((tallies[0].Epochs, tallies[0].Steps), (tallies[1].Epochs, tallies[1].Steps));
        Assert.True(tallies[0].Epochs < 96, $"{tallies[0]}");
    }

    [Fact]
    public void BadSettingsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetrainStopping(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetrainStopping(2, 1, 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetrainStopping(2, 1, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetrainStopping(2, 1, float.NaN));
        var (x, y) = Data();
        var e = Assert.Throws<ArgumentException>(() => Retrainers.FromArrays(Build, x[..(Steps * Features)], y[..1], 1,
            Steps, Features, new BinaryCrossEntropy(), 3, Batch, stopping: new RetrainStopping(2, 1)));
        Assert.Contains("needs at least 2 series", e.Message);
        Assert.Throws<ArgumentException>(() => Retrainers.FromArrays(Build, x, y, Count, Steps, Features,
            new BinaryCrossEntropy(), 3, Batch, permuteTargets: true, stopping: new RetrainStopping(2, 1)));
        Assert.Equal(8, new RetrainStopping(2, SplitSeed).HeldOut(Count));
    }

    [Theory]
    [InlineData(10, 0.2f, 2)]
    [InlineData(3, 0.1f, 1)]  // round(0.3) = 0, raised to one
    [InlineData(1, 0.2f, 0)]  // a single series stays in training
    [InlineData(7, 0.5f, 4)]  // round(3.5) = 4 (to even)
    [InlineData(4, 0.9f, 4)]  // every series held out: the caller refuses it
    [InlineData(9, 0f, 0)]
    public void TheSplitHoldsOutTheFirstOfTheShuffle(int count, float fraction, int held)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new RandomSource(3).Shuffle<int>(order);
        var (training, validation) = SeriesSplit.Of(count, fraction, new RandomSource(3));
        Assert.Equal(order[..held].Order(), validation);
        Assert.Equal(order[held..].Order(), training);
    }
}
