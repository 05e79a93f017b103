using System.CommandLine;
using System.Globalization;
using System.Text;
using Demo.Data;
using Demo.Reports;
using Engine.IO;
using Engine.Losses;
using Engine.Metrics;
using Engine.Models;

namespace Demo.Commands;

/// <summary>
/// <c>demo predict</c>: reads data the way the model's training data was read (its features, series and time
/// columns, window), standardises it with the saved statistics and writes one row per series and step (or per
/// series, at its last step, for a last-step model) to a CSV: <c>series,time,line,[TARGET,]prediction</c>, or
/// <c>prediction_0..k-1</c> for k outputs. A Keras file is imported on the fly (no standardisation). With
/// <c>--compare</c>, the predictions are checked against another framework's for the same rows.
/// </summary>
public static class PredictCommand
{
    private static readonly Option<string> Model = CommandOptions.ModelIn();
    private static readonly Option<string> Data = CommandOptions.Data();
    private static readonly Option<string> Out = CommandOptions.Out();
    private static readonly Option<char?> Delimiter = CommandOptions.Delimiter();
    private static readonly Option<string?> Json = CommandOptions.Json();
    private static readonly Option<string?> Features = CommandOptions.ImportedFeatures();
    private static readonly Option<string?> Target = CommandOptions.ImportedTarget();
    private static readonly Option<string?> Compare = CommandOptions.OptionalPath("--compare",
        "A CSV of another framework's predictions for the same rows (columns prediction or prediction_0..k-1, else " +
        "every numeric column): print the largest differences, exit 1 over --tolerance.");
    private static readonly Option<float> Tolerance = CommandOptions.PositiveFloat("--tolerance", 1e-4f,
        "Largest relative difference --compare accepts: |ours - theirs| / max(|theirs|, 1e-3).");

