using System.Runtime.CompilerServices;
using Demo.Importance;
using Demo.Reports;
using Engine.Importance;
using Xunit;

namespace Demo.Tests.Importance;

/// <summary>
/// Issue 12: the importance table fits the console. Twelve features named like <c>sensor_00_reading</c> under all
/// fourteen methods render at 80 and 120 columns with no line over the width and no word cut: snapshots compared
/// exactly (set UPDATE_SNAPSHOTS=1 to rewrite them, then read the diff), plus checks that rebuild every header and
/// name from the rendered text. Stepwise searches show the step, not a rank, and say what their score is.
/// </summary>
public class ImportanceTableTests
{
    private static readonly string[] Sensors = Enumerable.Range(0, 12).Select(i => $"sensor_{i:D2}_reading").ToArray();

    // A result of each of the fourteen methods on 12 features, its numbers made up but fixed: scores with signs and
    // small magnitudes (E notation), repeats (95% intervals), p-values, stepwise orders of entry and removal, a note.
    internal static List<MethodRun> Runs(int features)
    {
        var runs = new List<MethodRun>();
        foreach (var (name, m) in ImportanceMethods.Names.Select((n, m) => (n, m)))
        {
            var method = ImportanceMethods.Create(name, new ImportanceOptions());
            double[] scores = Enumerable.Range(0, features)
                .Select(j =>
                    ((j * 7 + m * 5) % 13 + 1) / (m == 10 ? 10000.0 : 100.0) * (j % 4 == 3 ? -1 : 1)).ToArray();
            ImportanceResult result;
            if (method.Ranking.OrderWord() is not null)
            {
                // The order: features by (j * 5 + m) mod F, a permutation; ranks as the engine gives them.
                int[] order = Enumerable.Range(0, features).OrderBy(j => (j * 5 + m) % features).ToArray();
                var ranks = new int[features];
                for (int k = 0; k < features; k++)
                    ranks[order[k]] = method.Ranking == ImportanceRanking.EntryOrder ? k + 1 : features - k;
                string meaning =
                    method.Ranking == ImportanceRanking.EntryOrder ? "drop in mse at entry" : "rise in mse at removal";
                var stepScores = scores.Select(s => new SampleStatistics(s, double.NaN, double.NaN, 1)).ToArray();
                result = ImportanceResult.FromRanks(name, stepScores, ranks) with
                {
                    Order = order,
                    ScoreMeaning = meaning
                };
            }
            else
            {
                bool repeated = name is "permutation" or "input-perturbation" or "model-randomisation";
                var statistics = repeated ? scores.Select((s, j) =>
                    new SampleStatistics(s, 0.01 * (j + 1), 0.001 * (j + 1), 10)).ToArray() : null;
                result = ImportanceResult.FromScores(name, scores, statistics,
                                                     method.Ranking.ByMagnitude()) with
                {
                    ScoreMeaning = $"score of " +
                                                         $"{name}"
                };
                if (name == "connection-weights-test")
                    result =
                        result with
                        {
                            Features = result.Features.Select(f =>
                            f with { P = (f.Feature % 5 + 1) / 20.0 }).ToArray()
                        };
                if (name == "occlusion")
                    result =
                        result with
                        {
                            Note = "occlusion: a note that is long enough to wrap at the width of an " +
                                             "80-column console"
                        };
            }
            runs.Add(new MethodRun(name, 0.25 * (m + 1), result, method.Ranking));
        }
        return runs;
    }

    private static string SnapshotPath(string name, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Snapshots", name);

    private static void MatchesSnapshot(string actual, string name)
    {
        string path = SnapshotPath(name);
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(path, actual);
            Assert.Fail($"{path} rewritten: read the diff, then run again without UPDATE_SNAPSHOTS");
        }
        Assert.Equal(File.ReadAllText(path), actual);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void TwelveLongNamesFitTheWidthWithNoWordCut(int width)
    {
        var runs = Runs(12);
        string text = ImportanceTable.Build(runs, Sensors, width).Render(width);
        MatchesSnapshot(text, $"importance-12-features-{width}.txt");
        var lines = text.Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= width, $"{l.Length} > {width}: {l}"));

