using System.Globalization;
using Engine.Importance;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Demo.Importance;

/// <summary>The console table of importance results: a row per method, a column per feature, plus seconds.</summary>
public static class ImportanceTable
{
    /// <summary>
    /// A row per run: the method (and what its score measures), per feature the score and rank (#1 = most
    /// important) with the 95% interval under it where the method repeats (the p-value where it tests), and the seconds it took.
    /// </summary>
    public static Table Build(IReadOnlyList<MethodRun> runs, IReadOnlyList<string> featureNames)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Variable importance");
        table.AddColumn(new TableColumn("method"));
        foreach (var name in featureNames) table.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        table.AddColumn(new TableColumn("seconds").RightAligned());
        foreach (var run in runs)
        {
            var cells = new List<IRenderable> { new Markup($"{Markup.Escape(run.Name)}\n[dim]{Markup.Escape(run.Result.ScoreMeaning)}[/]") };
            foreach (var f in run.Result.Features)
            {
                string text = $"{Number(f.Score)} #{f.Rank}";
                if (f.Statistics is { Count: > 1 } s) text += $"\n[dim][[{Number(s.Ci95Low)}, {Number(s.Ci95High)}]][/]";
                if (f.P is { } p) text += $"\n[dim]p = {p.ToString("F3", CultureInfo.InvariantCulture)}[/]";
                cells.Add(new Markup(text));
            }
            cells.Add(new Markup(run.Seconds.ToString("F2", CultureInfo.InvariantCulture)));
            table.AddRow(cells);
        }
        return table;
    }

    /// <summary>Lines under the table: the stepwise orders and each method's note.</summary>
    public static IEnumerable<string> Notes(IReadOnlyList<MethodRun> runs, IReadOnlyList<string> featureNames)
    {
        foreach (var run in runs)
        {
            if (run.Result.Order is { } order)
                yield return $"{run.Name}: order of {run.Ranking.OrderWord()}: {string.Join(", ", order.Select(i => featureNames[i]))}";
            if (run.Result.Note is { } note) yield return note;
        }
        yield return $"total: {runs.Sum(r => r.Seconds).ToString("F2", CultureInfo.InvariantCulture)} s";
    }

    /// <summary>Writes the table and its notes to the console (at least 120 columns wide when output is redirected).</summary>
    public static void Write(IReadOnlyList<MethodRun> runs, IReadOnlyList<string> featureNames)
    {
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected) console.Profile.Width = Math.Max(console.Profile.Width, 120);
        console.Write(Build(runs, featureNames));
        foreach (var line in Notes(runs, featureNames)) Console.WriteLine(line);
    }

    /// <summary>4 decimals, or 3 significant digits in E notation for small magnitudes.</summary>
    public static string Number(double x) =>
        double.IsNaN(x) ? "NaN" : x == 0 || Math.Abs(x) >= 1e-3 ? x.ToString("F4", CultureInfo.InvariantCulture) : x.ToString("0.00E+0", CultureInfo.InvariantCulture);
}
