using System.Text.Json;
using Demo.Tests.Data;
using Xunit;

namespace Demo.Tests.Importance;

/// <summary>Issue 13 item 4: <c>demo importance --groups</c>: bad specs refused in one line, group names in the
/// outputs.</summary>
public class FeatureGroupCliTests(CliFixture fx) : IClassFixture<CliFixture>
{
    [Theory]
    [InlineData("--groups", "weather=temperature,rain", "--groups: group 'weather': unknown feature 'rain'")]
    [InlineData("--groups", "weather=temperature,humidity;air=humidity,wind",
                "--groups: feature 'humidity' is in two groups, 'weather' and 'air'")]
    [InlineData("--groups", "weather=", "--groups: group 'weather' is empty")]
    [InlineData("--groups", "temperature,humidity", "--groups: group 'temperature,humidity' has no '='")]
    [InlineData("--lag-groups", "0-2,2-7", "--lag-groups: windows '0-2' and '2-7' overlap at lag 2")]
    [InlineData("--lag-groups", "0-8",
                "--lag-groups: window '0-8' reaches lag 8, and the series have 8 steps (lags 0-7)")]
    [InlineData("--lag-groups", "0-two",
                "--lag-groups: window '0-two' is not a lag range: write first-last whole lags")]
    [InlineData("--lag-groups", "3-1", "--lag-groups: window '3-1' runs backwards: write 1-3")]
    public void BadGroupSpecsExitOneWithOneLineNamingTheProblem(string option, string spec, string message)
    {
        Cli.Bad(["importance", "--model", fx.Model, "--data", fx.Csv, "--methods", "occlusion", option, spec],
                message);
    }

    [Fact]
    public void TablesAndJsonShowTheGroupNames()
    {
        string json = Path.Combine(fx.Dir, "groups.json");
        var (code, stdout, stderr) = TableFormatCliTests.Process("importance", "--model", fx.Model, "--data", fx.Csv,
            "--methods", "garson,permutation,occlusion", "--repeats", "2", "--groups", "weather=temperature,humidity",
            "--format", "csv", "--json", json);
        Assert.True(code == 0, stderr);
        var lines = stdout.TrimEnd('\n').Split('\n');
        // Three units (weather, wind, pressure) per method.
        Assert.Equal(1 + 3 * 3, lines.Length);
        Assert.StartsWith("garson,weather,", lines[1]);
        Assert.StartsWith("garson,wind,", lines[2]);
        Assert.StartsWith("occlusion,pressure,", lines[^1]);
        Assert.Contains("summed over each group", lines[1]);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(["weather", "wind", "pressure"],
                     doc.RootElement.GetProperty("features").EnumerateArray().Select(e => e.GetString()));
        var groups = doc.RootElement.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal("weather", groups[0].GetProperty("name").GetString());
        Assert.Equal(["temperature", "humidity"],
                     groups[0].GetProperty("features").EnumerateArray().Select(e => e.GetString()));
        foreach (var method in doc.RootElement.GetProperty("methods").EnumerateArray())
            Assert.Equal(["weather", "wind", "pressure"],
                         method.GetProperty("features").EnumerateArray().Select(f =>
                             f.GetProperty("name").GetString()));
        var occlusion = doc.RootElement.GetProperty("methods").EnumerateArray().Single(m =>
            m.GetProperty("name").GetString() == "occlusion");
        Assert.Equal(3, occlusion.GetProperty("timeMap")[0].GetArrayLength());
    }

    [Fact]
    public void TheTableNamesTheGroups()
    {
        var (code, stdout, stderr) = TableFormatCliTests.Process("importance", "--model", fx.Model, "--data", fx.Csv,
            "--methods", "occlusion", "--groups", "weather=temperature,humidity;air=wind");
        Assert.True(code == 0, stderr);
        Assert.Contains("weather", stdout);
        Assert.Contains("air", stdout);
    }

    [Fact]
    public void LagWindowsAreTheUnitsAndTheOtherMethodsAreSkipped()
    {
        string json = Path.Combine(fx.Dir, "lags.json");
        var (code, stdout, stderr) = TableFormatCliTests.Process("importance", "--model", fx.Model, "--data", fx.Csv,
            "--methods", "garson,permutation,occlusion,forward-stepwise", "--repeats", "2", "--lag-groups", "0-2,3-7",
            "--groups", "weather=temperature,humidity", "--format", "csv", "--json", json);
        Assert.True(code == 0, stderr);
        Assert.Contains("garson skipped: it scores whole features, not lag windows", stdout + stderr);
        // The sample model predicts every step: a window moves with the output, and one retrained network cannot.
        Assert.Contains("forward-stepwise skipped: a lag window moves with each output step", stdout + stderr);
        var lines = stdout.TrimEnd('\n').Split('\n').Where(l => !l.StartsWith("note:", StringComparison.Ordinal))
                          .ToArray();
        string[] units = ["weather lags 0-2", "weather lags 3-7", "wind lags 0-2", "wind lags 3-7",
            "pressure lags 0-2", "pressure lags 3-7"];
        // Six units per method, two methods.
        Assert.Equal(1 + 2 * 6, lines.Length);
        Assert.StartsWith("permutation,weather lags 0-2,", lines[1]);
        Assert.StartsWith("occlusion,pressure lags 3-7,", lines[^1]);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(units, doc.RootElement.GetProperty("features").EnumerateArray().Select(e => e.GetString()));
        var groups = doc.RootElement.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(["temperature", "humidity"],
                     groups[1].GetProperty("features").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([3, 7], groups[1].GetProperty("lags").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void StepwiseRetrainsWithoutEachWindowOnALastStepModel()
    {
        string model = Path.Combine(fx.Dir, "last.safetensors");
        Cli.Ok("train", "--data", fx.Csv, "--target", "alarm", "--model", model, "--epochs", "1", "--layers", "3",
               "--batch", "8", "--output", "last");
        var (code, stdout, stderr) = TableFormatCliTests.Process("importance", "--model", model, "--data", fx.Csv,
            "--methods", "forward-stepwise,backward-stepwise", "--restarts", "1", "--retrain-epochs", "1",
            "--lag-groups", "0-1,2-7", "--format", "csv");
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("skipped", stdout + stderr);
        var lines = stdout.TrimEnd('\n').Split('\n').Where(l => !l.StartsWith("note:", StringComparison.Ordinal))
                          .ToArray();
        // Two windows per method; each window enters (leaves) once: ranks 1 and 2.
        Assert.Equal(1 + 2 * 2, lines.Length);
        Assert.StartsWith("forward-stepwise,lags 0-1,", lines[1]);
        Assert.StartsWith("backward-stepwise,lags 2-7,", lines[^1]);
    }
}