        // Rebuild each block: its header cells (a column's lines joined, after a '-' with nothing between) must be
        // whole method names, its first column whole feature names. Every method is in exactly one block.
        var seen = new List<string>();
        int b = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith('╭')) continue;
            b++;
            var header = new List<string[]>();
            for (i++; !lines[i].StartsWith('├'); i++) header.Add(Cells(lines[i]));
            var names = Enumerable.Range(0, header[0].Length).Select(c =>
                header.Select(h => h[c]).Where(h => h.Length > 0)
                .Aggregate("", (a, h) => a.Length == 0 || a.EndsWith('-') ? a + h : $"{a} {h}")).ToArray();
            Assert.Equal("feature", names[0]);
            Assert.All(names.Skip(1), n => Assert.Contains(n, ImportanceMethods.Names));
            seen.AddRange(names.Skip(1));
            var keys = new List<string>();
            for (i++; !lines[i].StartsWith('╰'); i++)
                if (Cells(lines[i])[0] is { Length: > 0 } key) keys.Add(key);
            Assert.Equal([.. Sensors, "seconds"], keys);
        }
        Assert.Equal(ImportanceMethods.Names, seen);
        Assert.Equal(width == 80 ? 4 : 3, b);
    }

    private static string[] Cells(string line) => line.Split('│')[1..^1].Select(c => c.Trim()).ToArray();

    [Fact]
    public void FewShortFeaturesKeepARowPerMethod()
    {
        var runs = Runs(4).Where(r => r.Name is "garson" or "permutation" or "forward-stepwise").ToList();
        string[] names = ["temperature", "humidity", "wind", "pressure"];
        string text = ImportanceTable.Build(runs, names, 100).Render(100);
        MatchesSnapshot(text, "importance-4-features-100.txt");
        // The same table in 60 columns does not fit a row per method: a row per feature.
        Assert.StartsWith("Variable importance\n╭─────────────┬", ImportanceTable.Build(runs, names, 60).Render(60));
    }

    [Fact]
    public void StepwiseShowsTheStepAndTheLossChangeNotARank()
    {
        // Forward search entered x2 first, then x3, then x1, but x3's entry changed the loss more than x2's: the
        // cell shows the step, so 0.2841 at step 3 no longer reads as a contradiction of a rank.
        var result = new ImportanceResult("forward-stepwise",
        [
            new FeatureImportance(0, 0.2841, 3), new FeatureImportance(1, 0.0415, 1),
            new FeatureImportance(2, 0.3000, 2),
        ])
        { Order = [1, 2, 0], ScoreMeaning = "drop in binary_crossentropy at entry" };
        var run = new MethodRun("forward-stepwise", 1, result, ImportanceRanking.EntryOrder);
        Assert.Equal([3, 1, 2], ImportanceTable.Steps(run)!);
        Assert.Equal("loss change at that step: drop in binary_crossentropy at entry", ImportanceTable.Meaning(run));
        Assert.Equal("""
            Variable importance
            ╭────────────────────────────────────────┬───────────────┬───────────────┬───────────────┬─────────╮
            │ method                                 │            x1 │            x2 │            x3 │ seconds │
            ├────────────────────────────────────────┼───────────────┼───────────────┼───────────────┼─────────┤
            │ forward-stepwise                       │ 0.2841 step 3 │ 0.0415 step 1 │ 0.3000 step 2 │    1.00 │
            │ loss change at that step: drop in      │               │               │               │         │
            │ binary_crossentropy at entry           │               │               │               │         │
            ╰────────────────────────────────────────┴───────────────┴───────────────┴───────────────┴─────────╯
            step k: a stepwise search's rank: the feature entered (forward) or was removed (backward) at step k;
            its score is the loss change at that step.
            forward-stepwise: order of entry: x2, x3, x1
            total: 1.00 s

            """, ImportanceTable.Build([run], ["x1", "x2", "x3"], 100).Render(100));

        // Backward: the first removed is step 1 (and ranks last).
        var backward = new MethodRun("backward-stepwise", 1, result with { Order = [2, 0, 1] },
                                     ImportanceRanking.RemovalOrder);
        Assert.Equal([2, 3, 1], ImportanceTable.Steps(backward)!);
        // A mean over networks has no order: ranks by score again.
        Assert.Null(ImportanceTable.Steps(run with { Result = result with { Order = null } }));
    }

    [Fact]
    public void StepwiseChartsDrawTheOrderNotTheScore()
    {
        var result = new ImportanceResult("forward-stepwise",
        [
            new FeatureImportance(0, 0.2841, 3), new FeatureImportance(1, 0.0415, 1),
            new FeatureImportance(2, 0.3000, 2),
        ])
        { Order = [1, 2, 0], ScoreMeaning = "drop in mse at entry" };
        string[] names = ["x1", "x2", "x3"];
        var forward =
            Commands.ImportanceCommand.Outcome(new MethodRun("forward-stepwise", 1, result,
                                                             ImportanceRanking.EntryOrder), names);
        var (title, values, intervals, axis, labels) = Report.Bars(forward);
        Assert.Equal("forward-stepwise: order of entry", title);
        Assert.Equal([1.0, 3.0, 2.0], values); // F + 1 - rank: x2 entered first, longest
        Assert.Equal(["step 3", "step 1", "step 2"], labels!);
        Assert.Equal("order of entry (the first to enter has the longest bar)", axis);
        Assert.All(intervals, i => Assert.Null(i));
        Assert.Contains("Score: loss change at that step: drop in mse at entry.", forward.Note);

        // Backward: x1 removed first (rank 3), x3 last (rank 1, longest bar).
        var backward = Commands.ImportanceCommand.Outcome(new MethodRun("backward-stepwise", 1,
            result with { Order = [0, 1, 2], Features = [new(0, 0.5, 3), new(1, 0.1, 2), new(2, -0.2, 1)] },
            ImportanceRanking.RemovalOrder), names);
        (_, values, _, axis, labels) = Report.Bars(backward);
        Assert.Equal([1.0, 2.0, 3.0], values);
        Assert.Equal(["step 1", "step 2", "step 3"], labels!);
        Assert.Equal("order of removal (the last removed has the longest bar)", axis);

        // A ranking by score draws the scores.
        var permutation =
            Commands.ImportanceCommand.Outcome(new MethodRun("permutation", 1, result with { Order = null },
                                                             ImportanceRanking.ByValue), names);
        (title, values, _, axis, labels) = Report.Bars(permutation);
        Assert.Equal([0.2841, 0.0415, 0.3000], values);
        Assert.Equal("score", axis);
        Assert.Null(labels);
    }

    [Fact]
    public void CsvHasARowPerMethodAndFeatureAtFullPrecision()
    {
        var runs = Runs(3).Where(r =>
            r.Name is "permutation" or "backward-stepwise" or "connection-weights-test").ToList();
        string csv = ImportanceTable.Format(runs, ["a", "b,c", "d"], TableFormat.Csv, 100);
        MatchesSnapshot(csv, "importance-3-features.csv");
        Assert.StartsWith("method,feature,score,rank,step,sd,se,count,ci95_low,ci95_high,p,seconds,score_meaning\n",
                          csv);
        Assert.Contains("\"b,c\"", csv);
    }

    [Fact]
    public void MarkdownIsOneTableAndTheNotesAsAList()
    {
        var runs = Runs(12).Take(3).ToList();
        string md = ImportanceTable.Format(runs, Sensors, TableFormat.Markdown, 80);
        MatchesSnapshot(md, "importance-12-features.md");
        Assert.StartsWith("## Variable importance\n\n| feature | connection-weights | connection-weights-test | " +
                          "garson |\n|---|---:|---:|---:|\n", md);
    }

    [Theory]
    [InlineData("permutation-importance", 8, new[] { "permutation-", "importance" })]
    [InlineData("rise in loss when shuffled", 10, new[] { "rise in", "loss when", "shuffled" })]
    [InlineData("sensor_00_reading", 10, new[] { "sensor_00_", "reading" })]
    [InlineData("averyveryverylongword x", 5, new[] { "averyveryverylongword", "x" })]
    [InlineData("", 5, new[] { "" })]
    // A word that fits on a line of its own is not broken at '_' or '/' (the README's table showed "rise in binary_"
    // over "crossentropy" and "share of sum (dy/" over "dx)^2"); one that does not fit is.
    [InlineData("rise in binary_crossentropy", 20, new[] { "rise in", "binary_crossentropy" })]
    [InlineData("share of sum (dy/dx)^2", 20, new[] { "share of sum", "(dy/dx)^2" })]
    [InlineData("mean |change in binary_crossentropy|, cell", 20,
                new[] { "mean |change in", "binary_", "crossentropy|, cell" })]
    [InlineData("a connection-weights-test", 12, new[] { "a", "connection-", "weights-test" })]
    [InlineData("ab connection-weights-test", 14, new[] { "ab connection-", "weights-test" })]
    public void WrapBreaksAtSpacesAndAfterSeparatorsOnly(string text, int width, string[] expected) =>
        Assert.Equal(expected, TextTable.Wrap(text, width));
}
