using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Demo.Data;
using Demo.Importance;
using Demo.Reports;
using Engine.Importance;
using Engine.IO;

namespace Demo.Commands;

/// <summary>
/// <c>demo explain</c>: one prediction explained. The signed time x feature attributions of the model's output at
/// one step of one series (integrated gradients, occlusion or permutation of one cell at a time), the top cells as a
/// waterfall from the baseline's prediction to the model's, the sums by feature and by lag, and optionally a PNG
/// (the input series coloured by attribution, and the waterfall) and the JSON.
/// </summary>
public static class ExplainCommand
{
    private static readonly string[] MethodNames = ["integrated-gradients", "occlusion", "permutation"];
    private static readonly Option<string> Model = CommandOptions.RequiredPath("--model",
        "The model file (.safetensors, or a Keras/ONNX model).");
    private static readonly Option<string> Data = CommandOptions.Data();
    private static readonly Option<string> Series = new("--series")
    {
        Description = "The id of the series to explain.",
        Required = true
    };
    private static readonly Option<int?> Step =
        new("--step") { Description = "The output step to explain, 0-based (default: the last)." };
    private static readonly Option<string?> Output = CommandOptions.OutputIndex();
    private static readonly Option<string> Method = CommandOptions.Choice("--method", "integrated-gradients",
        "How: integrated-gradients (from --baseline), occlusion (a cell at its training mean) or permutation (a cell " +
        "at other series' values).", MethodNames);
    private static readonly Option<string> Baseline = CommandOptions.Baseline();
    private static readonly Option<int> Repeats = CommandOptions.Repeats(10);
    private static readonly Option<int> Top = CommandOptions.PositiveInt("--top", 10, "Cells shown in the waterfall.");
    private static readonly Option<ulong> Seed = CommandOptions.Seed();
    private static readonly Option<string?> Png = CommandOptions.Png();
    private static readonly Option<string?> Json = CommandOptions.Json();
    private static readonly Option<string?> Features = CommandOptions.ImportedFeatures();
    private static readonly Option<string?> Target = CommandOptions.ImportedTarget();
    private static readonly Option<char?> Delimiter = CommandOptions.Delimiter();

    public static Command Build()
    {
        var command = new Command("explain",
                                  "Explain one prediction: which inputs, at which steps, pushed it up or down.");
        foreach (Option o in new Option[] { Model, Data, Series, Step, Output, Method, Baseline, Repeats, Top, Seed,
            Png, Json, Features, Target, Delimiter })
            command.Options.Add(o);
        command.SetAction(Run);
        return command;
    }

    /// <summary>One prediction's explanation: A (T, F) signed, what the waterfall starts from, and the
    /// prediction.</summary>
    public sealed record Explanation(string SeriesId, int Step, string Time, int Output, string Method,
                                     string? Baseline,
                                     double Prediction, double Start, string StartLabel, CompletenessGap? Completeness,
                                     double[,] Attribution, float[,] Values, string[] Features, string[] Times)
    {
        /// <summary>The output's class or target name for a model of several outputs; null for one output.</summary>
        public string? OutputName { get; init; }
    }

