using System.Text.Json;
using Demo.Tests.Data;
using Xunit;

namespace Demo.Tests.Importance;

/// <summary><c>importance --no-maps</c>: the maps that cost most of input-perturbation's and integrated gradients'
/// time are left out; every score is the same as with them.</summary>
public class NoMapsCliTests(CliFixture fx) : IClassFixture<CliFixture>
{
    private (double[][] Scores, bool[] TimeMaps, bool[] LagMaps) Run(string name, params string[] extra)
    {
        string json = Path.Combine(fx.Dir, name);
        Cli.Ok(["importance", "--model", fx.Model, "--data", fx.Csv, "--methods",
                "input-perturbation,integrated-gradients", "--threads", "1", "--json", json, .. extra]);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var methods = doc.RootElement.GetProperty("methods").EnumerateArray().ToList();
        static bool Has(JsonElement m, string key) =>
            m.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;
        return (methods.Select(m => m.GetProperty("features").EnumerateArray()
                                     .Select(f => f.GetProperty("score").GetDouble()).ToArray()).ToArray(),
                methods.Select(m => Has(m, "timeMap")).ToArray(), methods.Select(m => Has(m, "lagMap")).ToArray());
    }

    [Fact]
    public void NoMapsDropsTheCostlyMapsAndKeepsEveryScore()
    {
        var full = Run("maps.json");
        var lean = Run("no-maps.json", "--no-maps");
        Assert.Equal(full.Scores, lean.Scores);
        Assert.Equal([true, true], full.TimeMaps);      // input-perturbation's and integrated gradients' time maps
        Assert.Equal([true, true], full.LagMaps);
        Assert.Equal([false, true], lean.TimeMaps);     // integrated gradients keeps its (cheap) time map
        Assert.Equal([false, false], lean.LagMaps);
    }
}
