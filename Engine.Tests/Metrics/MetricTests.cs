using Engine.Losses;
using Engine.Metrics;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Metrics;

/// <summary>Each metric against values worked by hand (exact fractions) and an independent pairwise AUC.</summary>
public class MetricTests
{
    [Fact]
    public void AccuracyThresholdsAboveOneHalf()
    {
        // Thresholded: 0, 0 (0.5 is not above), 1, 1, 1 against 0, 0, 1, 0, 1: four of five match.
        Assert.Equal(0.8, new BinaryAccuracy().Compute([0.2f, 0.5f, 0.51f, 0.9f, 0.7f], [0, 0, 1, 0, 1]));
        Assert.Equal(0.0, new BinaryAccuracy().Compute([0.9f, 0.1f], [0, 1]));
        Assert.Equal(0.5, new BinaryAccuracy().Compute([0.9f, 0.9f], [0.5f, 1]));
    }

    [Fact]
    public void AucAveragesTies()
    {
        // Positives 0.35, 0.8, 0.4, 0.9 against negatives 0.1, 0.4, 0.4, 0.05: they beat 2, 4, 2 + two halves, 4
        // of the 4 negatives: 13 / 16.
        float[] p = [0.1f, 0.4f, 0.35f, 0.8f, 0.4f, 0.4f, 0.9f, 0.05f];
        float[] y = [0, 0, 1, 1, 1, 0, 1, 0];
        Assert.Equal(13.0 / 16, new RocAuc().Compute(p, y), 15);
        Assert.Equal(1.0, new RocAuc().Compute([0.1f, 0.2f, 0.3f], [0, 1, 1]));
        Assert.Equal(0.0, new RocAuc().Compute([0.9f, 0.2f, 0.3f], [0, 1, 1]));
        Assert.Equal(0.5, new RocAuc().Compute([0.3f, 0.3f, 0.3f], [0, 1, 1]));
    }

    [Fact]
    public void AucIsUndefinedForOneClassAndNeedsBinaryTargets()
    {
        Assert.True(double.IsNaN(new RocAuc().Compute([0.1f, 0.7f], [1, 1])));
        Assert.True(double.IsNaN(new RocAuc().Compute([0.1f, 0.7f], [0, 0])));
        var e = Assert.Throws<ArgumentException>(() => new RocAuc().Compute([0.1f, 0.7f], [0, 0.5f]));
        Assert.Contains("0/1 targets", e.Message);
    }

