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

    // A softmax head of 3 classes on F = 2 inputs: W (2, 3) and b (3), fixed numbers; N = 2 series of T = 2 steps.
    private static readonly double[] SoftmaxW = [0.8, -0.5, 0.3, -0.6, 0.9, 0.2];
    private static readonly double[] SoftmaxB = [0.1, -0.2, 0.05];
    private static readonly float[] SoftmaxX = [0.7f, -0.4f, 1.2f, 0.3f, -0.9f, 0.6f, 0.2f, -1.1f];

    // -ln p_c of softmax(x W + b) for one row x (F = 2) and class c, in double.
    private static double RowLoss(double x0, double x1, int c)
    {
        var z = Enumerable.Range(0, 3).Select(j => x0 * SoftmaxW[j] + x1 * SoftmaxW[3 + j] + SoftmaxB[j]).ToArray();
        double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
        return -(z[c] - max - Math.Log(sum));
    }

    private static Sequential SoftmaxModel(bool lastStep)
    {
        // Per step (Dense on every step) or, last step, Flatten(T) and Dense(F T -> 3) reading the last step only.
        var model = lastStep ? new Sequential(2, [new Flatten(2), Dense.WithSoftmax(3)])
                             : new Sequential(2, [Dense.WithSoftmax(3)], flatten: true);
        var kernel = model.Tensor(model.Layers.Count - 1, "kernel");
        kernel.Clear();
        for (int j = 0; j < 6; j++) kernel[(lastStep ? 6 : 0) + j] = (float)SoftmaxW[j];
        for (int j = 0; j < 3; j++) model.Tensor(model.Layers.Count - 1, "bias")[j] = (float)SoftmaxB[j];
        return model;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OcclusionOfAWholeSoftmaxModelScoresEachRowsLoss(bool lastStep)
    {
        // Categorical cross-entropy is over a row of class probabilities: occluding cell (t, i) (zero baseline) changes
        // row loss -ln p_c; D_n = mean over series n's rows of the change; TimeMap[t, i] = mean_n |D_n|, score = sum_t.
        // Per step: row tau reads step tau (class labels 2, 0, 1, 1); last step: one row per series, step 1 (2, 1).
        int[] labels = lastStep ? [2, 1] : [2, 0, 1, 1];
        var targets = new float[labels.Length * 3];
        for (int r = 0; r < labels.Length; r++) targets[r * 3 + labels[r]] = 1f;
        var context = new ImportanceContext
        {
            Model = SoftmaxModel(lastStep), Inputs = SoftmaxX, Targets = targets, Count = 2, Steps = 2,
            Loss = new CategoricalCrossEntropy(3), Threads = 1,
        };
        var result = new Occlusion { ZeroBaseline = true }.Compute(context);
        int rowsPerSeries = lastStep ? 1 : 2;
        double SeriesLoss(double[] x, int n) =>
            Enumerable.Range(0, rowsPerSeries).Sum(k =>
            {
                int t = lastStep ? 1 : k;
                return RowLoss(x[(n * 2 + t) * 2], x[(n * 2 + t) * 2 + 1], labels[n * rowsPerSeries + k]);
            }) / rowsPerSeries;
        var x = SoftmaxX.Select(v => (double)v).ToArray();
        for (int i = 0; i < 2; i++)
        {
            double score = 0;
            for (int t = 0; t < 2; t++)
            {
                double cell = 0;
                for (int n = 0; n < 2; n++)
                {
                    var occluded = (double[])x.Clone();
                    occluded[(n * 2 + t) * 2 + i] = 0;
                    cell += Math.Abs(SeriesLoss(occluded, n) - SeriesLoss(x, n)) / 2;
                }
                Assert.Equal(cell, result.TimeMap![t, i], 1e-6);
                score += cell;
            }
            Assert.Equal(score, result.Features[i].Score, 1e-6);
            // Per step: a cell changes its own row only: lag 0 holds every change (mean over t of mean_n |row change|).
            if (!lastStep) Assert.Equal(score, result.LagMap![0, i], 1e-6);
        }
        Assert.True(result.Features[0].Score > 0);
    }
}
