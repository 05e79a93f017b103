using Demo.Data;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>
/// Pins <see cref="SeriesLayout"/> past its reading of the rows: the names of the target, series and time columns
/// (at column 0 too), <see cref="SeriesLayout.KeepText"/> and <see cref="SeriesLayout.Release"/>, the checks and
/// targets of <see cref="SeriesLayout.BatchSource"/>, <see cref="SeriesLayout.Build"/> and
/// <see cref="SeriesLayout.Copy"/> with k targets or a class target, the classes of a label column and their errors,
/// the constant-feature message and a time column read up to its last row.
/// </summary>
public sealed class SeriesLayoutBuildTests : IDisposable
{
    private readonly TempDir _dir = new("layout-");

    public void Dispose() => _dir.Dispose();

    private string Write(string csv) => _dir.Text("data.csv", csv);

    private SeriesLayout Open(string csv, DataOptions options) => SeriesLayout.Open(Write(csv), _ => options);

    private static DataOptions Target(string? target, int? window = null, string? model = null,
                                      string[]? classes = null) =>
        new(target, null, null, null, window, Model: model, Classes: classes);

    // Two numeric targets a, b over 2 series of 2 steps; x is the one feature.
    private const string TwoTargets = "id,t,x,a,b\np,0,1,10,20\np,1,2,11,21\nq,0,3,12,22\nq,1,4,13,23\n";

    // One series of 3 steps whose label column y has b, a, c.
    private const string ThreeClasses = "id,t,x,y\ns,0,1,b\ns,1,2,a\ns,2,3,c\n";

    [Fact]
    public void TheTargetInColumnZeroIsNamedBuiltAndBatched()
    {
        var layout = Open("y,id,t,x\n1,s,0,5\n0,s,1,6\n", Target("y"));
        Assert.Equal("y", layout.TargetName);
        Assert.True(layout.HasTarget);
        Assert.Equal([1f, 0f], layout.Build().Targets!);
        var source = layout.BatchSource([0], [0f], [1f], targetsPerSeries: 1, batchSize: 1, seed: 1);
        var input = new float[2];
        var target = new float[1];
        source.NextBatch(input, target, 0, 0);
        Assert.Equal([5f, 6f], input);
        Assert.Equal([0f], target); // the last step's target
    }

    [Fact]
    public void TheSeriesColumnInColumnZeroIsNamed()
    {
        var layout = Open("id,t,x,y\ns,0,1,0\ns,1,2,1\n", Target("y"));
        Assert.Equal(("id", "t"), (layout.SeriesColumn, layout.TimeColumn));
        Assert.Equal("id", layout.Build().SeriesColumn);
    }

    [Fact]
    public void TheTimeColumnInColumnZeroIsNamed()
    {
        var layout = Open("t,x,y\n0,1,0\n1,2,1\n", Target("y", window: 2));
        Assert.Equal("t", layout.TimeColumn);
        Assert.Null(layout.SeriesColumn);
    }

    [Fact]
    public void WithoutATargetTheTargetNameIsNullAndThereAreNoTargets()
    {
        var layout = Open("id,t,x\ns,0,1\ns,1,2\n", Target(null));
        Assert.Null(layout.TargetName);
        Assert.Empty(layout.TargetNames);
        Assert.False(layout.HasTarget);
        Assert.Null(layout.Build().Targets);
    }

    [Fact]
    public void KTargetsAreNamedWithCommas()
    {
        var layout = Open(TwoTargets, Target("a,b"));
        Assert.Equal("a,b", layout.TargetName);
        Assert.Equal(["a", "b"], layout.TargetNames);
        Assert.Equal(2, layout.TargetWidth);
    }

    [Fact]
    public void BuildCopiesKTargetsOfEverySeriesStepByStep()
    {
        // (N 2, T 2, K 2): p's steps (10, 20), (11, 21), then q's (12, 22), (13, 23).
        var d = Open(TwoTargets, Target("a,b")).Build();
        Assert.Equal([10f, 20f, 11f, 21f, 12f, 22f, 13f, 23f], d.Targets!);
        Assert.Equal([1f, 2f, 3f, 4f], d.Inputs);
    }

    [Fact]
    public void BuildOfOneChosenSeriesCopiesThatSeries()
    {
        var d = Open(TwoTargets, Target("a,b")).Build([1]);
        Assert.Equal(["q"], d.Ids);
        Assert.Equal([3f, 4f], d.Inputs);
        Assert.Equal([12f, 22f, 13f, 23f], d.Targets!);
        Assert.Equal(["0", "1"], d.Times);
        Assert.Equal([4, 5], d.Lines); // q's rows are the file's lines 4 and 5
    }

    [Fact]
    public void BuildWithoutRowsHasNoTimesAndNoLines()
    {
        var d = Open(TwoTargets, Target("a,b")).Build(rows: false);
        Assert.Empty(d.Times);
        Assert.Empty(d.Lines);
        Assert.Equal(2, d.Count);
    }

