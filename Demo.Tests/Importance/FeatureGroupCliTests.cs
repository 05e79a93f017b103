using System.Text.Json;
using Demo.Tests.Data;
using Xunit;

namespace Demo.Tests.Importance;

/// <summary>Issue 13 item 4: <c>demo importance --groups</c>: bad specs refused in one line, group names in the
/// outputs.</summary>
public class FeatureGroupCliTests(CliFixture fx) : IClassFixture<CliFixture>
{
    [Theory]
    [InlineData("weather=temperature,rain", "--groups: group 'weather': unknown feature 'rain'")]
    [InlineData("weather=temperature,humidity;air=humidity,wind",
                "--groups: feature 'humidity' is in two groups, 'weather' and 'air'")]
    [InlineData("weather=", "--groups: group 'weather' is empty")]
    [InlineData("temperature,humidity", "--groups: group 'temperature,humidity' has no '='")]
    public void BadGroupSpecsExitOneWithOneLineNamingTheProblem(string spec, string message)
    {
        Cli.Bad(["importance", "--model", fx.Model, "--data", fx.Csv, "--methods", "occlusion", "--groups", spec],
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
}
