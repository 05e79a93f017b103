using Demo.Data;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>
/// <see cref="DataChecks.ChooseLoss"/> at its edges, called on a <see cref="SeriesLayout"/> directly: several targets
/// (mse only, the exact refusal), data without a target, a target of ones only, a single odd value among values of
/// one class only (no "looks binary" warning), and the constant-target warning for a value other than 0 and 1.
/// </summary>
public sealed class DataChecksEdgeTests : IDisposable
{
    private readonly TempDir _dir = new("checks-");

    public void Dispose() => _dir.Dispose();

    private string File(string name, string text) => _dir.Text(name, text);

    private static SeriesLayout Open(string path, string? target) =>
        SeriesLayout.Open(path, _ => new DataOptions(target, null, null, null, null));

    // One series s1 of the given targets at times 0, 1, ...: the value of row i is on line i + 2.
    private string Series(string name, params string[] targets) =>
        File(name, "series,time,x,alarm\n" + string.Concat(targets.Select((y, i) => $"s1,{i},{i % 3},{y}\n")));

    [Fact]
    public void SeveralTargetsTrainWithMseByDefaultOrWhenGivenAndRefuseAnyOtherLoss()
    {
        string path = File("two.csv", "series,time,x,a,b\ns1,0,1,0.5,2\ns1,1,2,1.5,3\ns1,2,0,2.5,4\n");
        var data = Open(path, "a,b");
        Assert.Equal(["a", "b"], data.TargetNames);
        Assert.Equal("mse", DataChecks.ChooseLoss(data, null));
        Assert.Equal("mse", DataChecks.ChooseLoss(data, "mse"));
        var e = Assert.Throws<InputException>(() => DataChecks.ChooseLoss(data, "bce"));
        Assert.Equal($"{path}: --target names 2 columns: several targets train with --loss mse, not bce", e.Message);
        Assert.Empty(data.Warnings);
    }

    [Fact]
    public void DataWithoutATargetIsOneClassForBceAndNoConstantTargetForMse()
    {
        string path = File("notarget.csv", "series,time,x\ns1,0,1\ns1,1,2\n");
        var data = Open(path, null);
        Assert.Null(data.TargetName);
        // No target cell: no zero, so the message says 1, and the column's name is empty.
        var e = Assert.Throws<InputException>(() => DataChecks.ChooseLoss(data, null));
        Assert.Equal($"{path}: column '' is 1 on every row: one class only, so a 0/1 model has nothing to learn " +
                     "(give data with both classes)", e.Message);
        // No row: no constant-target warning.
        Assert.Equal("mse", DataChecks.ChooseLoss(data, "mse"));
        Assert.Empty(data.Warnings);
    }

    [Fact]
    public void ATargetOfOnesOnlyIsOneClassWithItsValueNamed()
    {
        string path = Series("ones.csv", "1", "1", "1");
        var e = Assert.Throws<InputException>(() => DataChecks.ChooseLoss(Open(path, "alarm"), null));
        Assert.Equal($"{path}: column 'alarm' is 1 on every row: one class only, so a 0/1 model has nothing to " +
                     "learn (give data with both classes)", e.Message);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    public void OneOddValueAmongValuesOfOneClassOnlyIsNotCalledBinary(string y)
    {
        // 4 rows, 1 of them 2: at most max(1, 4 / 100) = 1 odd value, but only one of the two classes.
        var data = Open(Series($"odd{y}.csv", y, y, y, "2"), "alarm");
        Assert.Equal("mse", DataChecks.ChooseLoss(data, null));
        Assert.Empty(data.Warnings);
    }

    [Fact]
    public void OneOddValueAmongBothClassesIsCalledBinaryWithItsLine()
    {
        string path = Series("odd.csv", "0", "1", "1", "2");
        var data = Open(path, "alarm");
        Assert.Equal("mse", DataChecks.ChooseLoss(data, null));
        // The 2 is row 4, line 5; 3 of the 4 rows are 0 or 1.
        Assert.Equal([$"{path}:5: column 'alarm' looks binary (0 or 1 on 3 of 4 rows) but has 2 here: trained as a " +
                      "numeric target with mse (fix the value, or give --loss mse to train on the numbers)"],
                     data.Warnings);
    }

    [Fact]
    public void AConstantTargetOtherThanZeroOrOneIsWarnedWithTheDefaultLoss()
    {
        string path = Series("constant.csv", "2.5", "2.5", "2.5");
        var data = Open(path, "alarm");
        Assert.Equal("mse", DataChecks.ChooseLoss(data, null));
        Assert.Equal([$"{path}: column 'alarm' is 2.5 on every row: there is nothing to learn and every importance " +
                      "will be 0"], data.Warnings);
    }
}
