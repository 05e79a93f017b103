using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Demo.Data;
using Demo.Reports;
using Engine.Importance;
using Engine.Models;
using Engine.Random;
using Spectre.Console;

namespace Demo.Commands;

/// <summary>
/// <c>demo importance</c>: ranks a trained model's inputs on the user's data with one or more importance methods,
/// prints a table (a row per method, a column per feature), and optionally writes JSON and a report with charts.
/// </summary>
public static class ImportanceCommand
{
    // Declared first: the --methods option's description lists the names.
    // Method name -> runner. A method added here appears in --methods, the table, the JSON and the report.
    private static readonly Dictionary<string, Func<Context, MethodOutcome>> Registry = new()
    {
        ["input-perturbation"] = InputPerturbation,
    };

    private static readonly Option<string> Model = CommandOptions.RequiredPath("--model", "The model file (.safetensors).");
    private static readonly Option<string> Data = CommandOptions.RequiredPath("--data", "CSV file with the model's feature columns (and its target, for methods that need the loss).");
    private static readonly Option<string> Methods = new("--methods") { Description = $"Methods, comma-separated, or 'all': {string.Join(", ", MethodNames)}.", DefaultValueFactory = _ => "all" };
    private static readonly Option<int> Repeats = CommandOptions.PositiveInt("--repeats", 10, "Repeats of random methods (noise draws, permutations), for the SD and 95% interval.");
    private static readonly Option<ulong> Seed = CommandOptions.Seed();
    private static readonly Option<string?> Report = new("--report") { Description = "Write report.md and report.html with charts into this directory." };
    private static readonly Option<string?> Json = CommandOptions.Json();

    /// <summary>The methods this command runs, by CLI name.</summary>
    public static IReadOnlyList<string> MethodNames => Registry.Keys.ToList();

    /// <summary>What a method gets: the model, the standardised data (N, T, F) with targets, the loss, repeats and seed.</summary>
    public sealed record Context(Sequential Model, ModelArchitecture Architecture, SeriesSet Data, int Repeats, ulong Seed);

    public static Command Build()
    {
        var command = new Command("importance", "Rank the inputs of a trained model on your data: which features matter, and when.");
        foreach (Option o in new Option[] { Model, Data, Methods, Repeats, Seed, Report, Json }) command.Options.Add(o);
        command.SetAction(Run);
        return command;
    }

    /// <summary>Parses --methods: 'all' or a comma list of known names; an unknown name is an error listing the known ones.</summary>
    public static string[] ParseMethods(string text)
    {
        var names = CommandOptions.SplitList(text);
        if (names.Length == 0) throw new InputException("--methods needs 'all' or a comma-separated list of method names");
        if (names.Any(n => n.Equals("all", StringComparison.OrdinalIgnoreCase))) return MethodNames.ToArray();
        foreach (var n in names)
            if (!Registry.ContainsKey(n)) throw new InputException($"--methods: unknown method '{n}'; known methods: {string.Join(", ", MethodNames)} (or all)");
        return names.Distinct().ToArray();
    }

    private static int Run(ParseResult parse)
    {
        string modelPath = parse.GetValue(Model)!, dataPath = parse.GetValue(Data)!;
        string? reportDir = parse.GetValue(Report), json = parse.GetValue(Json);
        var methods = ParseMethods(parse.GetValue(Methods)!);
        if (json is not null) CommandOptions.CheckWritable(json, "--json");
        if (reportDir is not null) CommandOptions.CheckReportDirectory(reportDir);
        var (model, arch) = CommandOptions.LoadModel(modelPath);
        var data = CommandOptions.LoadDataFor(modelPath, arch, dataPath, targetOptional: true);
        var context = new Context(model, arch, data, parse.GetValue(Repeats), parse.GetValue(Seed));
        Console.WriteLine($"Data: {dataPath}: {data.Count} series x {data.Steps} steps; features {string.Join(", ", arch.Features)}");

        var outcomes = new List<MethodOutcome>();
        bool interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        foreach (var name in methods)
        {
            long start = Stopwatch.GetTimestamp();
            MethodOutcome outcome = interactive
                ? AnsiConsole.Status().Start($"Running {name}...", _ => Registry[name](context))
                : Registry[name](context);
            outcome = outcome with { Seconds = Stopwatch.GetElapsedTime(start).TotalSeconds };
            outcomes.Add(outcome);
            Console.WriteLine($"{name}: done in {outcome.Seconds:F2} s");
        }

        PrintTable(outcomes, arch.Features);
        if (json is not null) CommandOptions.WriteJson(json, ToJson(outcomes, modelPath, dataPath));
        if (reportDir is not null)
        {
            var report = new Report(reportDir, $"Variable importance: {Path.GetFileName(modelPath)} on {Path.GetFileName(dataPath)}");
            report.AddModel(modelPath, arch, model);
            report.AddTraining(arch);
            report.AddImportance(outcomes, arch.Features);
            report.Write();
            Console.WriteLine($"Report: {Path.Combine(reportDir, "report.md")}, {Path.Combine(reportDir, "report.html")} ({string.Join(", ", report.Images)})");
        }
        return 0;
    }