    public static Command Build()
    {
        var command = new Command("predict", "Predict with a trained model and write the predictions to a CSV.");
        foreach (Option o in new Option[] { Model, Data, Out, Json, Features, Target, Compare, Tolerance, Delimiter })
            command.Options.Add(o);
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parse)
    {
        string modelPath = parse.GetValue(Model)!, dataPath = parse.GetValue(Data)!, outPath = parse.GetValue(Out)!;
        string? json = parse.GetValue(Json), compare = parse.GetValue(Compare);
        OutputPaths.Check([new("--model", modelPath), new("--data", dataPath),
                           .. compare is null ? Array.Empty<OutputPaths.Named>() : [new("--compare", compare)]],
            [new("--out", outPath), .. json is null ? Array.Empty<OutputPaths.Named>() : [new("--json", json)]]);
        var (model, arch) = CommandOptions.LoadModel(modelPath, CommandOptions.SplitList(parse.GetValue(Features)));
        var data = CommandOptions.LayoutFor(modelPath, arch, dataPath, targetOptional: true, parse.GetValue(Target),
            parse.GetValue(Delimiter));
        data.KeepText(times: true);

        int perSeries = model.OutputsPerSeries(data.Steps);
        var prediction = new float[data.Count * perSeries];
        var (target, notBinary) = PredictAll(model, arch, data, prediction);
        // Compared before anything is written: a --compare file that cannot be read, or predictions over the
        // tolerance, fail the run with no output left behind.
        if (compare is not null) CompareWith(compare, prediction, model.OutputUnits, parse.GetValue(Tolerance));

        // One row per series and step (per series, at its last step, for a last-step model): series, time and file
        // line of the step, the target if known, the k outputs.
        bool sequence = model.OutputsSequence;
        int outputs = model.OutputUnits, rowsPerSeries = sequence ? data.Steps : 1;
        // A class model writes the target's label, the most probable class and each class's probability.
        string[]? classes = arch.Training.Classes, targets = arch.Training.Targets;
        int width = data.TargetWidth;
        // Streamed to the file (a 200 MB data set makes a 250 MB output: never held whole in memory).
        AtomicFile.Write(outPath, stream =>
        {
            using var csv = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            csv.Write("series,");
            csv.Write(TextTable.CsvField(data.TimeColumn ?? "step"));
            csv.Write(",line");
            if (data.HasTarget)
                foreach (var name in targets ?? [data.TargetName!]) csv.Write($",{TextTable.CsvField(name)}");
            if (classes is not null) csv.Write(",predicted_class");
            for (int k = 0; k < outputs; k++)
                csv.Write(classes is not null ? $",{TextTable.CsvField($"p_{classes[k]}")}"
                    : targets is not null ? $",{TextTable.CsvField($"prediction_{targets[k]}")}"
                    : outputs == 1 ? ",prediction" : $",prediction_{k}");
            csv.Write('\n');
            // Numbers are formatted into one buffer (no string per cell): the "R" text of float.ToString.
            var y = new float[width];
            var text = new char[32];
            void Number<T>(T value, string? format) where T : ISpanFormattable
            {
                value.TryFormat(text, out int length, format, CultureInfo.InvariantCulture);
                csv.Write(text, 0, length);
            }
            for (int s = 0; s < data.Count; s++)
            {
                string id = TextTable.CsvField(data.Ids[s]);
                for (int j = 0; j < rowsPerSeries; j++)
                {
                    int step = sequence ? j : data.Steps - 1;
                    csv.Write(id);
                    csv.Write(',');
                    csv.Write(TextTable.CsvField(data.Time(s, step)));
                    csv.Write(',');
                    Number(data.Line(s, step), null);
                    if (data.HasTarget) data.Target(y, s, step);
                    if (data.HasTarget && classes is not null)
                    {
                        csv.Write(',');
                        csv.Write(TextTable.CsvField(classes[ClassRows.ArgMax(y)]));
                    }
                    else if (data.HasTarget)
                        foreach (float v in y)
                        {
                            csv.Write(',');
                            Number(v, "R");
                        }
                    var row = prediction.AsSpan((s * rowsPerSeries + j) * outputs, outputs);
                    if (classes is not null)
                    {
                        csv.Write(',');
                        csv.Write(TextTable.CsvField(classes[ClassRows.ArgMax(row)]));
                    }
                    foreach (float v in row)
                    {
                        csv.Write(',');
                        Number(v, "R");
                    }
                    csv.Write('\n');
                }
            }
        });
        data.Release();
        if (arch.Imported is not null)
            Console.WriteLine(ImportCommand.FeaturesNote(arch with { Features = data.FeatureNames }, model));

        var (all, held, note) = Scores(arch, modelPath, model, data, target, notBinary, prediction);
        var metricNames = (all ?? held)?.Metrics.Keys.ToArray() ?? [];
        var table = new TextTable(["Series", "Steps", "Outputs", $"Loss ({arch.Training.Loss})", .. metricNames])
        {
            Title = $"Predictions: {outPath}",
        };
        string Steps() => data.Steps.ToString(CultureInfo.InvariantCulture);
        void Row(string label, int series, SeriesMetrics? m) => table.Add(
            [label, Steps(), (series * perSeries).ToString(CultureInfo.InvariantCulture),
             m is null ? "-" : Reports.TrainingView.Number(m.Loss),
             .. metricNames.Select(n => m is null ? "-" : Reports.TrainingView.Number(m.Metrics[n]))]);
        if (held is not null) Row($"validation: {held.Series}", held.Series, held);
        Row($"all: {data.Count}", data.Count, all);
        Console.Write(table.Render(TextTable.ConsoleWidth()));
        if (note is not null) Console.WriteLine(note);
        if (data.DroppedRows > 0)
            Console.WriteLine($"{data.DroppedRows} rows at the ends of series do not fill a window of {data.Steps} " +
                              $"steps and have no prediction.");
        if (json is not null)
        {
            float? accuracy = all is not null && all.Metrics.TryGetValue("accuracy", out float a) ? a : null;
            var document = new PredictJson(modelPath, dataPath, outPath, data.Count, data.Steps, prediction.Length,
                all?.Loss, accuracy)
            {
                AllSeries = all, ValidationSeries = held, Note = note,
            };
            CommandOptions.WriteJson(json, document, DemoJson.Default.PredictJson);
        }
        return 0;
    }

    /// <summary>Series copied out of the table at a time: a multiple of <see cref="Sequential.Predict"/>'s batch, so
    /// that the model runs the same batches as over all the series at once (the same numbers).</summary>
    private const int ChunkSeries = 1024;