    private static int Run(ParseResult parse)
    {
        string modelPath = parse.GetValue(Model)!, dataPath = parse.GetValue(Data)!, id = parse.GetValue(Series)!;
        string? png = parse.GetValue(Png), json = parse.GetValue(Json);
        var outputs = new List<OutputPaths.Named>();
        if (png is not null) outputs.Add(new("--png", png));
        if (json is not null) outputs.Add(new("--json", json));
        OutputPaths.Check([new("--model", modelPath), new("--data", dataPath)], outputs);
        var (model, arch) = CommandOptions.LoadModel(modelPath, CommandOptions.SplitList(parse.GetValue(Features)));
        var data = CommandOptions.LoadDataFor(modelPath, arch, dataPath, targetOptional: true, parse.GetValue(Target),
            parse.GetValue(Delimiter));
        DemoConsole.Warn([.. arch.Warnings ?? [], .. data.Warnings]);
        int series = Array.IndexOf(data.Ids, id);
        if (series < 0)
            throw new InputException($"{dataPath}: no series '{id}' (column '{data.SeriesColumn ?? "series"}'); the " +
                                     $"first are " +
                                     $"{string.Join(", ", data.Ids.Take(3))}");
        int steps = data.Steps, features = data.Features, per = steps * features, units = model.OutputUnits;
        bool sequence = model.OutputsSequence;
        int step = parse.GetValue(Step) ?? steps - 1;
        // Default: the first output, said on the console (a model of several outputs explains one at a time).
        string? choice = parse.GetValue(Output);
        var (chosen, outputName) = ImportanceCommand.ChooseOutputs(choice ?? "0", model, arch)[0];
        int output = Math.Max(0, chosen);
        if (step < 0 || step >= steps || (!sequence && step != steps - 1))
            throw new InputException(sequence
                ? $"--step must be from 0 to {steps - 1} (the series have {steps} steps), not {step}"
                : $"--step: the model predicts once per series, at its last step ({steps - 1}), not at {step}");
        var weights = new float[model.OutputsPerSeries(steps)];
        weights[(sequence ? step * units : 0) + output] = 1f;
        var x = data.Inputs.AsSpan(series * per, per).ToArray();
        var means = ImportanceCommand.TrainingMeans(arch, data);
        string method = parse.GetValue(Method)!;
        double prediction = Weighted(Predict(x), weights);
        float[] Predict(float[] input)
        {
            var y = new float[weights.Length];
            model.Predict(y, input, 1, steps);
            return y;
        }
        double[] a;
        CompletenessGap? gap = null;
        string? baselineName = null;
        double start;
        string startLabel;
        switch (method)
        {
            case "integrated-gradients":
                baselineName = parse.GetValue(Baseline)!;
                var options = ImportanceOptions.Default.WithBaseline(baselineName, arch);
                var ig = new IntegratedGradients { From = options.Baseline, ZeroPoint = options.ZeroPoint };
                var context = new ImportanceContext
                {
                    Model = model, Inputs = data.Inputs, Count = data.Count, Steps = steps,
                    Loss = TrainCommand.LossOf(arch, modelPath),
                    Seed = parse.GetValue(Seed), FeatureMeans = means,
                };
                var b = ig.Baseline(context).AsSpan(series * per, per).ToArray();
                (a, gap) = ig.Explain(model, x, b, 1, steps, weights);
                start = Weighted(Predict(b), weights);
                startLabel = $"prediction at the {baselineName} baseline";
                break;
            case "occlusion":
                a = CellAttribution.Occlusion(model, x, steps, means, weights);
                start = prediction - a.Sum();
                startLabel = "prediction - sum of the cells' changes";
                break;
            default:
                if (data.Count < 2)
                    throw new InputException($"{dataPath}: permutation needs at least two series; the data has one");
                a = CellAttribution.Permutation(model, data.Inputs, data.Count, steps, series, weights,
                                                parse.GetValue(Repeats), parse.GetValue(Seed));
                start = prediction - a.Sum();
                startLabel = "prediction - sum of the cells' changes";
                break;
        }
        var map = new double[steps, features];
        var values = new float[steps, features];
        var n = arch.Normalisation;
        for (int t = 0; t < steps; t++)
            for (int i = 0; i < features; i++)
            {
                map[t, i] = a[t * features + i];
                values[t, i] = n is null ? x[t * features + i] : x[t * features + i] * n.Sd[i] + n.Mean[i];
            }
        var times = Enumerable.Range(0, steps).Select(t => data.Times[series * steps + t]).ToArray();
        var e = new Explanation(id, step, times[step], output, method, baselineName, prediction, start, startLabel, gap,
                                map, values,
                                data.FeatureNames, times);
        if (chosen >= 0)
        {
            e = e with { OutputName = outputName };
            Console.WriteLine(ImportanceCommand.DescribeOutput(output, outputName, model, arch) +
                              (choice is null ? " (the first, by default: --output-index chooses another)" : ""));
        }
        var waterfall = Waterfall(e, parse.GetValue(Top));
        foreach (var line in Lines(e, waterfall, sequence)) Console.WriteLine(line);
        if (png is not null)
        {
            Plots.Explanation(png, e, waterfall);
            Console.WriteLine($"Chart: {png}");
        }
        if (json is not null) AtomicFile.WriteAllBytes(json, ToJson(e, sequence, waterfall.Cells));
        return 0;
    }

