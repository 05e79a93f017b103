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

/// <summary>Importance of one output of several (<see cref="OutputSelection"/>).</summary>
public class OutputSelectionTests
{
    [Fact]
    public void SelectedModelGivesOneOutputAndItsGradientBitForBit()
    {
        var model = new Sequential(2, [new Lstm(3, returnSequences: true), Dense.WithSoftmax(3)], flatten: true);
        model.Initialize(4);
        var rng = new RandomSource(9);
        var x = new float[2 * 4 * 2];
        rng.FillUniform(x, -2f, 2f);
        var all = new float[2 * 4 * 3];
        model.Forward(all, x, 2, 4);
        var selected = OutputSelection.Select(model, 1);
        Assert.Equal(4, selected.OutputsPerSeries(4));
        var one = new float[2 * 4];
        selected.Forward(one, x, 2, 4);
        for (int r = 0; r < one.Length; r++) Assert.Equal(all[r * 3 + 1], one[r]);
        // d p_1 / dx: the full model seeded with e_1 on every row, and the selected one seeded with ones.
        var seed = new float[all.Length];
        for (int r = 0; r < one.Length; r++) seed[r * 3 + 1] = 1f;
        var expected = new float[x.Length];
        model.Backward(expected, seed);
        var actual = new float[x.Length];
        selected.Backward(actual, Enumerable.Repeat(1f, one.Length).ToArray());
        Assert.Equal(expected, actual);
        Assert.Throws<ArgumentOutOfRangeException>(() => OutputSelection.Select(model, 3));
    }

    [Fact]
    public void WeightMethodsFollowTheSelectedOutputOnly()
    {
        // Dense(2) -> Dense(2), linear: CW = W1 W2, (F, O); output 1 alone: CW_i = sum_h W1[i, h] W2[h, 1].
        // W1 = [[1, 2], [3, -1]], W2 = [[0.5, -2], [4, 1]]: column 1 of W1 W2 = (1 (-2) + 2 (1), 3 (-2) - 1 (1))
        // = (0, -7); summed over both outputs it would be (8.5 + 0, -2.5 - 7).
        var model = new Sequential(2, [new Dense(2), new Dense(2)]);
        new[] { 1f, 2f, 3f, -1f }.CopyTo(model.Tensor(0, "kernel"));
        new[] { 0.5f, -2f, 4f, 1f }.CopyTo(model.Tensor(1, "kernel"));
        var context = new ImportanceContext
        {
            Model = model, Inputs = new float[2 * 1 * 2], Count = 2, Steps = 1, Loss = new MeanSquaredError(),
        };
        Assert.Equal([8.5, -9.5], new ConnectionWeights().Compute(context).Scores);
        Assert.Equal([0.0, -7.0], new ConnectionWeights().Compute(OutputSelection.ForOutput(context, 1)).Scores);
    }

    [Fact]
    public void ContextTakesTheTargetColumnAndOneOutputLoss()
    {
        var model = new Sequential(1, [Dense.WithSoftmax(3)]);
        float[] y = [1f, 0f, 0f, 0f, 0f, 1f];
        var context = new ImportanceContext
        {
            Model = model, Inputs = [0.5f, -0.5f], Targets = y, Count = 2, Steps = 1,
            Loss = new CategoricalCrossEntropy(3),
        };
        var selected = OutputSelection.ForOutput(context, 2);
        Assert.Equal([0f, 1f], selected.Targets!);
        Assert.IsType<BinaryCrossEntropy>(selected.Loss);
        var regression = OutputSelection.ForOutput(context with { Loss = new MeanSquaredError() }, 0);
        Assert.Equal([1f, 0f], regression.Targets!);
        Assert.IsType<MeanSquaredError>(regression.Loss);
    }

    /// <summary>
    /// The test of issue 13: three classes, each driven by its own input (x1, x2, x3; x4 is noise), label = argmax of
    /// (2 x1, 2 x2, 2 x3) at the series' last step. A trained softmax model's per-class importance of x_c is highest
    /// for class c, by permutation and by the partial derivatives.
    /// </summary>
    [Theory]
    [InlineData("permutation")]
    [InlineData("partial-derivatives")]
    public void PerClassImportanceOfAClassSpecificInputIsHighestForItsClass(string method)
    {
        const int count = 600, steps = 3, features = 4, classes = 3;
        var rng = new RandomSource(21);
        var x = new float[count * steps * features];
        rng.FillUniform(x, -1.7f, 1.7f);
        var y = new float[count * classes];
        for (int n = 0; n < count; n++)
        {
            var last = x.AsSpan((n * steps + steps - 1) * features, features);
            int label = last[0] >= last[1] && last[0] >= last[2] ? 0 : last[1] >= last[2] ? 1 : 2;
            y[n * classes + label] = 1f;
        }
        var model = new Sequential(features, [new Lstm(8), Dense.WithSoftmax(classes)]);
        model.Initialize(3);
        var loss = new CategoricalCrossEntropy(classes);
        var source = new ArrayBatchSource(x, y, count, steps, features, classes, 32, 5);
        var trainer = new Trainer(model, loss, new Adam(0.02f)) { Metrics = Engine.Metrics.MetricSets.For(loss) };
        var history = trainer.Fit(source, 30, source.StepsPerEpoch);
        Assert.True(history[^1].Metrics[0].Value > 0.9, $"accuracy {history[^1].Metrics[0].Value}");

        var context = new ImportanceContext
        {
            Model = model, Inputs = x, Targets = y, Count = count, Steps = steps, Loss = loss, Seed = 1, Threads = 1,
            Repeats = 3,
        };
        var scores = new double[classes][];
        for (int c = 0; c < classes; c++)
            scores[c] = ImportanceMethods.Create(method).Compute(OutputSelection.ForOutput(context, c)).Scores
                .Select(Math.Abs).ToArray();
        for (int feature = 0; feature < classes; feature++)
            for (int c = 0; c < classes; c++)
                if (c != feature)
                    Assert.True(scores[feature][feature] > scores[c][feature],
                                $"{method}: x{feature + 1} scores {scores[feature][feature]} for its class and " +
                                $"{scores[c][feature]} for class {c}");
    }
}
