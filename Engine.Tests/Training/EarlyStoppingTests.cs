using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Metrics;
using Engine.Models;
using Engine.Optimizers;
using Engine.Random;
using Engine.Training;
using Xunit;

namespace Engine.Tests.Training;

/// <summary>
/// Per-epoch metrics against a replay of the same training by hand, and early stopping against runs of a fixed
/// number of epochs: the restored parameters are those of a run that stopped at the best epoch, bit for bit.
/// </summary>
public class EarlyStoppingTests
{
    private const int Steps = 4, Features = 2, Count = 48, Batch = 8, ValidationCount = 24;

    // Training targets: y = 1 where the mean of feature 0 is positive. Validation targets have every third one
    // flipped: the validation loss falls while training learns the rule, then rises as the predictions grow confident.
    private static (float[] X, float[] Y) Data(int count, ulong seed, bool flip)
    {
        var x = new float[count * Steps * Features];
        new RandomSource(seed).FillUniform(x, -1f, 1f);
        var y = new float[count];
        for (int n = 0; n < count; n++)
        {
            float sum = 0;
            for (int t = 0; t < Steps; t++) sum += x[(n * Steps + t) * Features];
            y[n] = (sum > 0) != (flip && n % 3 == 0) ? 1f : 0f;
        }
        return (x, y);
    }

    private static readonly (float[] X, float[] Y) TrainData = Data(Count, 1, flip: false);
    private static readonly (float[] X, float[] Y) ValidData = Data(ValidationCount, 2, flip: true);

    private static (Trainer Trainer, ArrayBatchSource Source) Setup()
    {
        var model = new Sequential(Features, [new Lstm(5), new Dense(1, Activation.Sigmoid)]);
        model.Initialize(7);
        var source = new ArrayBatchSource(TrainData.X, TrainData.Y, Count, Steps, Features, 1, Batch, seed: 3);
        return (new Trainer(model, new BinaryCrossEntropy(), new Adam(0.02f)), source);
    }

    private static IReadOnlyList<EpochResult> Run(int epochs, EarlyStopping? stopping, out Sequential model)
    {
        var (trainer, source) = Setup();
        trainer.EarlyStopping = stopping;
        model = trainer.Model;
        return trainer.Fit(source, epochs, source.StepsPerEpoch,
            new ValidationSet(ValidData.X, ValidData.Y, ValidationCount));
    }

    // The epoch training stops after with Keras' rule, from a full run's validation losses: the first epoch e > 1 at
    // least `patience` epochs after the lowest loss up to e (the earliest of equal lowest); 0 when none.
    private static int StopEpoch(IReadOnlyList<EpochResult> full, int patience)
    {
        int best = 1;
        for (int e = 1; e <= full.Count; e++)
        {
            if (full[e - 1].ValidationLoss < full[best - 1].ValidationLoss) best = e;
            if (e > 1 && e - best >= patience) return e;
        }
        return 0;
    }

    private static int BestEpoch(IReadOnlyList<EpochResult> full, int upTo) =>
        Enumerable.Range(1, upTo).MinBy(e => full[e - 1].ValidationLoss);

    [Fact]
    public void StopsAfterPatienceAndRestoresTheBestEpochBitForBit()
    {
        const int epochs = 30, patience = 3;
        var full = Run(epochs, null, out _);
        int stop = StopEpoch(full, patience);
        string losses = string.Join(", ", full.Select(e => e.ValidationLoss));
        Assert.True(stop > 0, "the validation loss must rise for this test: " + losses);
        int best = BestEpoch(full, stop);
        Assert.Equal(stop - patience, best);
        Assert.True(best > 1, "the best epoch should not be the first: " + losses);

        var stopping = new EarlyStopping(patience, restoreBest: true);
        var history = Run(epochs, stopping, out var model);
        Assert.Equal(stop, history.Count);
        Assert.Equal(full.Take(stop).Select(e => (e.Loss, e.ValidationLoss)),
            history.Select(e => (e.Loss, e.ValidationLoss)));
        Assert.Equal((best, stop, best), (stopping.BestEpoch, stopping.StoppedEpoch, stopping.RestoredEpoch));
        Assert.Equal(full[best - 1].ValidationLoss, stopping.BestLoss);

        Run(best, null, out var atBest);
        Assert.Equal(atBest.Parameters, model.Parameters);

        // Without restore the model is the last epoch's.
        var keep = new EarlyStopping(patience, restoreBest: false);
        Run(epochs, keep, out var last);
        Run(stop, null, out var atStop);
        Assert.Equal((best, stop, 0), (keep.BestEpoch, keep.StoppedEpoch, keep.RestoredEpoch));
        Assert.Equal(atStop.Parameters, last.Parameters);
        Assert.NotEqual(atBest.Parameters, last.Parameters);
    }

