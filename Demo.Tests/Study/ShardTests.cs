using Demo.Data;
using Demo.Sharding;
using Demo.Tests.Data;
using Engine.Importance;
using Xunit;

namespace Demo.Tests.Study;

/// <summary>Issue 15: <c>--shard k/n</c> and <c>auto</c> as Slurm, Kubernetes and AWS Batch set the array
/// index.</summary>
public class ShardSpecTests
{
    private static ShardSpec Parse(string text, params (string Name, string Value)[] env) =>
        ShardSpec.Parse(text, name => env.FirstOrDefault(e => e.Name == name).Value);

    private static string Bad(string text, params (string Name, string Value)[] env) =>
        Assert.Throws<InputException>(() => Parse(text, env)).Message;

    [Fact]
    public void KOfNIsOneBasedAndOwnsEveryNthItem()
    {
        var second = Parse("2/3");
        Assert.Equal(new ShardSpec(1, 3), second);
        Assert.Equal("2/3", second.ToString());
        Assert.Equal([1, 4, 7], Enumerable.Range(0, 9).Where(second.Owns));
        Assert.Equal(new ShardSpec(0, 1), Parse("1/1"));
    }

    [Fact]
    public void AutoReadsSlurmLessItsMinimumAndStep()
    {
        // --array=1-10: ids 1..10, min 1, count 10: id 5 is the fifth shard (index 4).
        Assert.Equal(new ShardSpec(4, 10), Parse("auto", ("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_MIN", "1"),
                                                 ("SLURM_ARRAY_TASK_COUNT", "10")));
        // --array=0-9
        Assert.Equal(new ShardSpec(0, 10), Parse("auto", ("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_MIN", "0"),
                                                 ("SLURM_ARRAY_TASK_COUNT", "10")));
        // --array=3-11:4: ids 3, 7, 11; id 11 is index 2 of 3.
        Assert.Equal(new ShardSpec(2, 3), Parse("auto", ("SLURM_ARRAY_TASK_ID", "11"), ("SLURM_ARRAY_TASK_MIN", "3"),
                                                ("SLURM_ARRAY_TASK_STEP", "4"), ("SLURM_ARRAY_TASK_COUNT", "3")));
    }

    [Fact]
    public void AutoReadsAKubernetesIndexedJobWithTheCountGivenOrSet()
    {
        Assert.Equal(new ShardSpec(2, 3), Parse("auto/3", ("JOB_COMPLETION_INDEX", "2")));
        Assert.Equal(new ShardSpec(0, 4), Parse("auto", ("JOB_COMPLETION_INDEX", "0"), (ShardSpec.CountVariable, "4")));
    }

    [Fact]
    public void AutoReadsAnAwsBatchArray()
    {
        Assert.Equal(new ShardSpec(6, 8), Parse("auto", ("AWS_BATCH_JOB_ARRAY_INDEX", "6"),
                                                ("AWS_BATCH_JOB_ARRAY_SIZE", "8")));
        Assert.Equal(new ShardSpec(1, 2), Parse("auto/2", ("AWS_BATCH_JOB_ARRAY_INDEX", "1")));
    }

    [Fact]
    public void BadValuesAreOneLineErrorsNamingTheRange()
    {
        Assert.Equal("--shard '4/3': k must be 1 to 3 (k is 1-based: 1/3 is the first shard of 3)", Bad("4/3"));
        Assert.Equal("--shard '0/3': k must be 1 to 3 (k is 1-based: 1/3 is the first shard of 3)", Bad("0/3"));
        Assert.Contains("n must be at least 1", Bad("1/0"));
        Assert.Contains("expected k/n", Bad("3"));
        Assert.Contains("'a/3': k in k/n is not a whole number", Bad("a/3"));
        Assert.Equal("--shard auto: no array index in the environment (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or " +
                     "AWS_BATCH_JOB_ARRAY_INDEX); give --shard k/n", Bad("auto"));
        Assert.Equal("--shard auto: JOB_COMPLETION_INDEX is set but not the shard count: set DEMO_SHARD_COUNT or " +
                     "give --shard auto/N", Bad("auto", ("JOB_COMPLETION_INDEX", "1")));
        Assert.Equal("--shard auto/3: JOB_COMPLETION_INDEX gives shard index 3 (0-based), outside 0 to 2 for 3 shards",
                     Bad("auto/3", ("JOB_COMPLETION_INDEX", "3")));
        Assert.Contains("SLURM_ARRAY_TASK_ID 4 is not SLURM_ARRAY_TASK_MIN 1 plus a multiple of " +
                        "SLURM_ARRAY_TASK_STEP 2",
                        Bad("auto", ("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_MIN", "1"),
                            ("SLURM_ARRAY_TASK_STEP", "2"), ("SLURM_ARRAY_TASK_COUNT", "5")));
        Assert.Contains("JOB_COMPLETION_INDEX 'x' is not a whole number", Bad("auto/2", ("JOB_COMPLETION_INDEX", "x")));
        Assert.Contains("N in auto/N must be at least 1", Bad("auto/0", ("JOB_COMPLETION_INDEX", "0")));
    }
}