    /// <summary>
    /// Predicts every series into <paramref name="prediction"/>, <see cref="ChunkSeries"/> at a time, each chunk copied
    /// out of the table into buffers kept for the whole run and standardised with the model's statistics (the float
    /// operations of <see cref="CommandOptions.LoadDataFor"/>): the data is never copied whole. Returns the targets
    /// as the model outputs them (<see cref="TrainCommand.TargetsFor"/>: every step's, or the last step's), null
    /// without a target, and the first target of any step that is not 0 or 1 (its file line and value), if any.
    /// </summary>
    private static (float[]? Target, (int Line, float Value)? NotBinary) PredictAll(Sequential model,
        ModelMetadata arch, SeriesLayout data, float[] prediction)
    {
        int steps = data.Steps, perSeries = model.OutputsPerSeries(steps), width = data.TargetWidth;
        int perIn = steps * data.Features, perY = steps * width, chunk = Math.Min(ChunkSeries, data.Count);
        int perTarget = model.OutputsSequence ? perY : width;
        var target = data.HasTarget ? new float[data.Count * perTarget] : null;
        var x = new float[chunk * perIn];
        var y = new float[target is null ? 0 : chunk * perY];
        (int Line, float Value)? notBinary = null;
        for (int start = 0; start < data.Count; start += chunk)
        {
            int n = Math.Min(chunk, data.Count - start);
            for (int i = 0; i < n; i++)
                data.Copy(start + i, x.AsSpan(i * perIn, perIn), target is null ? [] : y.AsSpan(i * perY, perY));
            var inputs = x.AsSpan(0, n * perIn);
            if (arch.Normalisation is { } norm) Standardiser.Apply(inputs, norm.Mean, norm.Sd);
            model.Predict(prediction.AsSpan(start * perSeries, n * perSeries), inputs, n, steps);
            if (target is null) continue;
            for (int i = 0; i < n * perY && notBinary is null; i++)
                if (y[i] is not (0f or 1f)) notBinary = (data.Line(start + i / perY, i % perY / width), y[i]);
            for (int i = 0; i < n; i++)
                y.AsSpan((i + 1) * perY - perTarget, perTarget).CopyTo(target.AsSpan((start + i) * perTarget));
        }
        return (target, notBinary);
    }

    /// <summary>
    /// The loss and metrics (<see cref="MetricSets.For"/>) over all series and over the series the model held out for
    /// validation (<see cref="TrainingInfo.HeldOut"/>) that the data has, and a note when there is no validation row:
    /// an imported model, a file without the record (older), a model trained without validation, data without its
    /// held-out series.
    /// None where undefined: no target, several outputs (but a class model's), a BCE model on targets other than 0/1
    /// (the note then names the first such line).
    /// A class model adds each class's recall.
    /// </summary>
    private static (SeriesMetrics? All, SeriesMetrics? Validation, string? Note) Scores(ModelMetadata arch,
        string modelPath, Sequential model, SeriesLayout data, float[]? target, (int Line, float Value)? notBinary,
        float[] prediction)
    {
        var loss = TrainCommand.LossOf(arch, modelPath);
        if (target is null || data.TargetWidth != model.OutputUnits) return (null, null, null);
        // Only where defined: a BCE model needs 0/1 targets (other values are still written to the CSV).
        if (loss is BinaryCrossEntropy && notBinary is { } first)
            return (null, null, SeriesSet.NonBinaryTarget(data.Path, first.Line, data.TargetName, first.Value,
                modelPath).Message + ": no loss or metrics (the predictions are written).");
        IReadOnlyList<IMetric> metrics = [.. MetricSets.For(loss),
                                          .. MetricSets.PerOutput(loss, arch.Training.Classes
                                                                        ?? arch.Training.Targets ?? [])];
        SeriesMetrics Score(int series, ReadOnlySpan<float> p, ReadOnlySpan<float> y) => new(series, loss.Value(p, y),
            MetricSets.Compute(metrics, p, y).ToDictionary(m => m.Name, m => (float)m.Value));
        var all = Score(data.Count, prediction, target);
        var heldOut = arch.Training.HeldOut;
        if (heldOut is null && arch.Imported is not null)
            return (all, null, "The model was imported (trained elsewhere), so which series it was trained on is not " +
                "known: the metrics are over all series.");
        if (heldOut is null)
            return (all, null, "The model file does not record which series were held out for validation (it was " +
                "written before that record): the metrics are over all series only, training series included.");
        if (heldOut.Length == 0)
            return (all, null, "The model was trained without validation series: the metrics are over all series, " +
                "which it was trained on.");
        var ids = heldOut.ToHashSet(StringComparer.Ordinal);
        int[] found = Enumerable.Range(0, data.Count).Where(s => ids.Contains(data.Ids[s])).ToArray();
        if (found.Length == 0)
            return (all, null, $"None of the {heldOut.Length} series the model held out for validation are in this " +
                "data: the metrics are over all series only.");
        // Each series' predictions and targets are contiguous (batch-major), as many of each.
        int per = target.Length / data.Count;
        var p = new float[found.Length * per];
        var y = new float[p.Length];
        for (int k = 0; k < found.Length; k++)
        {
            prediction.AsSpan(found[k] * per, per).CopyTo(p.AsSpan(k * per));
            target.AsSpan(found[k] * per, per).CopyTo(y.AsSpan(k * per));
        }
        string? partial = found.Length < heldOut.Length
            ? $"{found.Length} of the {heldOut.Length} series the model held out for validation are in this data."
            : null;
        return (all, Score(found.Length, p, y), partial);
    }

