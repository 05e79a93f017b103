using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Optimizers;
using Engine.Random;
using Engine.Training;
using Xunit;

namespace Engine.Tests.Training;

public class TrainerTests
{
    private const int Steps = 4, Features = 2;

    // y = 1 where the mean of feature 0 over the series is positive: learnable in a few hundred steps.
    private static (float[] X, float[] Y) Data(int count, ulong seed)
    {
        var x = new float[count * Steps * Features];
        new RandomSource(seed).FillUniform(x, -1f, 1f);
        var y = new float[count];
        for (int n = 0; n < count; n++)
        {
            float sum = 0;
            for (int t = 0; t < Steps; t++) sum += x[(n * Steps + t) * Features];
            y[n] = sum > 0 ? 1f : 0f;
        }
        return (x, y);
    }

    private static Sequential Model()
    {
        var model = new Sequential(Features, [new Lstm(6), new Dense(1, Activation.Sigmoid)]);
        model.Initialize(5);
        return model;
    }

    [Fact]
    public void FitReportsEveryStepAndEpochAndLearns()
    {
        var (x, y) = Data(64, 1);
        var (vx, vy) = Data(32, 2);
        var model = Model();
        var trainer = new Trainer(model, new BinaryCrossEntropy(), new Adam(0.01f));
        int steps = 0;
        var epochs = new List<EpochResult>();
        trainer.OnStep = p => { steps++; Assert.InRange(p.Step, 1, p.StepsPerEpoch); };
        trainer.OnEpoch = epochs.Add;
        var source = new ArrayBatchSource(x, y, 64, Steps, Features, 1, 8, seed: 3);
        var history = trainer.Fit(source, 6, source.StepsPerEpoch, new ValidationSet(vx, vy, 32));

        Assert.Equal(6 * 8, steps);
        Assert.Equal(history, epochs);
        Assert.Equal([1, 2, 3, 4, 5, 6], history.Select(e => e.Epoch));
        Assert.True(history[^1].Loss < 0.8 * history[0].Loss, $"training loss {history[0].Loss} -> {history[^1].Loss}");
        Assert.Equal(model.Evaluate(vx, vy, 32, Steps, new BinaryCrossEntropy()), history[^1].ValidationLoss, 1e-6);
        Assert.Equal(6 * 8, trainer.Optimizer.Iterations);
    }

    [Fact]
    public void ANonFiniteLossStopsTrainingWithItsPosition()
    {
        var (x, y) = Data(8, 1);
        y[3] = float.NaN;
        var trainer = new Trainer(Model(), new MeanSquaredError(), new Adam());
        var e = Assert.Throws<TrainingDivergedException>(() =>
            trainer.Fit(new ArrayBatchSource(x, y, 8, Steps, Features, 1, 8, 1), 2, 3));
        Assert.Equal((1, 1), (e.Epoch, e.Step));
        Assert.Contains("diverged at epoch 1, step 1", e.Message);
    }

    [Fact]
    public void ArrayBatchSourceVisitsEverySeriesOncePerEpoch()
    {
        const int count = 12, batch = 4;
        var x = new float[count * Steps * Features];
        var y = new float[count];
        for (int n = 0; n < count; n++) { y[n] = n; x.AsSpan(n * Steps * Features, Steps * Features).Fill(n); }
        var source = new ArrayBatchSource(x, y, count, Steps, Features, 1, batch, seed: 9);
        Assert.Equal(3, source.StepsPerEpoch);
        var bx = new float[batch * Steps * Features];
        var by = new float[batch];
        var orders = new List<float[]>();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var seen = new List<float>();
            for (int step = 0; step < 3; step++)
            {
                source.NextBatch(bx, by, epoch, step);
                for (int b = 0; b < batch; b++)
                {
                    // inputs travel with targets
                    Assert.All(bx.AsSpan(b * Steps * Features, Steps * Features).ToArray(), v =>
                        Assert.Equal(by[b], v));
                    seen.Add(by[b]);
                }
            }
            Assert.Equal(Enumerable.Range(0, count).Select(n => (float)n), seen.Order());
            orders.Add([.. seen]);
        }
        Assert.NotEqual(orders[0], orders[1]); // reshuffled every epoch
    }
}
