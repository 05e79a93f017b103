using System.Globalization;
using Demo.Reports;
using Engine.Importance;

namespace Demo.Importance;

/// <summary>
/// The importance results as the console shows them (<see cref="TextTable"/>): with few features and short names a row
/// per method and a column per feature; otherwise a row per feature and a column per method. Each cell holds a score
/// and its rank (#1 = most important) or, for a stepwise search, the step at which the feature entered or was removed;
/// under it the half-width of the 95% interval where the method repeats, the p-value where it tests.
/// </summary>
public static class ImportanceTable
{
    /// <summary>Most features shown as columns (a row per method); more turn the table: a row per feature.</summary>
    public const int MaxFeatureColumns = 6;

    /// <summary>Longest feature name shown as a column header; longer names turn the table.</summary>
    public const int MaxFeatureHeader = 12;

    /// <summary>What a stepwise method's score is, in every table (its rank is the step).</summary>
    public const string StepScore = "loss change at that step";

    /// <summary>
    /// For a stepwise search with its order known: the step (1 = first) at which each feature entered (forward) or was
    /// removed (backward), by feature index, 0 for a feature the search did not take part in (a constant one,
    /// <see cref="ConstantFeatures"/>); else null (a ranking by score, or a mean over networks).
    /// </summary>
    public static int[]? Steps(MethodRun run)
    {
        if (run.Ranking.OrderWord() is null || run.Result.Order is not { } order) return null;
        var steps = new int[run.Result.Features.Count];
        for (int k = 0; k < order.Length; k++) steps[order[k]] = k + 1;
        return steps;
    }

    /// <summary>A step as shown: its number, or "-" for a feature not in the search (0).</summary>
    public static string StepText(int step) => step > 0 ? step.ToString(CultureInfo.InvariantCulture) : "-";

    /// <summary>What the method's score measures: for a stepwise search, the loss change at the feature's
    /// step.</summary>
    public static string Meaning(MethodRun run) =>
        Steps(run) is null ? run.Result.ScoreMeaning
            : run.Result.ScoreMeaning.Length > 0 ? $"{StepScore}: {run.Result.ScoreMeaning}" : StepScore;

    /// <summary>"0.2841 #3" (or "0.2841 step 3"), then "±0.0130" (half-width of the 95% interval) and "p =
    /// 0.050".</summary>
    private static string Cell(FeatureImportance f, int[]? steps)
    {
        string text = $"{Number(f.Score)} {(steps is null ? $"#{f.Rank}" : $"step {StepText(steps[f.Feature])}")}";
        if (f.Statistics is { Count: > 1 } s) text += $"\n±{Number(ImportanceStatistics.Z95 * s.Se)}";
        if (f.P is { } p) text += $"\np = {p.ToString("F3", CultureInfo.InvariantCulture)}";
        return text;
    }

    private static string Seconds(MethodRun run) => run.Seconds.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>
    /// The table: a row per method (name and score meaning; per feature its cell; seconds) when there are at most
    /// <see cref="MaxFeatureColumns"/> features with names of at most <see cref="MaxFeatureHeader"/> characters and it
    /// fits <paramref name="width"/> in one block; else a row per feature, a column per method, a last row of seconds,
    /// and each method's score meaning under it. Then the legend and the notes (<see cref="Notes"/>).
    /// </summary>
    public static TextTable Build(IReadOnlyList<MethodRun> runs, IReadOnlyList<string> featureNames, int width)
    {
        var table = ByMethod(runs, featureNames);
        if (featureNames.Count > MaxFeatureColumns || featureNames.Any(n => n.Length > MaxFeatureHeader)
            || !table.FitsOneBlock(width))
        {
            table = new TextTable(["feature", .. runs.Select(r => r.Name)]) { Title = "Variable importance" };
            var steps = runs.Select(Steps).ToArray();
            for (int j = 0; j < featureNames.Count; j++)
                table.Add([featureNames[j],
                           .. runs.Select((r, m) => Cell(r.Result.Features.Single(f => f.Feature == j), steps[m]))]);
            table.Add(["seconds", .. runs.Select(Seconds)]);
            foreach (var run in runs) table.Notes.Add($"{run.Name}: {Meaning(run)}");
        }
        table.Notes.AddRange(Legend(runs));
        table.Notes.AddRange(Notes(runs, featureNames));
        return table;
    }

