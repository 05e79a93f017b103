using Demo.Data;
using Xunit;

namespace Demo.Tests.Data;

public class SeriesSetTests
{
    private static SeriesSet Load(string csv, DataOptions options)
    {
        string path = Path.Combine(Path.GetTempPath(), $"series-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, csv);
        try { return SeriesSet.Load(path, options); }
        finally { File.Delete(path); }
    }

    [Fact]
    public void GroupsBySeriesOrdersByTimeAndTakesOtherNumericColumnsAsFeatures()
    {
        // Rows out of order; 'site' is text and not a feature; id/t are found by their default names.
        var d = Load("id,t,site,x1,x2,y\nb,1,north,5,50,1\na,1,south,2,20,0\na,0,south,1,10,1\nb,0,north,4,40,0\n",
                     new DataOptions("y", null, null, null, null));
        Assert.Equal(["x1", "x2"], d.FeatureNames);
        Assert.Equal(["b", "a"], d.Ids);
        Assert.Equal((2, 2), (d.Count, d.Steps));
        Assert.Equal([4f, 40f, 5f, 50f, 1f, 10f, 2f, 20f], d.Inputs);
        Assert.Equal([0f, 1f, 1f, 0f], d.Targets!);
        Assert.Equal([5, 2, 4, 3], d.Lines);
        Assert.True(d.BinaryTarget);
    }

    [Fact]
    public void LinesCountBlankLinesAndQuotedLineBreaks()
    {
        // Line 3 is blank; series "b<LF>c" starts its rows on lines 5 and 7 (each record spans two lines).
        var d = Load("id,t,x,y\na,0,1,0\n\na,1,2,1\n\"b\nc\",0,3,0\n\"b\nc\",1,4,1\n",
                     new DataOptions("y", null, null, null, null));
        Assert.Equal(["a", "b\nc"], d.Ids);
        Assert.Equal([2, 4, 5, 7], d.Lines);
        Assert.Equal(["0", "1", "0", "1"], d.Times);
        Assert.Equal([1f, 2f, 3f, 4f], d.Inputs);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SeventyThousandSeriesKeepTheirIdsInFileOrderOrNot(bool interleaved)
    {
        // 70,000 series of 2 steps, x = 2 k + t for series k: each series' rows together, or every first step before
        // every second step (the rows are then sorted into series). Ids past 255 and 65,535 widen the id column.
        const int n = 70_000;
        var csv = new System.Text.StringBuilder("id,t,x,y\n");
        foreach (int t in interleaved ? new[] { 0, 1 } : [0])
            for (int k = 0; k < n; k++)
                foreach (int step in interleaved ? new[] { t } : [0, 1])
                    csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"s{k},{step},{2 * k + step},0\n");
        var d = Load(csv.ToString(), new DataOptions("y", null, null, null, null));
        Assert.Equal((n, 2), (d.Count, d.Steps));
        for (int k = 0; k < n; k++)
        {
            Assert.Equal($"s{k}", d.Ids[k]);
            Assert.Equal((2f * k, 2f * k + 1), (d.Inputs[2 * k], d.Inputs[2 * k + 1]));
            int first = interleaved ? 2 + k : 2 + 2 * k, second = interleaved ? 2 + n + k : 3 + 2 * k;
            Assert.Equal((first, second), (d.Lines[2 * k], d.Lines[2 * k + 1]));
        }
    }

    [Fact]
    public void WithoutASeriesColumnTheFileIsCutIntoWindows()
    {
        var d = Load("time,x,y\n0,0,0\n1,1,1\n2,2,0\n3,3,1\n4,4,0\n5,5,1\n6,6,0\n",
                     new DataOptions("y", null, null, null, 3));
        Assert.Equal((2, 3, 1), (d.Count, d.Steps, d.DroppedRows));
        Assert.Equal(["w1", "w2"], d.Ids);
        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f], d.Inputs);
    }

    [Fact]
    public void WithoutSeriesColumnOrWindowTheErrorSaysWhatToGive()
    {
        var e = Assert.Throws<InputException>(() =>
            Load("time,x,y\n0,0,0\n1,1,1\n", new DataOptions("y", null, null, null, null)));
        Assert.Contains("--window", e.Message);
    }

    [Fact]
    public void RepeatedTimeInASeriesIsAnError()
    {
        var e = Assert.Throws<InputException>(() =>
            Load("series,time,x,y\na,0,0,0\na,0,1,1\n", new DataOptions("y", null, null, null, null)));
        Assert.Contains(":3: column 'time'", e.Message);
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void QuotedFieldsAndDatesAreRead()
    {
        var d = Load("series,time,x,y\n\"a, the first\",2024-01-02,1,0\n\"a, the first\",2024-01-01,2,1\n",
                     new DataOptions("y", null, null, null, null));
        Assert.Equal(["a, the first"], d.Ids);
        Assert.Equal([2f, 1f], d.Inputs);
        Assert.Equal(["2024-01-01", "2024-01-02"], d.Times);
    }

    [Fact]
    public void StandardiserGivesMeanZeroSdOneAndLeavesConstantFeaturesCentred()
    {
        float[] x = [1, 5, 3, 5, 5, 5]; // (rows 3, F 2): feature 2 is constant
        var (mean, sd) = Standardiser.Fit(x, 2);
        Assert.Equal([3f, 5f], mean);
        Assert.Equal(MathF.Sqrt(8f / 3f), sd[0], 5);
        Assert.Equal(1f, sd[1]);
        Standardiser.Apply(x, mean, sd);
        Assert.Equal(0f, x[0] + x[2] + x[4], 5);
        Assert.Equal([0f, 0f, 0f], [x[1], x[3], x[5]]);
    }
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TheTableSourceGivesTheStandardisedSeriesInTheOrderOfAnArrayBatchSource(int targetsPerSeries)
    {
        // Series a: x 1, 3, y 0, 1; series b: x 5, 7, y 1, 0 (rows out of order). Over both: mean 4, population
        // SD sqrt(((-3)^2 + (-1)^2 + 1^2 + 3^2) / 4) = sqrt(5); a standardises to (-3, -1) / sqrt(5), b to (1, 3) /
        // sqrt(5).
        string path = Path.Combine(Path.GetTempPath(), $"series-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "id,t,x,y\nb,1,7,0\na,0,1,0\na,1,3,1\nb,0,5,1\n");
        try
        {
            var layout = SeriesLayout.Open(path, _ => new DataOptions("y", null, null, null, null));
            Assert.Equal(["b", "a"], layout.Ids);
            var (mean, sd) = layout.FitStandardiser([0, 1]);
            Assert.Equal(4f, mean[0]);
            Assert.Equal(MathF.Sqrt(5), sd[0], 6);
            var (meanB, sdB) = layout.FitStandardiser([0]);
            Assert.Equal((6f, 1f), (meanB[0], sdB[0]));
            float r5 = MathF.Sqrt(5);
            float[][] x = [[1 / r5, 3 / r5], [-3 / r5, -1 / r5]];   // b, a
            float[][] y = targetsPerSeries == 2 ? [[1, 0], [0, 1]] : [[0], [1]];
            layout.KeepText(times: false);
            var source = layout.BatchSource([0, 1], mean, sd, targetsPerSeries, batchSize: 1, seed: 7);
            Assert.Equal((1, 2, 1, targetsPerSeries, 2), (source.BatchSize, source.Steps, source.Features,
                source.TargetsPerSeries, source.StepsPerEpoch));
            // The order of an ArrayBatchSource with the same seed over the series' indices.
            var reference = new Engine.Training.ArrayBatchSource([0, 0, 1, 1], [0, 1], 2, 2, 1, 1, 1, 7);
            var input = new float[2];
            var target = new float[targetsPerSeries];
            var which = new float[2];
            var whichTarget = new float[1];
            for (int k = 0; k < 6; k++)
            {
                source.NextBatch(input, target, k / 2, k % 2);
                reference.NextBatch(which, whichTarget, k / 2, k % 2);
                int s = (int)whichTarget[0];
                Assert.Equal(x[s], input, new FloatTolerance(1e-6f));
                Assert.Equal(y[s], target);
            }
        }
        finally { File.Delete(path); }
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(float v) => 0;
    }
}