    [Fact]
    public void AnEqualOrNaNValidationLossIsNoImprovement()
    {
        // Keras' min mode with min_delta 0: only a strictly lower loss improves. Losses 1, 0.5, 0.5, 0.5, 0.6 with
        // patience 3: the best is epoch 2 (not 3 or 4), the wait reaches 3 at epoch 5. Each epoch's parameters are
        // filled with its number, so the restored ones show which epoch was kept.
        var model = new Sequential(Features, [new Lstm(2), new Dense(1, Activation.Sigmoid)]);
        var stopping = new EarlyStopping(3, restoreBest: true);
        stopping.Start();
        float[] losses = [1f, 0.5f, 0.5f, 0.5f, 0.6f];
        bool[] stops = new bool[losses.Length];
        for (int e = 1; e <= losses.Length; e++)
        {
            model.Parameters.AsSpan().Fill(e);
            stops[e - 1] = stopping.AfterEpoch(model, e, losses[e - 1]);
        }
        Assert.Equal([false, false, false, false, true], stops);
        stopping.Finish(model, losses.Length);
        Assert.Equal((2, 0.5f, 5, 2), (stopping.BestEpoch, stopping.BestLoss, stopping.StoppedEpoch,
            stopping.RestoredEpoch));
        Assert.All(model.Parameters, v => Assert.Equal(2f, v));

        // NaN never improves on a finite best: 0.7, NaN, NaN with patience 2 stops after epoch 3, best epoch 1.
        var nan = new EarlyStopping(2, restoreBest: false);
        nan.Start();
        Assert.False(nan.AfterEpoch(model, 1, 0.7f));
        Assert.False(nan.AfterEpoch(model, 2, float.NaN));
        Assert.True(nan.AfterEpoch(model, 3, float.NaN));
        Assert.Equal((1, 3), (nan.BestEpoch, nan.StoppedEpoch));
    }

    [Fact]
    public void RestoreBestWithoutPatienceRunsEveryEpoch()
    {
        const int epochs = 12;
        var full = Run(epochs, null, out _);
        int best = BestEpoch(full, epochs);
        Assert.NotEqual(epochs, best);
        var stopping = new EarlyStopping(null, restoreBest: true);
        var history = Run(epochs, stopping, out var model);
        Assert.Equal(epochs, history.Count);
        Assert.Equal((best, 0, best), (stopping.BestEpoch, stopping.StoppedEpoch, stopping.RestoredEpoch));
        Run(best, null, out var atBest);
        Assert.Equal(atBest.Parameters, model.Parameters);
    }

    [Fact]
    public void NeedsAValidationSetAndAPositivePatience()
    {
        var (trainer, source) = Setup();
        trainer.EarlyStopping = new EarlyStopping(2, true);
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(source, 2, source.StepsPerEpoch));
        Assert.Contains("validation", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(0, true));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MetricsAreThoseOfTheStepsPredictionsAndOfTheValidationSet(bool bce)
    {
        // Replays the training by hand: each batch predicted before its step, then the step; the metrics over an
        // epoch's predictions must be the trainer's. Targets: the BCE rule, or its feature-0 mean for MSE.
        var y = bce ? TrainData.Y : MeanOfFeature0(TrainData.X, Count);
        var vy = bce ? ValidData.Y : MeanOfFeature0(ValidData.X, ValidationCount);
        ILoss loss = bce ? new BinaryCrossEntropy() : new MeanSquaredError();
        Sequential Model()
        {
            var m = new Sequential(Features, [new Lstm(5), new Dense(1, bce ? Activation.Sigmoid : Activation.Linear)]);
            m.Initialize(7);
            return m;
        }
        const int epochs = 3;
        var trainer = new Trainer(Model(), loss, new Adam(0.02f)) { Metrics = MetricSets.For(loss) };
        var source = new ArrayBatchSource(TrainData.X, y, Count, Steps, Features, 1, Batch, seed: 3);
        var history = trainer.Fit(source, epochs, source.StepsPerEpoch,
            new ValidationSet(ValidData.X, vy, ValidationCount));

        var replay = Model();
        var adam = new Adam(0.02f);
        var replaySource = new ArrayBatchSource(TrainData.X, y, Count, Steps, Features, 1, Batch, seed: 3);
        var bx = new float[Batch * Steps * Features];
        var by = new float[Batch];
        var predicted = new float[Batch];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var ps = new List<float>();
            var ts = new List<float>();
            for (int step = 0; step < replaySource.StepsPerEpoch; step++)
            {
                replaySource.NextBatch(bx, by, epoch, step);
                replay.Predict(predicted, bx, Batch, Steps);
                ps.AddRange(predicted);
                ts.AddRange(by);
                replay.TrainStep(bx, by, Batch, Steps, loss, adam);
            }
            var expected = MetricSets.Compute(MetricSets.For(loss), ps.ToArray(), ts.ToArray());
            Assert.Equal(expected.Select(m => m.Name), history[epoch].Metrics.Select(m => m.Name));
            for (int k = 0; k < expected.Length; k++)
                Assert.Equal(expected[k].Value, history[epoch].Metrics[k].Value, 5);
        }
        var validPrediction = new float[ValidationCount];
        replay.Predict(validPrediction, ValidData.X, ValidationCount, Steps);
        var validExpected = MetricSets.Compute(MetricSets.For(loss), validPrediction, vy);
        for (int k = 0; k < validExpected.Length; k++)
            Assert.Equal(validExpected[k].Value, history[^1].ValidationMetrics[k].Value, 5);
        Assert.Equal(replay.Parameters, trainer.Model.Parameters);
    }

    private static float[] MeanOfFeature0(float[] x, int count)
    {
        var y = new float[count];
        for (int n = 0; n < count; n++)
        {
            for (int t = 0; t < Steps; t++) y[n] += x[(n * Steps + t) * Features];
            y[n] /= Steps;
        }
        return y;
    }
}
