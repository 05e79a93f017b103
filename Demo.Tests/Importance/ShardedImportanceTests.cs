using Demo.Tests.Data;
using Xunit;

namespace Demo.Tests.Importance;

/// <summary>
/// Issue 15: <c>demo importance --networks K</c> with each network a work item: one machine, 3 shards, and 3 shards
/// with a network deleted and its shard run again merge to the same bytes (--no-timings); the items carry the
/// content of the model and data files in their settings hash.
/// </summary>
public sealed class ShardedImportanceTests(CliFixture fx) : IClassFixture<CliFixture>, IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("shard-importance-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    private string P(string name) => Path.Combine(dir, name);

    // 4 networks over 3 shards (shard 1: networks 0 and 3), grouped (the grouping is restored on merging), a weight
    // method, a drawing method and a gradient map.
    private string[] Importance => ["importance", "--model", fx.Model, "--data", fx.Csv, "--networks", "4",
        "--methods", "garson,permutation,partial-derivatives,model-randomisation", "--repeats", "2", "--threads", "1",
        "--no-timings", "--groups", "weather=temperature,humidity"];

    [Fact]
    public void ThreeShardsAndARerunMergeToTheSingleMachineBytes()
    {
        Cli.Ok([.. Importance, "--json", P("single.json"), "--report", P("single-report")]);
        string json = File.ReadAllText(P("single.json"));
        string report = File.ReadAllText(Path.Combine(P("single-report"), "report.md"));
        Assert.Contains("\"weather\"", json);
        Assert.Contains("mean of 4 networks", json);

        foreach (var k in new[] { "1/3", "2/3", "3/3" })
            Cli.Ok([.. Importance, "--shard", k, "--work-dir", P("w")]);
        Assert.Equal(4, Directory.GetFiles(P("w"), "network-*.json").Length);
        File.Delete(P("w/network-00003.json"));
        Cli.Bad(["merge", "--work-dir", P("w")], "1 of 4 networks are not finished (3)");
        Cli.Ok([.. Importance, "--shard", "1/3", "--work-dir", P("w")]);
        Cli.Ok("merge", "--work-dir", P("w"), "--json", P("merged.json"), "--report", P("merged-report"));
        Assert.Equal(json, File.ReadAllText(P("merged.json")));
        Assert.Equal(report, File.ReadAllText(Path.Combine(P("merged-report"), "report.md")));
    }

    [Fact]
    public void AnotherModelFileUnderTheSameNameIsAnotherRun()
    {
        string model = P("model.safetensors");
        File.Copy(fx.Model, model);
        string[] args = [.. Importance.Select(a => a == fx.Model ? model : a), "--shard", "2/3", "--work-dir", P("w")];
        Cli.Ok(args);
        Cli.Ok("train", "--data", fx.Csv, "--target", "alarm", "--model", model, "--epochs", "1", "--layers", "4",
               "--batch-size", "8");
        Cli.Bad(args, $"--work-dir {P("w")} holds the work of other settings");
    }
}
