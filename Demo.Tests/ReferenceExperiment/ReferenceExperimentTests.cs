using System.Text.RegularExpressions;
using Demo.Reference;
using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Optimizers;
using Engine.Training;
using Xunit;
using Xunit.Abstractions;

namespace Demo.Tests.ReferenceExperiment;

/// <summary>A short run of the reference experiment, its determinism, its allocation-free training step and its
/// summary.</summary>
[Trait("Category", "Slow")] // trains the reference or study networks: left out of mutation runs (stryker-config.json)
public class ReferenceExperimentTests(ITestOutputHelper output)
{
    private static readonly ReferenceSettings Short = new() { Epochs = 2, StepsPerEpoch = 300 };

    private sealed record Run(float[] StepLosses, IReadOnlyList<EpochResult> Epochs, double[] Scores,
                              float[] Parameters);

    // Build, train with fresh generated batches, then score the features on 100 fresh series.
    private static Run Experiment(ReferenceSettings s)
    {
        var model = s.BuildModel();
        var trainer = new Trainer(model, new BinaryCrossEntropy(), new Adam(s.LearningRate));
        var losses = new List<float>();
        var last = 0f;
        trainer.OnStep = p =>
        {
            losses.Add(p.MeanLoss * p.Step - last * (p.Step - 1));
            last = p.Step == p.StepsPerEpoch ? 0f : p.MeanLoss;
        };
        var epochs = trainer.Fit(new ReferenceData.Generator(s.BatchSize, s.Steps, s.Features, s.TrainingData),
                                 s.Epochs, s.StepsPerEpoch);
        const int samples = 100;
        var x = new float[samples * s.Steps * s.Features];
        var y = new float[samples * s.Steps];
        ReferenceData.Fill(x, y, s.Features, s.EvaluationData);
        var scores = NoisePerturbation.Scores(model, x, samples, s.Steps, s.Noise, s.ImportanceNoise);
        return new Run([.. losses], epochs, scores, (float[])model.Parameters.Clone());
    }

    [Fact]
    public void ShortRunLearnsAndRanksTheIrrelevantFeatureLast()
    {
        var run = Experiment(Short);
        Assert.Equal(2, run.Epochs.Count);
        double first = run.StepLosses.Take(50).Average(), final = run.StepLosses.TakeLast(100).Average();
        output.WriteLine($"loss: first 50 steps {first:F4}, last 100 steps {final:F4}; epochs " +
                         $"{run.Epochs[0].Loss:F4}, {run.Epochs[1].Loss:F4}");
        output.WriteLine($"perturbation effects: {string.Join(", ", run.Scores.Select(v => v.ToString("F4")))}");
        Assert.True(final < 0.9 * first, $"loss should fall: first 50 steps {first:F4}, last 100 steps {final:F4}");
        Assert.True(run.Epochs[1].Loss < run.Epochs[0].Loss,
                    $"epoch losses {run.Epochs[0].Loss:F4} then {run.Epochs[1].Loss:F4}");
        // The target depends on features 1 and 2 only (x1 x2 < 0.25): feature 3's effect must be the smallest.
        Assert.True(run.Scores[2] < run.Scores[0] && run.Scores[2] < run.Scores[1],
                    $"perturbation effects {string.Join(", ", run.Scores.Select(v => v.ToString("F4")))}");
    }

    [Fact]
    public void TheSameSeedGivesIdenticalNumbers()
    {
        var s = Short with { StepsPerEpoch = 100 };
        var a = Experiment(s);
        var b = Experiment(s);
        Assert.Equal(a.StepLosses, b.StepLosses);
        Assert.Equal(a.Parameters, b.Parameters);
        Assert.Equal(a.Scores, b.Scores);
        var other = Experiment(s with { Seed = 43 });
        Assert.NotEqual(a.Scores, other.Scores);
    }

    /// <summary>
    /// An allocation property, not a timing one: after warm-up, 100 training steps allocate 0 bytes on this thread.
    /// The reference model (BCE on an LSTM's probabilities), a sigmoid Dense head (the fused BCE path) and MSE.
    /// </summary>
    [Theory]
    [InlineData("reference")]
    [InlineData("dense-bce")]
    [InlineData("dense-mse")]
    public void TrainStepAllocatesNothingOnceWarmedUp(string variant)
    {
        var s = new ReferenceSettings();
        Sequential model;
        if (variant == "reference") model = s.BuildModel();
        else
        {
            model = new Sequential(s.Features, [new Lstm(8, returnSequences: true), new Dense(1, Activation.Sigmoid)],
                                   flatten: true);
            model.Initialize(1);
        }
        ILoss loss = variant == "dense-mse" ? new MeanSquaredError() : new BinaryCrossEntropy();
        var adam = new Adam();
        var x = new float[s.BatchSize * s.Steps * s.Features];
        var y = new float[s.BatchSize * s.Steps];
        ReferenceData.Fill(x, y, s.Features, s.TrainingData);
        for (int i = 0; i < 300; i++) model.TrainStep(x, y, s.BatchSize, s.Steps, loss, adam);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) model.TrainStep(x, y, s.BatchSize, s.Steps, loss, adam);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void SummaryShowsTheReferenceParameterCounts()
    {
        var model = new ReferenceSettings().BuildModel();
        var summary = model.Summary(10);
        Assert.Equal([560, 320, 28, 0], summary.Rows.Select(r => r.Parameters));
        Assert.Equal(["lstm", "lstm_1", "lstm_2", "flatten"], summary.Rows.Select(r => r.Name));
        Assert.Equal(908, summary.TotalParameters);
        Assert.Equal(908, model.ParameterCount);
        var lines = summary.ToString().Split('\n').Select(l => l.TrimEnd()).ToArray();
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^ input \(InputLayer\)\s+\(None, 10, 3\)\s+0$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^ lstm \(LSTM\)\s+\(None, 10, 10\)\s+560$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^ lstm_1 \(LSTM\)\s+\(None, 10, 5\)\s+320$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^ lstm_2 \(LSTM\)\s+\(None, 10, 1\)\s+28$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^ flatten \(Flatten\)\s+\(None, 10\)\s+0$"));
        Assert.Contains("Total params: 908", lines);
    }
}