    // A row per method: its name with the score's meaning under it, per feature its cell, the seconds.
    private static TextTable ByMethod(IReadOnlyList<MethodRun> runs, IReadOnlyList<string> featureNames)
    {
        var table = new TextTable(["method", .. featureNames, "seconds"]) { Title = "Variable importance" };
        foreach (var run in runs)
        {
            var steps = Steps(run);
            string meaning = Meaning(run);
            table.Add([meaning.Length > 0 ? $"{run.Name}\n{meaning}" : run.Name,
                       .. run.Result.Features.OrderBy(f => f.Feature).Select(f => Cell(f, steps)), Seconds(run)]);
        }
        return table;
    }

    /// <summary>What the marks in the cells mean, for the marks the table holds.</summary>
    public static IEnumerable<string> Legend(IReadOnlyList<MethodRun> runs)
    {
        var parts = new List<string>();
        if (runs.Any(r => Steps(r) is null)) parts.Add("#r: rank (#1 = most important)");
        if (runs.Any(r => Steps(r) is not null))
            parts.Add($"step k: a stepwise search's rank: the feature entered (forward) or was removed (backward) at " +
                      $"step k; its score is the {StepScore}");
        if (runs.Any(r => r.Result.Features.Any(f => f.Statistics is { Count: > 1 })))
            parts.Add("±h: half-width of the 95% interval (1.96 SE)");
        if (runs.Any(r => r.Result.Features.Any(f => f.P is not null)))
            parts.Add("p: the randomisation test's p-value");
        yield return string.Join("; ", parts) + ".";
    }

    /// <summary>Lines under the table: the stepwise orders, each method's note and the total time.</summary>
    public static IEnumerable<string> Notes(IReadOnlyList<MethodRun> runs, IReadOnlyList<string> featureNames)
    {
        foreach (var run in runs)
        {
            if (run.Result.Order is { } order)
                yield return $"{run.Name}: order of {run.Ranking.OrderWord()}: {string.Join(", " +
                             $"", order.Select(i => featureNames[i]))}";
            if (run.Result.Note is { } note) yield return note;
        }
        yield return $"total: {runs.Sum(r => r.Seconds).ToString("F2", CultureInfo.InvariantCulture)} s";
    }

    /// <summary>
    /// One row per method and feature, every number at full precision: method, feature, score, rank, step (stepwise
    /// searches), sd, se, count, ci95_low, ci95_high, p, seconds, score_meaning.
    /// </summary>
    public static TextTable Tidy(IReadOnlyList<MethodRun> runs, IReadOnlyList<string> featureNames)
    {
        static string R(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
        static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        var table =
            new TextTable(["method", "feature", "score", "rank", "step", "sd", "se", "count", "ci95_low", "ci95_high",
                           "p",
                                   "seconds", "score_meaning"]);
        foreach (var run in runs)
        {
            var steps = Steps(run);
            foreach (var f in run.Result.Features.OrderBy(f => f.Feature))
            {
                var s = f.Statistics is { Count: > 1 } st ? st : (SampleStatistics?)null;
                table.Add(run.Name, featureNames[f.Feature], R(f.Score), I(f.Rank),
                          steps is null || steps[f.Feature] == 0 ? "" : I(steps[f.Feature]),
                    s is { } a ? R(a.Sd) : "", s is { } b ? R(b.Se) : "", I(f.Statistics?.Count ?? 1),
                    s is { } c ? R(c.Ci95Low) : "", s is { } d ? R(d.Ci95High) : "", f.P is { } p ? R(p) : "",
                    R(run.Seconds), Meaning(run));
            }
        }
        return table;
    }

    /// <summary>The results as <paramref name="format"/> asks: the fitted table, the tidy CSV, or the table as
    /// markdown.</summary>
    public static string Format(IReadOnlyList<MethodRun> runs, IReadOnlyList<string> featureNames, TableFormat format,
                                int width) =>
        format == TableFormat.Csv ? Tidy(runs, featureNames).ToCsv() : Build(runs, featureNames,
                                                                             width).Format(format, width);

    /// <summary>Writes the results to the console in <paramref name="format"/>, fitted to the console's
    /// width.</summary>
    public static void Write(IReadOnlyList<MethodRun> runs, IReadOnlyList<string> featureNames,
                             TableFormat format = TableFormat.Table) =>
        Console.Write(Format(runs, featureNames, format, TextTable.ConsoleWidth()));

    /// <summary>4 decimals, or 3 significant digits in E notation for small magnitudes.</summary>
    public static string Number(double x) =>
        double.IsNaN(x) ? "NaN"
        : x == 0 || Math.Abs(x) >= 1e-3 ? x.ToString("F4", CultureInfo.InvariantCulture)
        : x.ToString("0.00E+0", CultureInfo.InvariantCulture);
}
