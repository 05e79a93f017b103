using Xunit;

namespace Demo.Tests.Data;

/// <summary>Data without a time column: predict's rows name each step by its index in the series (or window), 0 to
/// T - 1, in a column named step, whatever the order of the rows in the file.</summary>
public class NoTimeColumnTests(CliFixture fx) : IClassFixture<CliFixture>
{
    private string[][] Predict(string name, string csv, params string[] train)
    {
        string data = fx.File($"{name}.csv", csv), model = Path.Combine(fx.Dir, $"{name}.safetensors");
        string output = Path.Combine(fx.Dir, $"{name}-predictions.csv");
        Cli.Ok(["train", "--data", data, "--target", "y", "--model", model, "--epochs", "1", "--layers", "2",
                "--validation", "0", .. train]);
        Cli.Ok("predict", "--data", data, "--model", model, "--out", output);
        return File.ReadAllLines(output).Select(l => l.Split(',')[..4]).ToArray();
    }

    [Fact]
    public void SeriesWithoutTimesAreNumberedByStep()
    {
        // Rows of series a and b alternate: a's steps are on lines 2, 4, 6, b's on 3, 5, 7.
        var rows = Predict("no-time", "id,x,y\na,1,0\nb,2,1\na,3,1\nb,4,0\na,5,1\nb,6,0\n");
        Assert.Equal([["series", "step", "line", "y"],
                      ["a", "0", "2", "0"], ["a", "1", "4", "1"], ["a", "2", "6", "1"],
                      ["b", "0", "3", "1"], ["b", "1", "5", "0"], ["b", "2", "7", "0"]], rows);
    }

    [Fact]
    public void WindowsWithoutTimesAreNumberedByStepInTheWindow()
    {
        var rows = Predict("no-time-window", "x,y\n1,0\n2,1\n3,1\n4,0\n5,1\n", "--window", "2");
        Assert.Equal([["series", "step", "line", "y"],
                      ["w1", "0", "2", "0"], ["w1", "1", "3", "1"], ["w2", "0", "4", "1"], ["w2", "1", "5", "0"]],
                     rows);
    }
}