    /// <summary>
    /// Compares the predictions (rows x <paramref name="outputs"/>, in the order written) with another framework's:
    /// prints the largest absolute and relative difference, |ours - theirs| / max(|theirs|, 1e-3), and fails (exit 1)
    /// when the relative one is over <paramref name="tolerance"/>.
    /// </summary>
    public static int CompareWith(string path, ReadOnlySpan<float> ours, int outputs, float tolerance)
    {
        static bool Named(string column) => column == "prediction"
            || column.StartsWith("prediction_", StringComparison.Ordinal);
        var table = CsvTable.Read(path, t =>
            t.Header.Any(Named) ? Enumerable.Range(0, t.Header.Length).Where(c => !Named(t.Header[c])) : []);
        int[] columns = Enumerable.Range(0, table.Header.Length).Where(c => Named(table.Header[c])).ToArray();
        if (columns.Length == 0)
            columns = Enumerable.Range(0, table.Header.Length).Where(c => table.HasNumbers(c)
                                                                     && table.FirstBadColumn([c]) < 0).ToArray();
        if (columns.Length != outputs)
            throw new InputException($"{path}:{table.HeaderLine}: {columns.Length} prediction columns, but the model " +
                                     $"has {outputs} outputs");
        foreach (int c in columns) table.CheckNumeric(c);
        int rows = ours.Length / outputs;
        if (table.RowCount != rows)
            throw new InputException($"{path}:{table.HeaderLine}: {table.RowCount} rows of predictions, but {rows} " +
                                     $"were made (one per row of --out)");
        double maxAbs = 0, maxRel = 0;
        int absAt = 0, relAt = 0;
        for (int r = 0; r < rows; r++)
        {
            for (int k = 0; k < outputs; k++)
            {
                double theirs = table.Number(r, columns[k]), difference = Math.Abs(ours[r * outputs + k] - theirs);
                double relative = difference / Math.Max(Math.Abs(theirs), 1e-3);
                if (difference > maxAbs) (maxAbs, absAt) = (difference, r);
                if (relative > maxRel) (maxRel, relAt) = (relative, r);
            }
        }
        bool over = !(maxRel <= tolerance);
        Console.WriteLine($"Compared with {path}: largest absolute difference " +
                          $"{maxAbs.ToString("G3", CultureInfo.InvariantCulture)} (line {table.Line(absAt)}), "
            + $"largest relative difference {maxRel.ToString("G3", CultureInfo.InvariantCulture)} (line " +
              $"{table.Line(relAt)}); tolerance "
            + $"{tolerance.ToString(CultureInfo.InvariantCulture)}: {(over ? "OVER" : "within")}");
        if (over)
            throw new InputException($"{path}:{table.Line(relAt)}: the predictions differ by up to " +
                                     $"{maxRel.ToString("G3", CultureInfo.InvariantCulture)} relative, "
                + $"over --tolerance {tolerance.ToString(CultureInfo.InvariantCulture)}");
        return 0;
    }
}
