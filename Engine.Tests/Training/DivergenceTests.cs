using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Optimizers;
using Engine.Random;
using Engine.Training;
using Xunit;

namespace Engine.Tests.Training;

/// <summary>Issue 11: a diverged run stops with the epoch and why, and no diverged model is ever saved.</summary>
public class DivergenceTests
{
    private const int Steps = 4, Features = 2, Batch = 8;

    // Inputs U(-1, 1); targets 0 in epoch 1, then `later` (so an MSE loss jumps after the first epoch).
    private sealed class Source(float later) : IBatchSource
    {
        public int BatchSize => Batch;
        public int Steps => DivergenceTests.Steps;
        public int Features => DivergenceTests.Features;
        public int TargetsPerSeries => 1;

        public void NextBatch(Span<float> input, Span<float> target, int epoch, int stepInEpoch)
        {
            new RandomSource((ulong)(epoch * 100 + stepInEpoch)).FillUniform(input, -1f, 1f);
            target.Fill(epoch == 0 ? 0f : later);
        }
    }

    private static Trainer Trainer(ILoss loss, Activation head, float lr = 1e-3f)
    {
        var model = new Sequential(Features,
                                   [new Lstm(3, Activation.Relu, Activation.Sigmoid, false), new Dense(1, head)]);
        model.Initialize(7);
        return new Trainer(model, loss, new Adam(lr));
    }

    [Fact]
    public void ANaNParameterStopsTrainingAtTheEndOfItsEpoch()
    {
        var trainer = Trainer(new BinaryCrossEntropy(), Activation.Sigmoid);
        trainer.OnStep = p => { if (p.Epoch == 2 && p.Step == 5) trainer.Model.Parameters[3] = float.NaN; };
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(new Source(0), 4, 5));
        Assert.Equal((2, 5), (e.Epoch, e.Step));
        Assert.Equal("parameter 3 became NaN", e.Reason);
    }

    [Fact]
    public void InfinitePredictionsFromFiniteWeightsStopTraining()
    {
        // Every weight 1e30 (finite): relu cells reach ~1e30 and the linear head's 1e30 x 1e30 overflows to infinity.
        var trainer = Trainer(new MeanSquaredError(), Activation.Linear);
        trainer.OnStep = p => { if (p.Epoch == 1 && p.Step == 3) trainer.Model.Parameters.AsSpan().Fill(1e30f); };
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(new Source(0), 3, 3));
        Assert.Equal((1, 3), (e.Epoch, e.Step));
        Assert.StartsWith("a prediction became ", e.Reason);
        Assert.Equal(-1, Check.FirstNonFinite(trainer.Model.Parameters));
    }

    [Fact]
    public void ALossOverAHundredTimesTheFirstEpochsStopsTraining()
    {
        // Epoch 1's targets are 0, later ones 1000: an MSE around 1e6 against a first epoch's under 1.
        var trainer = Trainer(new MeanSquaredError(), Activation.Linear);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(new Source(1000), 3, 4));
        Assert.Equal((2, 4), (e.Epoch, e.Step));
        Assert.Contains("the loss grew from", e.Reason);
        Assert.Contains("over 100x", e.Reason);
        // Targets 5: a loss of ~25, more than the first epoch's but under 100x: no stop.
        Assert.Equal(3, Trainer(new MeanSquaredError(), Activation.Linear).Fit(new Source(0.5f), 3, 4).Count);
    }

    [Fact]
    public void SaveRefusesADivergedModel()
    {
        var model = new Sequential(3, [new Lstm(2, Activation.Tanh, Activation.Sigmoid, true)], flatten: true);
        model.Initialize(1);
        model.Parameters[5] = float.PositiveInfinity;
        string dir = Directory.CreateTempSubdirectory("diverged-").FullName;
        try
        {
            string path = Path.Combine(dir, "inf.safetensors");
            var e = Assert.Throws<ArgumentException>(() => ModelFile.Save(path, model));
            Assert.Contains("parameter 5 is", e.Message);
            Assert.Empty(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
