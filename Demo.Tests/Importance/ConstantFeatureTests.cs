using System.Text;
using System.Text.Json;
using Demo.Importance;
using Demo.Reports;
using Demo.Tests.Data;
using Engine.Importance;
using Xunit;

namespace Demo.Tests.Importance;

/// <summary>
/// Issue 12: a constant feature, left out of training, is reported with importance 0 by every method, ranked last and
/// marked "constant, excluded", wherever features are listed: the table, the tidy CSV, the JSON with its time and lag
/// maps, and report.md.
/// </summary>
public class ConstantFeatureTests(CliFixture fx) : IClassFixture<CliFixture>
{
    private static MethodRun Run(string name, double[] scores, int[] ranks, int[]? order = null,
                                 ImportanceRanking ranking = ImportanceRanking.ByValue) =>
        new(name, 0.5, new ImportanceResult(name, scores.Select((s, i) => new FeatureImportance(i, s, ranks[i]))
            .ToArray())
        {
            ScoreMeaning = "drop", TimeMap = new double[,] { { 1, 2 }, { 3, 4 } }, Order = order,
        }, ranking);

    [Fact]
    public void EveryMethodGetsTheConstantFeaturesLastWithScoreZero()
    {
        var runs = ConstantFeatures.Append(
            [Run("permutation", [0.25, 0.5], [2, 1]),
             Run("forward-stepwise", [0.125, 0.0625], [1, 2], [0, 1], ImportanceRanking.EntryOrder)], 1);
        foreach (var run in runs)
        {
            Assert.Equal(3, run.Result.Features.Count);
            Assert.Equal(new FeatureImportance(2, 0, 3), run.Result.Features[2]);
            Assert.Equal(new double[,] { { 1, 2, 0 }, { 3, 4, 0 } }, run.Result.TimeMap);
        }
        // The tidy CSV: the constant feature's rows have score 0, the last rank and, in the stepwise search it took
        // no part in, no step.
        string[] names = ["x", "z", "k"];
        Assert.Equal("""
            method,feature,score,rank,step,sd,se,count,ci95_low,ci95_high,p,seconds,score_meaning
            permutation,x,0.25,2,,,,1,,,,0.5,drop
            permutation,z,0.5,1,,,,1,,,,0.5,drop
            permutation,k,0,3,,,,1,,,,0.5,drop
            forward-stepwise,x,0.125,1,1,,,1,,,,0.5,loss change at that step: drop
            forward-stepwise,z,0.0625,2,2,,,1,,,,0.5,loss change at that step: drop
            forward-stepwise,k,0,3,,,,1,,,,0.5,loss change at that step: drop

            """.Replace("\r", ""), ImportanceTable.Tidy(runs, names).ToCsv());
        // The table: a row per feature would not be used for 3 short names; a row per method, the constant
        // feature's column last and marked.
        string[] labels = ["x", "z", ConstantFeatures.Label("k")];
        string table = ImportanceTable.Format(runs, labels, TableFormat.Table, 100);
        Assert.Contains("k (constant, excluded)", table);
        Assert.Contains("0.0000 #3", table);
        Assert.Contains("0.0000 step -", table);
    }

    [Fact]
    public void TheCommandListsTheConstantFeatureInTheJsonAndTheReport()
    {
        string data = Path.Combine(fx.Dir, "constant-k.csv");
        var csv = new StringBuilder("series,time,x,k,z,alarm\n");
        for (int s = 0; s < 8; s++)
            for (int t = 0; t < 5; t++)
                csv.Append($"s{s},{t},{(s * 7 + t * 3) % 5},7.5,{(s + 2 * t) % 3},{(s + t) % 2}\n");
        File.WriteAllText(data, csv.ToString());
        string model = Path.Combine(fx.Dir, "constant-k.safetensors");
        Cli.Warnings("train", "--data", data, "--target", "alarm", "--model", model, "--epochs", "1", "--layers", "2");
        string json = Path.Combine(fx.Dir, "constant-k.json"), report = Path.Combine(fx.Dir, "constant-k-report");
        Cli.Warnings("importance", "--model", model, "--data", data, "--methods",
                     "permutation,partial-derivatives,forward-stepwise", "--repeats", "1", "--retrain-epochs", "1",
                     "--json", json, "--report", report);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.Equal(["x", "z", "k"], root.GetProperty("features").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["k"], root.GetProperty("constant").EnumerateArray().Select(e => e.GetString()));
        foreach (var method in root.GetProperty("methods").EnumerateArray())
        {
            var last = method.GetProperty("features")[2];
            Assert.Equal(("k", 0.0, 3), (last.GetProperty("name").GetString(), last.GetProperty("score").GetDouble(),
                                         last.GetProperty("rank").GetInt32()));
            foreach (string map in new[] { "timeMap", "lagMap" })
                if (method.TryGetProperty(map, out var rows))
                    Assert.All(rows.EnumerateArray(), row =>
                    {
                        Assert.Equal(3, row.GetArrayLength());
                        Assert.Equal(0.0, row[2].GetDouble());
                    });
        }
        Assert.True(root.GetProperty("methods")[1].TryGetProperty("timeMap", out _));
        string md = File.ReadAllText(Path.Combine(report, "report.md"));
        // The consensus table has it as a column; each method's table as its last row: score 0, rank 3, no
        // statistics (nothing was measured); the stepwise search's, no step.
        Assert.Contains("| method | x | z | k (constant, excluded) | seconds |", md);
        Assert.Equal(2, md.Split('\n').Count(l => l == "| k (constant, excluded) | 0 | 3 |  |  |  |  |"));
        Assert.Contains("| k (constant, excluded) | 0 | - | 3 |  |  |  |  |", md.Split('\n'));
    }
}
