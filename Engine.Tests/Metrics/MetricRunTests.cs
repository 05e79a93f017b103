using Engine.Losses;
using Engine.Metrics;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Metrics;

/// <summary>
/// A metric run over pairs given in parts (as the trainer gives each step's) against the metric computed over all
/// the pairs at once: equal bit for bit for every metric the engine reports, and for one it does not know (kept
/// whole); the AUC run keeps one float per pair and allocates nothing once started.
/// </summary>
public class MetricRunTests
{
    // n rows of k values: predictions with ties (steps of 0.1) and 0/1 targets (one-hot rows when k > 1 and
    // oneHot), or numbers.
    private static (float[] P, float[] Y) Pairs(int rows, int k, bool oneHot, bool numeric, ulong seed)
    {
        var rng = new RandomSource(seed);
        var p = new float[rows * k];
        var y = new float[rows * k];
        for (int r = 0; r < rows; r++)
        {
            int hot = (int)(rng.NextFloat() * k) % k;
            for (int j = 0; j < k; j++)
            {
                int i = r * k + j;
                p[i] = numeric ? 4 * rng.NextFloat() - 2 : MathF.Round(rng.NextFloat() * 10) / 10;
                y[i] = numeric ? p[i] + rng.NextFloat() - 0.5f
                    : oneHot ? (j == hot ? 1 : 0) : (rng.NextFloat() < 0.2f + 0.6f * p[i] ? 1 : 0);
            }
        }
        return (p, y);
    }

    // Adds the pairs in parts of 1, 2, 3, ... rows (the last part what is left) and returns the run's value.
    private static double InParts(MetricRun run, float[] p, float[] y, int k)
    {
        int at = 0;
        for (int rows = 1; at < p.Length; rows++)
        {
            int length = Math.Min(rows * k, p.Length - at);
            run.Add(p.AsSpan(at, length), y.AsSpan(at, length));
            at += length;
        }
        return run.Value();
    }

    private sealed class Median : IMetric
    {
        public string Name => "median_error";

        public double Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
        {
            var e = new double[prediction.Length];
            for (int i = 0; i < e.Length; i++) e[i] = Math.Abs(prediction[i] - target[i]);
            Array.Sort(e);
            return e.Length == 0 ? double.NaN : e[e.Length / 2];
        }
    }

    public static TheoryData<string> Sets => ["bce", "bce per output", "mse", "mse per output", "cce", "other"];

    [Theory]
    [MemberData(nameof(Sets))]
    public void ARunOverPartsIsTheMetricOverAllThePairsBitForBit(string set)
    {
        var (metrics, k, oneHot, numeric) = set switch
        {
            "bce" => (MetricSets.For(new BinaryCrossEntropy()), 1, false, false),
            "bce per output" => (MetricSets.PerOutput(new BinaryCrossEntropy(), ["a", "b"]), 2, false, false),
            "mse" => (MetricSets.For(new MeanSquaredError()), 1, false, true),
            "mse per output" => (MetricSets.PerOutput(new MeanSquaredError(), ["a", "b", "c"]), 3, false, true),
            "cce" => ([.. MetricSets.For(new CategoricalCrossEntropy(3)),
                       .. MetricSets.PerOutput(new CategoricalCrossEntropy(3), ["x", "y", "z"])], 3, true, false),
            _ => ((IReadOnlyList<IMetric>)[new Median()], 1, false, true),
        };
        var (p, y) = Pairs(500, k, oneHot, numeric, 11);
        foreach (var metric in metrics)
        {
            var run = MetricRun.Start(metric, p.Length);
            Assert.Equal(metric.Compute(p, y), InParts(run, p, y, k));
            // Cleared, then a shorter run: the metric over those pairs only.
            run.Clear();
            Assert.Equal(metric.Compute(p.AsSpan(0, 60 * k), y.AsSpan(0, 60 * k)),
                         InParts(run, p[..(60 * k)], y[..(60 * k)], k));
            run.Clear();
            Assert.Equal(metric.Compute([], []), run.Value());
        }
    }

    [Fact]
    public void TheAucRunKeepsOneFloatPerPairAndAllocatesNothingOnceStarted()
    {
        var (p, y) = Pairs(100_000, 1, false, false, 12);
        // A first run of the same code: the runtime's one-time objects (e.g. Comparer<float>.Default, 24 bytes, made
        // on its first use in the process, by whichever test comes first) are not the run's allocations.
        InParts(MetricRun.Start(new RocAuc(), 100), p[..100], y[..100], 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var run = MetricRun.Start(new RocAuc(), p.Length);
        long started = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(started, 400_000, 401_000);
        before = GC.GetAllocatedBytesForCurrentThread();
        double value = InParts(run, p, y, 1);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(new RocAuc().Compute(p, y), value);
        Assert.Throws<InvalidOperationException>(() => run.Add([0.5f], [1f]));
    }

    [Fact]
    public void TheAucRunNamesTheBadPairByItsPlaceInTheWholeRun()
    {
        var run = MetricRun.Start(new RocAuc(), 10);
        run.Add([0.1f, 0.2f, 0.3f], [0, 1, 0]);
        var e = Assert.Throws<ArgumentException>(() => run.Add([0.4f, 0.5f], [1, 0.5f]));
        Assert.StartsWith("AUC needs 0/1 targets; target 4 is 0.5", e.Message, StringComparison.Ordinal);
    }
}