    /// <summary>A row per method, a column per feature: score (rank) and the 95% interval where there is one.</summary>
    public static void PrintTable(IReadOnlyList<MethodOutcome> outcomes, string[] features)
    {
        var table = new Table().Title("Variable importance (rank 1 = most important)");
        table.AddColumn("Method");
        foreach (var f in features) table.AddColumn(new TableColumn(Markup.Escape(f)).RightAligned());
        table.AddColumn(new TableColumn("Seconds").RightAligned());
        foreach (var m in outcomes)
        {
            var cells = new List<string> { Markup.Escape(m.Name) };
            cells.AddRange(m.Features.Select(f => $"{f.Score:G4} ({f.Rank})" + (f.Ci95 is [var lo, var hi] ? $"\n[grey][[{lo:G3}, {hi:G3}]][/]" : "")));
            cells.Add(m.Seconds.ToString("F2", CultureInfo.InvariantCulture));
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
    }

    /// <summary>The JSON shape shared with <c>demo --methods --json</c>: methods[].name, seconds, features[].name, score, rank, sd, se, count, ci95.</summary>
    public static object ToJson(IReadOnlyList<MethodOutcome> outcomes, string modelPath, string dataPath) => new
    {
        model = modelPath,
        data = dataPath,
        methods = outcomes.Select(m => new
        {
            name = m.Name,
            seconds = m.Seconds,
            features = m.Features.Select(f => new { name = f.Name, score = f.Score, rank = f.Rank, sd = f.Sd, se = f.Se, count = f.Count, ci95 = f.Ci95 }),
            map = m.Map is null ? null : Enumerable.Range(0, m.Map.GetLength(0)).Select(t => Enumerable.Range(0, m.Map.GetLength(1)).Select(j => m.Map[t, j]).ToArray()).ToArray(),
        }),
    };

    /// <summary>Ranks scores, 1 = largest.</summary>
    public static int[] Ranks(IReadOnlyList<double> scores)
    {
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
        var ranks = new int[scores.Count];
        for (int r = 0; r < order.Length; r++) ranks[order[r]] = r + 1;
        return ranks;
    }

    /// <summary>Mean, SD, SE, count and 95% interval (mean +/- 1.96 SE) of repeated scores, ranked by the mean.</summary>
    public static FeatureScore[] Summarise(string[] features, double[][] repeats)
    {
        int f = features.Length, r = repeats.Length;
        var mean = new double[f];
        var result = new FeatureScore[f];
        for (int j = 0; j < f; j++) mean[j] = repeats.Average(x => x[j]);
        var ranks = Ranks(mean);
        for (int j = 0; j < f; j++)
        {
            double sd = r > 1 ? Math.Sqrt(repeats.Sum(x => (x[j] - mean[j]) * (x[j] - mean[j])) / (r - 1)) : 0;
            double se = sd / Math.Sqrt(r);
            result[j] = new FeatureScore(features[j], mean[j], ranks[j], sd, se, r, [mean[j] - 1.96 * se, mean[j] + 1.96 * se]);
        }
        return result;
    }

    // The reference demo's perturbation (N(0, 0.2) noise on one standardised feature at every step, RMS change of the
    // outputs), repeated with independent noise streams; the map perturbs one (step, feature) cell at a time.
    private static MethodOutcome InputPerturbation(Context c)
    {
        const float sigma = 0.2f;
        var d = c.Data;
        var rng = new RandomSource(c.Seed).Fork(3);
        var repeats = new double[c.Repeats][];
        for (int r = 0; r < c.Repeats; r++)
            repeats[r] = NoisePerturbation.Scores(c.Model, d.Inputs, d.Count, d.Steps, sigma, rng.Fork((ulong)r));
        return new MethodOutcome("input-perturbation", 0, Summarise(d.FeatureNames, repeats), PerturbationMap(c, sigma, rng.Fork(1_000_000)),
            Note: "Score: root-mean-square change of the model's outputs when N(0, 0.2) noise is added to one standardised feature at every step (mean of the repeats). " +
                  "The map adds the noise to one step of one feature at a time.");
    }

    private static double[,] PerturbationMap(Context c, float sigma, RandomSource rng)
    {
        var d = c.Data;
        int steps = d.Steps, f = d.Features, outputs = d.Count * c.Model.OutputsPerSeries(steps);
        var baseline = new float[outputs];
        var prediction = new float[outputs];
        c.Model.Predict(baseline, d.Inputs, d.Count, steps);
        var x = new float[d.Inputs.Length];
        var map = new double[steps, f];
        for (int t = 0; t < steps; t++)
        {
            for (int j = 0; j < f; j++)
            {
                d.Inputs.CopyTo(x, 0);
                var noise = rng.Fork((ulong)(t * f + j));
                for (int s = 0; s < d.Count; s++) x[(s * steps + t) * f + j] += sigma * noise.NextGaussian();
                c.Model.Predict(prediction, x, d.Count, steps);
                double sum = 0;
                for (int k = 0; k < outputs; k++) { double e = prediction[k] - baseline[k]; sum += e * e; }
                map[t, j] = Math.Sqrt(sum / outputs);
            }
        }
        return map;
    }
}