/// <summary>
/// Issue 15: a study run on one machine, merged from 1 shard, from 3 shards, and from 3 shards after one item was
/// deleted and its shard run again: the same bytes (JSON and report; --no-timings, as wall times differ by run).
/// </summary>
public sealed class ShardedStudyTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("shard-").FullName;

    // 4 replicates over 3 shards: shard 1 owns replicates 0 and 3, shard 2 replicate 1, shard 3 replicate 2. The
    // methods cover the maps the outputs average (gate scores, lag maps), a retraining method and a drawing one.
    private static readonly string[] Study = ["study", "--replicates", "4", "--steps", "4", "--train-series", "16",
        "--eval-series", "12", "--units", "3", "--epochs", "2", "--batch-size", "8", "--repeats", "2",
        "--retrain-epochs", "1", "--threads", "1", "--no-timings",
        "--methods", "connection-weights,partial-derivatives,forward-stepwise,permutation"];

    public void Dispose() => Directory.Delete(dir, true);

    private string P(string name) => Path.Combine(dir, name);

    // The merged outputs of work directory `work` as (JSON, report.md).
    private (string Json, string Report) Merge(string work)
    {
        Cli.Ok("merge", "--work-dir", P(work), "--json", P(work + ".json"), "--report", P(work + "-report"));
        return (File.ReadAllText(P(work + ".json")), File.ReadAllText(Path.Combine(P(work + "-report"), "report.md")));
    }

    private void Shard(string work, string shard) => Cli.Ok([.. Study, "--shard", shard, "--work-dir", P(work)]);

    [Fact]
    public void OneShardThreeShardsAndARerunMergeToTheSingleMachineBytes()
    {
        Cli.Ok([.. Study, "--json", P("single.json"), "--report", P("single-report")]);
        string json = File.ReadAllText(P("single.json"));
        string report = File.ReadAllText(Path.Combine(P("single-report"), "report.md"));
        Assert.Contains("\"seconds\": 0", json);
        Assert.Contains("\"x1\"", json);

        Shard("one", "1/1");
        Assert.Equal((json, report), Merge("one"));

        foreach (var k in new[] { "1/3", "2/3", "3/3" }) Shard("three", k);
        Assert.Equal(4, Directory.GetFiles(P("three"), "replicate-*.json").Length);
        Assert.Equal((json, report), Merge("three"));

        // Shard 1's replicate 3 lost: merge refuses naming it; shard 1 again recomputes only it.
        File.Delete(P("three/replicate-00003.json"));
        var error = Cli.Bad(["merge", "--work-dir", P("three")], "1 of 4 replicates are not finished (3)");
        DateTime kept = File.GetLastWriteTimeUtc(P("three/replicate-00000.json"));
        Shard("three", "1/3");
        Assert.Equal(kept, File.GetLastWriteTimeUtc(P("three/replicate-00000.json")));
        Assert.Equal((json, report), Merge("three"));
        Assert.Empty(Directory.GetFiles(P("three"), "*.tmp"));
        Assert.DoesNotContain('\n', error.TrimEnd());
    }

    [Fact]
    public void AKubernetesIndexedJobsPodsMergeToTheSingleMachineBytes()
    {
        // The pods of an Indexed Job (completions 3, completionMode Indexed): the controller sets
        // JOB_COMPLETION_INDEX to 0, 1, 2; each pod runs the demo as a process of its own with --shard auto/3.
        Cli.Ok([.. Study, "--json", P("single.json")]);
        for (int index = 0; index < 3; index++)
        {
            var env = new Dictionary<string, string?>
            {
                ["JOB_COMPLETION_INDEX"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["SLURM_ARRAY_TASK_ID"] = null, ["AWS_BATCH_JOB_ARRAY_INDEX"] = null,
            };
            var (code, _, stderr) = TableFormatCliTests.ProcessWith(env,
                [.. Study, "--shard", "auto/3", "--work-dir", P("pods")]);
            Assert.True(code == 0, stderr);
        }
        Cli.Ok("merge", "--work-dir", P("pods"), "--json", P("pods.json"));
        Assert.Equal(File.ReadAllText(P("single.json")), File.ReadAllText(P("pods.json")));
    }

    [Fact]
    public void StaleItemsAndAnotherCommandLineAreRefusedNotReused()
    {
        Shard("w", "2/3");
        // Another setting on the same work directory: refused, naming the command line that made it.
        Cli.Bad([.. Study.Select(a => a == "16" ? "20" : a), "--shard", "2/3", "--work-dir", P("w")],
                $"--work-dir {P("w")} holds the work of other settings", "give a new --work-dir");
        // An item of other settings (its hash changed) is never taken as finished.
        string item = P("w/replicate-00001.json");
        File.WriteAllText(item, File.ReadAllText(item).Replace("\"settings_hash\": \"", "\"settings_hash\": \"0"));
        Cli.Bad([.. Study, "--shard", "2/3", "--work-dir", P("w")], "replicate-00001.json: computed with other " +
                                                                       "settings", "stale");
        File.WriteAllText(item, "{ not json");
        Cli.Bad([.. Study, "--shard", "2/3", "--work-dir", P("w")], "replicate-00001.json: not a finished work item");
        Cli.Bad(["merge", "--work-dir", P("nothing")], "no manifest.json there");
    }

    [Fact]
    public void AShardWritesNoResultsAndNeedsAWorkDirectory()
    {
        Cli.Bad([.. Study, "--shard", "1/2"], "--shard needs --work-dir");
        Cli.Bad([.. Study, "--shard", "1/2", "--work-dir", P("w"), "--json", P("x.json")],
                "--json: a shard writes only its items into --work-dir");
        Cli.Bad([.. Study, "--shard", "4/3", "--work-dir", P("w")], "--shard '4/3': k must be 1 to 3");
        Assert.False(Directory.Exists(P("w")));
    }
}