    private static double Weighted(float[] y, float[] w)
    {
        double f = 0;
        for (int j = 0; j < y.Length; j++) f += (double)w[j] * y[j];
        return f;
    }

    /// <summary>The waterfall: the <paramref name="top"/> cells by |attribution| (feature, step, attribution), then the
    /// rest summed.</summary>
    public static (List<(int Feature, int Step, double Value)> Cells, double Others) Waterfall(Explanation e, int top)
    {
        int steps = e.Attribution.GetLength(0), features = e.Attribution.GetLength(1);
        var cells = Enumerable.Range(0, steps * features).Select(c =>
            (Feature: c % features, Step: c / features, Value: e.Attribution[c / features, c % features]))
            .OrderByDescending(c => Math.Abs(c.Value)).ThenBy(c => c.Step).ThenBy(c => c.Feature).ToList();
        var shown = cells.Take(top).ToList();
        return (shown, cells.Skip(top).Sum(c => c.Value));
    }

    /// <summary>Sum of the attributions at lag k = step - t (t &lt;= step), per feature: (step + 1, F).</summary>
    public static double[,] ByLag(Explanation e)
    {
        int features = e.Attribution.GetLength(1);
        var lag = new double[e.Step + 1, features];
        for (int t = 0; t <= e.Step; t++)
            for (int i = 0; i < features; i++) lag[e.Step - t, i] = e.Attribution[t, i];
        return lag;
    }

    // Signed, and unsigned, with d decimals.
    private static string F(double v, int d)
    {
        string digits = new('0', d);
        return v.ToString($"+0.{digits};-0.{digits};0.{digits}", CultureInfo.InvariantCulture);
    }

    private static string N(double v, int d) => v.ToString("F" + d.ToString(CultureInfo.InvariantCulture),
                                                          CultureInfo.InvariantCulture);

    /// <summary>Decimals for the waterfall's numbers: 4, or enough to show the largest |attribution| to 3 significant
    /// digits (at most 12), so that a prediction explained by attributions of 1e-4 does not read as all zeros.
    /// </summary>
    internal static int Decimals(Explanation e)
    {
        double largest = 0;
        foreach (var v in e.Attribution) largest = Math.Max(largest, Math.Abs(v));
        if (!(largest > 0) || !double.IsFinite(largest)) return 4;
        return Math.Clamp(2 - (int)Math.Floor(Math.Log10(largest)), 4, 12);
    }