    // The definition: the share of (positive, negative) pairs the positive wins, ties counting one half.
    private static double PairwiseAuc(float[] p, float[] y)
    {
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (y[i] != 1) continue;
            for (int j = 0; j < p.Length; j++)
            {
                if (y[j] != 0) continue;
                pairs++;
                wins += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0;
            }
        }
        return wins / pairs;
    }

    // Positives are drawn with probability base + 0.3 p: base 0.4 makes them the larger class, 0.05 the smaller one
    // (RocAuc sorts the smaller class and searches it with the other: both ways round).
    [Theory]
    [InlineData(2, 1ul, 0.4f)]
    [InlineData(17, 2ul, 0.4f)]
    [InlineData(200, 3ul, 0.4f)]
    [InlineData(1001, 4ul, 0.4f)]
    [InlineData(17, 5ul, 0.05f)]
    [InlineData(200, 6ul, 0.05f)]
    [InlineData(1001, 7ul, 0.05f)]
    public void AucMatchesThePairwiseDefinition(int n, ulong seed, float positiveBase)
    {
        var rng = new RandomSource(seed);
        var p = new float[n];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            p[i] = MathF.Round(rng.NextFloat() * 10) / 10; // eleven values: many ties
            y[i] = rng.NextFloat() < positiveBase + 0.3f * p[i] ? 1 : 0;
        }
        y[0] = 0;
        y[^1] = 1;
        var auc = new RocAuc();
        Assert.Equal(PairwiseAuc(p, y), auc.Compute(p, y), 12);
        // The same instance again on a shorter prefix (its buffers are larger now).
        if (n > 2) Assert.Equal(PairwiseAuc(p[1..], y[1..]), auc.Compute(p.AsSpan(1), y.AsSpan(1)), 12);
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(0f)]
    public void AucCopiesOnlyTheSmallerClass(float rare)
    {
        // 100,000 pairs, 1,000 of the rare class: the sorted copy is 1,000 floats (4 KB), not 2 x 100,000 (800 KB).
        int n = 100_000;
        var p = new float[n];
        var y = new float[n];
        var rng = new RandomSource(8);
        for (int i = 0; i < n; i++)
        {
            p[i] = rng.NextFloat();
            y[i] = i % 100 == 0 ? rare : 1f - rare;
        }
        var auc = new RocAuc();
        long before = GC.GetAllocatedBytesForCurrentThread();
        double value = auc.Compute(p, y);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(allocated, 1, 8 * 1024);
        Assert.InRange(value, 0.4, 0.6);
        before = GC.GetAllocatedBytesForCurrentThread();
        auc.Compute(p, y);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void MeanAbsoluteErrorAndRSquaredByHand()
    {
        // Errors 0.5, 0.25, 0.5, 0.25, 1: MAE 2.5 / 5. Targets' mean 1.3, SS_tot 3.8, SS_res 1.625:
        // R^2 = 1 - 1.625 / 3.8 = 87 / 152.
        float[] p = [1.5f, -0.25f, 2.0f, 0.75f, 3.0f];
        float[] y = [1.0f, 0.0f, 2.5f, 1.0f, 2.0f];
        Assert.Equal(0.5, new MeanAbsoluteError().Compute(p, y), 15);
        Assert.Equal(87.0 / 152, new RSquared().Compute(p, y), 14);
        Assert.Equal(1.0, new RSquared().Compute(y, y));
        Assert.Equal(0.0, new RSquared().Compute([1.3f, 1.3f, 1.3f, 1.3f, 1.3f], y), 6);
        Assert.True(double.IsNaN(new RSquared().Compute([1f, 2f], [3f, 3f])));
    }

    [Fact]
    public void EachLossHasItsKerasMetrics()
    {
        Assert.Equal(["accuracy", "auc"], MetricSets.For(new BinaryCrossEntropy()).Select(m => m.Name));
        Assert.Equal(["mae", "r2_score"], MetricSets.For(new MeanSquaredError()).Select(m => m.Name));
        var values = MetricSets.Compute(MetricSets.For(new MeanSquaredError()), [1.5f, 0f], [1f, 0f]);
        Assert.Equal([new MetricValue("mae", 0.25), new MetricValue("r2_score", 1 - 0.25 / 0.5)], values);
    }

    [Fact]
    public void CategoricalAccuracyAndClassRecallByHand()
    {
        // Rows: argmax p = 0, 2, 1, 1 (a tie 0.4/0.4 takes the first: 1); targets 0, 1, 1, 2.
        // Accuracy: rows 0 and 2 right: 2 / 4. Recall: class 0 1/1, class 1 1/2 (rows 1 and 2), class 2 0/1.
        float[] p = [0.6f, 0.3f, 0.1f, 0.2f, 0.3f, 0.5f, 0.2f, 0.4f, 0.4f, 0f, 0.9f, 0.1f];
        float[] y = [1f, 0f, 0f, 0f, 1f, 0f, 0f, 1f, 0f, 0f, 0f, 1f];
        Assert.Equal(0.5, new CategoricalAccuracy(3).Compute(p, y));
        var recalls = MetricSets.PerOutput(new CategoricalCrossEntropy(3), ["a", "b", "c"]);
        Assert.Equal([new MetricValue("recall[a]", 1), new MetricValue("recall[b]", 0.5),
                      new MetricValue("recall[c]", 0)], MetricSets.Compute(recalls, p, y));
        Assert.True(double.IsNaN(new ClassRecall(3, 2, "r").Compute(p.AsSpan(0, 9), y.AsSpan(0, 9))));
        Assert.Equal(["accuracy"], MetricSets.For(new CategoricalCrossEntropy(3)).Select(m => m.Name));
        Assert.Throws<ArgumentException>(() => new CategoricalAccuracy(3).Compute(p.AsSpan(1), y.AsSpan(1)));
    }

    [Fact]
    public void PerOutputMetricsReadTheirColumn()
    {
        // Two outputs per row: column a p (1, 3) y (1, 2): MAE 0.5, R^2 1 - 1 / 0.5 = -1; column b p (0, 0)
        // y (0, 2): MAE 1, R^2 1 - 4 / 2 = -1.
        float[] p = [1f, 0f, 3f, 0f];
        float[] y = [1f, 0f, 2f, 2f];
        var metrics = MetricSets.PerOutput(new MeanSquaredError(), ["a", "b"]);
        Assert.Equal([new MetricValue("mae[a]", 0.5), new MetricValue("r2_score[a]", -1),
                      new MetricValue("mae[b]", 1), new MetricValue("r2_score[b]", -1)],
                     MetricSets.Compute(metrics, p, y));
        Assert.Empty(MetricSets.PerOutput(new MeanSquaredError(), ["only"]));
    }
}
