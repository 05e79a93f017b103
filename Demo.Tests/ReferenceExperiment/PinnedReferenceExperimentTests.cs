using Demo.Reference;
using Engine.Losses;
using Engine.Optimizers;
using Engine.Training;
using Xunit;

namespace Demo.Tests.ReferenceExperiment;

/// <summary>
/// The reference experiment's printed numbers pinned: the default seed (42) through the code path <c>demo</c> runs
/// (<see cref="ReferenceSettings"/>, <see cref="ReferenceData.Generator"/>, the engine's trainer,
/// <see cref="ReferenceImportance.EvaluationSet"/>, <see cref="NoisePerturbation.Scores"/>), each number formatted as
/// the demo prints it (<c>F4</c>). A changed formula anywhere on the path (a layer, the loss, Adam, the data, the
/// perturbation score) changes one of these digits.
/// </summary>
[Trait("Category", "Slow")] // trains the reference or study networks: left out of mutation runs (stryker-config.json)
public class PinnedReferenceExperimentTests
{
    [Fact]
    public void DefaultSeedPrintsThePublishedNumbers()
    {
        var s = new ReferenceSettings();
        var model = s.BuildModel();
        var trainer = new Trainer(model, new BinaryCrossEntropy(), new Adam(s.LearningRate));
        var epochs = trainer.Fit(new ReferenceData.Generator(s.BatchSize, s.Steps, s.Features, s.TrainingData),
                                 s.Epochs, s.StepsPerEpoch);
        var (x, _) = ReferenceImportance.EvaluationSet(s);
        var scores = NoisePerturbation.Scores(model, x, s.Samples, s.Steps, s.Noise, s.ImportanceNoise);

        // "Epoch 1/5 ... loss: 0.5226" ... "Epoch 5/5 ... loss: 0.1439", as `./build.sh demo` printed them.
        Assert.Equal(5, epochs.Count);
        Assert.Equal("0.5226", epochs[0].Loss.ToString("F4"));
        Assert.Equal("0.2212", epochs[1].Loss.ToString("F4"));
        Assert.Equal("0.1835", epochs[2].Loss.ToString("F4"));
        Assert.Equal("0.1622", epochs[3].Loss.ToString("F4"));
        Assert.Equal("0.1439", epochs[4].Loss.ToString("F4"));
        // "Variable i, perturbation effect: ..."
        Assert.Equal(["0.2706", "0.2488", "0.0117"], scores.Select(v => v.ToString("F4")));
    }
}