    private static string G(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>
    /// The console text: the prediction, the method, then the waterfall (<see cref="Waterfall"/>) with the running
    /// total after each cell (start + the attributions so far), the sums by feature and, for a sequence output, each
    /// feature's largest attribution by lag.
    /// </summary>
    public static IEnumerable<string> Lines(Explanation e,
                                            (List<(int Feature, int Step, double Value)> Cells,
                                             double Others) waterfall,
                                            bool sequence)
    {
        int d = Decimals(e);
        yield return $"Series {e.SeriesId}, step {e.Step} (time {e.Time}), output {e.Output}: prediction " +
                     N(e.Prediction, d);
        string how = e.Method == "integrated-gradients"
            ? $"integrated gradients from the {e.Baseline} baseline; {e.Completeness!.Describe()}"
            : e.Method == "occlusion" ? "occlusion: each cell set to its training mean, one at a time"
            : "permutation: each cell set to other series' values, one at a time";
        yield return $"Method: {how}";
        yield return "Attribution > 0: the cell's value raised the prediction; < 0: lowered it.";
        var (cells, rest) = waterfall;
        string Label((int Feature, int Step, double Value) c) =>
            $"{e.Features[c.Feature]} at step {c.Step}{(sequence ? $" (lag {e.Step - c.Step})" : "")} = " +
            $"{G(e.Values[c.Step, c.Feature])}";
        // The labels' column: every cell's label, and the start's label beside the running total alone.
        int width = Math.Max(Math.Max(28, cells.Select(c => Label(c).Length).DefaultIfEmpty(0).Max()),
                             ("start: " + e.StartLabel).Length - d - 8);
        double running = e.Start;
        yield return $"  {("start: " + e.StartLabel).PadRight(width + d + 8)} " +
                     $"{N(running, d).PadLeft(d + 5)}";
        foreach (var c in cells)
        {
            running += c.Value;
            yield return $"  {Label(c).PadRight(width)} {F(c.Value, d).PadLeft(d + 7)} " +
                         $"{N(running, d).PadLeft(d + 5)}";
        }
        running += rest;
        int others = e.Attribution.Length - cells.Count;
        if (others > 0)
            yield return $"  {$"the other {others} cells".PadRight(width)} {F(rest, d).PadLeft(d + 7)} " +
                         $"{N(running, d).PadLeft(d + 5)}";
        yield return $"  {"= the prediction".PadRight(width + d + 8)} " +
                     $"{N(e.Prediction, d).PadLeft(d + 5)}";
        int features = e.Features.Length;
        var byFeature = Enumerable.Range(0, features).Select(i =>
            Enumerable.Range(0, e.Attribution.GetLength(0)).Sum(t => e.Attribution[t, i])).ToArray();
        yield return "By feature (sum over steps): "
            + string.Join(", ", Enumerable.Range(0, features).Select(i => $"{e.Features[i]} {F(byFeature[i], d)}"));
        if (!sequence) yield break;
        var lag = ByLag(e);
        yield return "Largest |attribution| by feature: " + string.Join(", ", Enumerable.Range(0, features).Select(i =>
        {
            int k = Enumerable.Range(0, lag.GetLength(0)).MaxBy(k => Math.Abs(lag[k, i]));
            return $"{e.Features[i]} at lag {k} ({F(lag[k, i], d)})";
        }));
    }

    /// <summary>
    /// The JSON: <c>{ series, step, time, output, outputName? (a model of several outputs), method, baseline?,
    /// prediction, start, startLabel, completeness?, features, times, attribution [t][feature], values [t][feature]
    /// (the data's units), byLag [k][feature] (sequence outputs),
    /// top [ { feature, step, lag, value, attribution } ] (the waterfall's cells, <paramref name="top"/>) }</c>.
    /// </summary>
    public static byte[] ToJson(Explanation e, bool sequence, IReadOnlyList<(int Feature, int Step, double Value)> top)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("series", e.SeriesId);
            w.WriteNumber("step", e.Step);
            w.WriteString("time", e.Time);
            w.WriteNumber("output", e.Output);
            if (e.OutputName is { } name) w.WriteString("outputName", name);
            w.WriteString("method", e.Method);
            if (e.Baseline is { } b) w.WriteString("baseline", b);
            w.WriteNumber("prediction", e.Prediction);
            w.WriteNumber("start", e.Start);
            w.WriteString("startLabel", e.StartLabel);
            if (e.Completeness is { } gap)
            {
                w.WriteStartObject("completeness");
                w.WriteNumber("gap", gap.Gap);
                w.WriteNumber("intervals", gap.Intervals);
                w.WriteBoolean("converged", gap.Converged);
                w.WriteEndObject();
            }
            w.WriteStartArray("features");
            foreach (var f in e.Features) w.WriteStringValue(f);
            w.WriteEndArray();
            w.WriteStartArray("times");
            foreach (var t in e.Times) w.WriteStringValue(t);
            w.WriteEndArray();
            ImportanceJson.Matrix(w, "attribution", e.Attribution);
            var values = new double[e.Values.GetLength(0), e.Values.GetLength(1)];
            for (int t = 0; t < values.GetLength(0); t++)
                for (int i = 0; i < values.GetLength(1); i++) values[t, i] = e.Values[t, i];
            ImportanceJson.Matrix(w, "values", values);
            if (sequence) ImportanceJson.Matrix(w, "byLag", ByLag(e));
            w.WriteStartArray("top");
            foreach (var (feature, step, value) in top)
            {
                w.WriteStartObject();
                w.WriteString("feature", e.Features[feature]);
                w.WriteNumber("step", step);
                w.WriteNumber("lag", e.Step - step);
                w.WriteNumber("value", e.Values[step, feature]);
                w.WriteNumber("attribution", value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }
}
