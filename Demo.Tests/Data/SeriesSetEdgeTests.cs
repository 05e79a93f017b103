using Demo.Data;
using Engine.Training;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>
/// Pins the small members of the data records: <see cref="SeriesSet.TargetWidth"/>,
/// <see cref="SeriesSet.BinaryTarget"/> and the error of <see cref="SeriesSet.NonBinaryTarget(string, int, string?,
/// float, string?)"/>, the SD floor of <see cref="Standardiser"/>, <see cref="TrainingInfo"/>'s default loss and
/// <see cref="EpochLoss.Of"/>'s missing validation loss.
/// </summary>
public class SeriesSetEdgeTests
{
    private static SeriesSet Set(string[] targetNames, string[]? classes = null, float[]? targets = null) => new()
    {
        Path = "d.csv", FeatureNames = ["x"], Count = 1, Steps = 1, Inputs = [0f], Ids = ["s"], Times = [],
        Lines = [], TargetNames = targetNames, Classes = classes, Targets = targets,
    };

    [Fact]
    public void TheTargetWidthOfAClassTargetIsItsClassCount() =>
        Assert.Equal(3, Set(["y"], classes: ["a", "b", "c"]).TargetWidth);

    [Theory]
    [InlineData(new string[0], 1)]
    [InlineData(new[] { "y" }, 1)]
    [InlineData(new[] { "a", "b" }, 2)]
    public void TheTargetWidthOfNumbersIsTheTargetCountAtLeastOne(string[] names, int width) =>
        Assert.Equal(width, Set(names).TargetWidth);

    [Fact]
    public void WithoutTargetsTheTargetIsNotBinary() => Assert.False(Set([]).BinaryTarget);

    [Fact]
    public void OneTargetThatIsNeitherZeroNorOneMakesTheTargetNotBinary() =>
        Assert.False(Set(["y"], targets: [0f, 2f, 1f]).BinaryTarget);

    [Fact]
    public void ZerosAndOnesAreBinary() => Assert.True(Set(["y"], targets: [0f, 1f, 1f]).BinaryTarget);

    [Fact]
    public void TheNonBinaryTargetErrorWithoutAModelNamesTheLossOption()
    {
        var e = SeriesSet.NonBinaryTarget("d.csv", 3, "y", 2.5f, null);
        Assert.Equal("d.csv:3: column 'y' has 2.5, but --loss bce needs targets of 0 or 1 " +
                     "(use --loss mse for a numeric target)", e.Message);
    }

    [Fact]
    public void TheNonBinaryTargetErrorOfAModelNamesTheModel()
    {
        var e = SeriesSet.NonBinaryTarget("d.csv", 3, "y", 2.5f, "m.json");
        Assert.Equal("d.csv:3: column 'y' has 2.5, but the model m.json was trained with loss bce, which needs " +
                     "targets of 0 or 1", e.Message);
    }

    [Fact]
    public void AnSdOfExactly1EMinus12BecomesOne()
    {
        // Rows 0 and 2e-12f: mean 1e-12f, each deviation +-1e-12f exactly (halving and squaring a float are exact
        // in double), so the SD is exactly 1e-12f: not above the floor.
        var (mean, sd) = Standardiser.Fit([0f, 2e-12f], 1);
        Assert.Equal(1e-12f, mean[0]);
        Assert.Equal(1f, sd[0]);
    }

    [Fact]
    public void AnSdAboveTheFloorIsKept()
    {
        // Rows 0 and 4e-12f: SD 2e-12f exactly.
        var (_, sd) = Standardiser.Fit([0f, 4e-12f], 1);
        Assert.Equal(2e-12f, sd[0]);
    }

    [Fact]
    public void TrainingInfoDefaultsToLossBce() => Assert.Equal("bce", new TrainingInfo().Loss);

    [Fact]
    public void AnEpochWithoutValidationHasNoValidationLoss()
    {
        var e = EpochLoss.Of(new EpochResult(3, 0.5f, float.NaN, 1.0));
        Assert.Equal((3, 0.5f), (e.Epoch, e.Loss));
        Assert.Null(e.ValidationLoss);
        Assert.Null(e.Metrics);
        Assert.Null(e.ValidationMetrics);
    }

    [Fact]
    public void AnEpochsValidationLossIsKept() =>
        Assert.Equal(0.25f, EpochLoss.Of(new EpochResult(3, 0.5f, 0.25f, 1.0)).ValidationLoss);
}