/// <summary>A stored result reads back field for field, doubles exactly (NaN, -0, maps, curves, p-values).</summary>
public class ResultJsonTests
{
    [Fact]
    public void EveryFieldRoundTripsExactly()
    {
        var result = new ImportanceResult("m", [
            new FeatureImportance(0, 0.1 + 0.2, 2, new SampleStatistics(0.30000000000000004, double.NaN, -0.0, 1)),
            new FeatureImportance(1, double.Epsilon, 1, null, 1.0 / 3),
        ])
        {
            ScoreMeaning = "rise", TimeMap = new[,] { { 1e-300, 2 }, { 3, double.PositiveInfinity } },
            LagMap = new[,] { { -0.0, 1 } }, GateScores = new[,] { { Math.PI, -Math.E } }, Order = [1, 0],
            Curves = [new SensitivityCurve(1, [0, 0.5], [[1, 2], [3, 4]], [2, 3])],
            Completeness = new CompletenessGap(0.01, 2.5, 64, 0.05), Note = "note", RandomisedModel = true,
        };
        var json = System.Text.Json.JsonSerializer.Serialize(StudyItemJson.Of("h",
            new Demo.Study.ReplicateResult(7, 1.5, 2.5, 0, [new MethodRun("m", 1.25, result,
                                                                          ImportanceRanking.RemovalOrder)])),
            ShardJson.Default.StudyItemJson);
        var back = System.Text.Json.JsonSerializer.Deserialize(json, ShardJson.Default.StudyItemJson)!.ToReplicate();
        Assert.Equal(7, back.Index);
        var run = back.Runs.Single();
        Assert.Equal(("m", 1.25, ImportanceRanking.RemovalOrder), (run.Name, run.Seconds, run.Ranking));
        var r = run.Result;
        Assert.Equal(result.Features, r.Features);
        Assert.True(double.IsNegative(r.Features[0].Statistics!.Value.Se));
        Assert.Equal(result.TimeMap, r.TimeMap);
        Assert.True(double.IsNegative(r.LagMap![0, 0]));
        Assert.Equal(result.GateScores, r.GateScores);
        Assert.Equal(result.Order, r.Order);
        var c = r.Curves!.Single();
        Assert.Equal(1, c.Feature);
        Assert.Equal([0, 0.5], c.Values);
        Assert.Equal([2.0, 3], c.Median);
        Assert.Equal([3.0, 4], c.Levels[1]);
        Assert.Equal(result.Completeness, r.Completeness);
        Assert.Equal(("rise", "note", true), (r.ScoreMeaning, r.Note, r.RandomisedModel));
    }
}