    [Theory]
    [InlineData(2, new[] { 11f, 21f })]            // the last step: first = 2 - 2 / 2 = 1
    [InlineData(4, new[] { 10f, 20f, 11f, 21f })]  // every step: first = 2 - 4 / 2 = 0
    public void BatchesOfKTargetsHoldTheLastStepsOrEveryStepsTargets(int targetsPerSeries, float[] expected)
    {
        var layout = Open(TwoTargets, Target("a,b"));
        var source = layout.BatchSource([0], [0f], [1f], targetsPerSeries, batchSize: 1, seed: 3);
        var input = new float[2];
        var target = new float[targetsPerSeries];
        source.NextBatch(input, target, 0, 0);
        Assert.Equal([1f, 2f], input);
        Assert.Equal(expected, target);
    }

    [Fact]
    public void BatchesWithOtherThanKOrStepsTimesKTargetsAreRefused()
    {
        var layout = Open(TwoTargets, Target("a,b"));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            layout.BatchSource([0], [0f], [1f], targetsPerSeries: 3, batchSize: 1, seed: 3));
        Assert.Equal("targetsPerSeries", e.ParamName);
        Assert.Equal(3, e.ActualValue);
        Assert.StartsWith("K or Steps x K (Parameter 'targetsPerSeries')", e.Message);
    }

    [Fact]
    public void BatchesOfDataWithoutATargetAreAnError()
    {
        string path = Write("id,t,x\ns,0,1\ns,1,2\n");
        var layout = SeriesLayout.Open(path, _ => Target(null));
        var e = Assert.Throws<InputException>(() => layout.BatchSource([0], [0f], [1f], 1, 1, 1));
        Assert.Equal($"{path}: the data has no target column", e.Message);
    }

    [Fact]
    public void ForAModelWithoutSeriesColumnOrWindowTheErrorNamesTheModel()
    {
        string path = Write("t,x,y\n0,1,0\n1,2,1\n");
        var e = Assert.Throws<InputException>(() =>
            SeriesLayout.Open(path, _ => Target("y", model: "m.json")));
        Assert.Equal($"{path}:1: no series column (named series or id); the model m.json reads one series per id",
                     e.Message);
    }

    [Fact]
    public void KeepTextWithoutTimesLetsTheTimeColumnGo()
    {
        var layout = Open("id,t,x,y\ns,0,1,0\ns,1,2,1\n", Target("y"));
        layout.KeepText(times: false);
        var e = Assert.Throws<InvalidOperationException>(() => layout.Time(0, 1));
        Assert.Equal("the text cells were let go", e.Message);
        // Training reads numbers only: still there.
        Assert.Equal([0f, 1f], layout.Build(rows: false).Targets!);
    }

    [Fact]
    public void KeepTextWithTimesKeepsTheTimeColumn()
    {
        var layout = Open("id,t,x,y\ns,0,1,0\ns,5,2,1\n", Target("y"));
        layout.KeepText(times: true);
        Assert.Equal("5", layout.Time(0, 1));
    }

    [Fact]
    public void KeepTextKeepsAClassTargetsLabels()
    {
        var layout = Open(ThreeClasses, Target("y", classes: []));
        layout.KeepText(times: false);
        // b, a, c as one-hot rows over the classes a, b, c.
        Assert.Equal([0f, 1f, 0f, 1f, 0f, 0f, 0f, 0f, 1f], layout.Build(rows: false).Targets!);
    }

    [Fact]
    public void BuildAfterReleaseIsAnError()
    {
        var layout = Open("id,t,x,y\ns,0,1,0\ns,1,2,1\n", Target("y"));
        layout.Release();
        var e = Assert.Throws<InvalidOperationException>(() => layout.Build());
        Assert.Equal("the table was released", e.Message);
    }

    [Fact]
    public void ClassesAreTheDataLabelsSortedOrdinalAndTargetsTheirOneHotRows()
    {
        // Ordinal: 'B' (66) < 'a' (97) < 'b' (98); rows b, B, a.
        var layout = Open("id,t,x,y\ns,0,1,b\ns,1,2,B\ns,2,3,a\n", Target("y", classes: []));
        Assert.Equal(["B", "a", "b"], layout.Classes!);
        Assert.Equal(3, layout.TargetWidth);
        var d = layout.Build();
        Assert.Equal(["B", "a", "b"], d.Classes!);
        Assert.Equal([0f, 0f, 1f, 1f, 0f, 0f, 0f, 1f, 0f], d.Targets!);
    }

    [Fact]
    public void TwoClassesAreEnough()
    {
        var d = Open("id,t,x,y\ns,0,1,no\ns,1,2,yes\ns,2,3,no\n", Target("y", classes: [])).Build();
        Assert.Equal(["no", "yes"], d.Classes!);
        Assert.Equal([1f, 0f, 0f, 1f, 1f, 0f], d.Targets!);
    }

    [Fact]
    public void CopyWritesWholeOneHotRowsOverWhatWasThere()
    {
        var layout = Open(ThreeClasses, Target("y", classes: []));
        var x = new float[3];
        float[] y = [5, 5, 5, 5, 5, 5, 5, 5, 5];
        layout.Copy(0, x, y);
        Assert.Equal([1f, 2f, 3f], x);
        Assert.Equal([0f, 1f, 0f, 1f, 0f, 0f, 0f, 0f, 1f], y); // b, a, c
    }

    [Fact]
    public void ALabelColumnWithOneClassIsAnError()
    {
        string path = Write("id,t,x,y\ns,0,1,a\ns,1,2,a\n");
        var e = Assert.Throws<InputException>(() => SeriesLayout.Open(path, _ => Target("y", classes: [])));
        Assert.Equal($"{path}: column 'y' has one class only ('a'): nothing to learn " +
                     "(give data with two classes or more)", e.Message);
    }

    [Fact]
    public void AnEmptyLabelIsAnErrorAtItsFirstRow()
    {
        // Rows 0 and 1 have labels; row 2 (line 4) is the first empty one, and row 3 is empty again.
        string path = Write("id,t,x,y\ns,0,1,a\ns,1,2,b\ns,2,3,\ns,3,4,\n");
        var e = Assert.Throws<InputException>(() => SeriesLayout.Open(path, _ => Target("y", classes: [])));
        Assert.Equal($"{path}:4: column 'y' (column 4) is empty; every row needs a class label", e.Message);
    }

    [Fact]
    public void AnEmptyLabelOnTheFirstRowIsAnErrorThere()
    {
        // Row 0 (line 2) and row 1 are empty: the first is named.
        string path = Write("id,t,x,y\ns,0,1,\ns,1,2,\ns,2,3,a\ns,3,4,b\n");
        var e = Assert.Throws<InputException>(() => SeriesLayout.Open(path, _ => Target("y", classes: [])));
        Assert.Equal($"{path}:2: column 'y' (column 4) is empty; every row needs a class label", e.Message);
    }

    [Fact]
    public void ALabelTheModelWasNotTrainedOnIsAnErrorAtItsFirstRow()
    {
        string path = Write("id,t,x,y\ns,0,1,c\ns,1,2,a\ns,2,3,c\n");
        var e = Assert.Throws<InputException>(() =>
            SeriesLayout.Open(path, _ => Target("y", model: "m.json", classes: ["a", "b"])));
        Assert.Equal($"{path}:2: column 'y' (column 4) has the class 'c', which the model m.json was not trained on " +
                     "(its classes: a, b)", e.Message);
    }

    [Fact]
    public void TheModelsClassesAreTakenAsGiven()
    {
        var layout = Open("id,t,x,y\ns,0,1,b\ns,1,2,b\n", Target("y", model: "m.json", classes: ["b", "a"]));
        Assert.Equal(["b", "a"], layout.Classes!);
        Assert.Equal([1f, 0f, 1f, 0f], layout.Build().Targets!);
    }

    [Theory]
    [InlineData("a,b,c,d,e", "a, b, c, d, e")]
    [InlineData("a,b,c,d,e,f", "a, b, c, d, e, ...")]
    public void EveryFeatureConstantNamesTheFirstFive(string features, string named)
    {
        int k = features.Split(',').Length;
        string row = string.Join(",", Enumerable.Repeat("7", k));
        string path = Write($"id,t,{features},y\ns,0,{row},0\ns,1,{row},1\n");
        var layout = SeriesLayout.Open(path, _ => Target("y"));
        var e = Assert.Throws<InputException>(layout.LeaveOutConstantFeatures);
        Assert.Equal($"{path}: every feature column is constant ({named}): there is nothing to learn from", e.Message);
    }

    [Fact]
    public void ATimeColumnOfExactlyOneChunkIsReadToItsLastRow()
    {
        // 1,024 rows fill the first chunk of the time column's ids exactly: nothing is read past the last row.
        var csv = new System.Text.StringBuilder("t,x,y\n");
        for (int r = 0; r < 1024; r++)
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{r},{r},0\n");
        var layout = Open(csv.ToString(), Target("y", window: 1024));
        Assert.Equal((1, 1024), (layout.Count, layout.Steps));
        Assert.Equal("1023", layout.Time(0, 1023));
    }

    [Fact]
    public void AClassColumnOfExactlyOneChunkIsReadToItsLastRow()
    {
        // 1,024 rows fill the first chunk of the label column's ids exactly: nothing is read past the last row.
        var csv = new System.Text.StringBuilder("x,y\n");
        for (int r = 0; r < 1024; r++)
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{r},{"ab"[r % 2]}\n");
        var layout = Open(csv.ToString(), Target("y", window: 1024, classes: []));
        Assert.Equal(["a", "b"], layout.Classes!);
        var d = layout.Build();
        Assert.Equal([0f, 1f], d.Targets![^2..]); // row 1,023 is b
    }
}
