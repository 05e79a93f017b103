using System.CommandLine;
using System.Globalization;
using System.Text;
using Demo.Data;
using Engine.IO;
using Engine.Losses;
using Spectre.Console;

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
    private static readonly Option<string> Model = CommandOptions.RequiredPath("--model", "The model file (.safetensors).");
    private static readonly Option<string> Data = CommandOptions.RequiredPath("--data", "CSV file with the model's feature columns (the target column is optional).");
    private static readonly Option<char?> Delimiter = CommandOptions.Delimiter();
    private static readonly Option<string> Out = CommandOptions.RequiredPath("--out", "Where to write the predictions (CSV).");
    private static readonly Option<string?> Json = CommandOptions.Json();
    private static readonly Option<string?> Features = CommandOptions.ImportedFeatures();
    private static readonly Option<string?> Target = CommandOptions.ImportedTarget();
    private static readonly Option<string?> Compare = CommandOptions.OptionalPath("--compare",
        "A CSV of another framework's predictions for the same rows (columns prediction or prediction_0..k-1, else every numeric column): print the largest differences, exit 1 over --tolerance.");
    private static readonly Option<float> Tolerance = CommandOptions.PositiveFloat("--tolerance", 1e-4f,
        "Largest relative difference --compare accepts: |ours - theirs| / max(|theirs|, 1e-3).");

    public static Command Build()
    {
        var command = new Command("predict", "Predict with a trained model and write the predictions to a CSV.");
        foreach (Option o in new Option[] { Model, Data, Out, Json, Features, Target, Compare, Tolerance, Delimiter }) command.Options.Add(o);
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parse)
    {
        string modelPath = parse.GetValue(Model)!, dataPath = parse.GetValue(Data)!, outPath = parse.GetValue(Out)!;
        string? json = parse.GetValue(Json), compare = parse.GetValue(Compare);
        OutputPaths.Check([new("--model", modelPath), new("--data", dataPath), .. compare is null ? Array.Empty<OutputPaths.Named>() : [new("--compare", compare)]],
            [new("--out", outPath), .. json is null ? Array.Empty<OutputPaths.Named>() : [new("--json", json)]]);
        var (model, arch) = CommandOptions.LoadModel(modelPath, CommandOptions.SplitList(parse.GetValue(Features)));
        var data = CommandOptions.LoadDataFor(modelPath, arch, dataPath, targetOptional: true, parse.GetValue(Target),
            parse.GetValue(Delimiter));

        int perSeries = model.OutputsPerSeries(data.Steps);
        var prediction = new float[data.Count * perSeries];
        model.Predict(prediction, data.Inputs, data.Count, data.Steps);

        // One row per series and step (per series, at its last step, for a last-step model): series, time and file
        // line of the step, the target if known, the k outputs.
        bool sequence = model.OutputsSequence;
        int outputs = model.OutputUnits, rowsPerSeries = sequence ? data.Steps : 1;
        var csv = new StringBuilder();
        csv.Append("series,").Append(Quote(data.TimeColumn ?? "row")).Append(",line");
        if (data.Targets is not null) csv.Append(',').Append(Quote(data.TargetName!));
        for (int k = 0; k < outputs; k++) csv.Append(outputs == 1 ? ",prediction" : $",prediction_{k}");
        csv.Append('\n');
        for (int s = 0; s < data.Count; s++)
        {
            for (int j = 0; j < rowsPerSeries; j++)
            {
                int cell = s * data.Steps + (sequence ? j : data.Steps - 1);
                csv.Append(Quote(data.Ids[s])).Append(',').Append(Quote(data.Times[cell])).Append(',').Append(data.Lines[cell].ToString(CultureInfo.InvariantCulture));
                if (data.Targets is not null) csv.Append(',').Append(data.Targets[cell].ToString("R", CultureInfo.InvariantCulture));
                for (int k = 0; k < outputs; k++)
                    csv.Append(',').Append(prediction[(s * rowsPerSeries + j) * outputs + k].ToString("R", CultureInfo.InvariantCulture));
                csv.Append('\n');
            }
        }
        AtomicFile.WriteAllBytes(outPath, Encoding.UTF8.GetBytes(csv.ToString()));
        if (arch.Imported is not null) Console.WriteLine(ImportCommand.FeaturesNote(arch with { Features = data.FeatureNames }, model));

        var table = new Table().Title($"Predictions: {Markup.Escape(outPath)}");
        table.AddColumns("Series", "Steps", "Outputs", "Loss", "Accuracy");
        string lossText = "-", accuracy = "-";
        float? lossValue = null, accuracyValue = null;
        // The loss only where it is defined: a BCE model needs 0/1 targets (other values are still written to the CSV).
        var loss = TrainCommand.LossOf(arch, modelPath);
        bool bce = loss is BinaryCrossEntropy;
        if (data.Targets is not null && outputs == 1 && (!bce || data.BinaryTarget))
        {
            var target = TrainCommand.TargetsFor(data, sequence);
            lossValue = loss.Value(prediction, target);
            lossText = $"{lossValue:F4} ({arch.Training.Loss})";
            if (bce)
            {
                int correct = 0;
                for (int i = 0; i < target.Length; i++) if ((prediction[i] >= 0.5f ? 1f : 0f) == target[i]) correct++;
                accuracyValue = (float)correct / target.Length;
                accuracy = $"{accuracyValue:P1}";
            }
        }
        table.AddRow(data.Count.ToString(CultureInfo.InvariantCulture), data.Steps.ToString(CultureInfo.InvariantCulture), prediction.Length.ToString(CultureInfo.InvariantCulture), lossText, accuracy);
        AnsiConsole.Write(table);
        if (data.DroppedRows > 0) Console.WriteLine($"{data.DroppedRows} rows at the ends of series do not fill a window of {data.Steps} steps and have no prediction.");
        if (json is not null)
            CommandOptions.WriteJson(json, new PredictJson(modelPath, dataPath, outPath, data.Count, data.Steps, prediction.Length, lossValue, accuracyValue), DemoJson.Default.PredictJson);
        return compare is null ? 0 : CompareWith(compare, prediction, outputs, parse.GetValue(Tolerance));
    }

    /// <summary>
    /// Compares the predictions (rows x <paramref name="outputs"/>, in the order written) with another framework's:
    /// prints the largest absolute and relative difference, |ours - theirs| / max(|theirs|, 1e-3), and fails (exit 1)
    /// when the relative one is over <paramref name="tolerance"/>.
    /// </summary>
    public static int CompareWith(string path, ReadOnlySpan<float> ours, int outputs, float tolerance)
    {
        static bool Named(string column) => column == "prediction" || column.StartsWith("prediction_", StringComparison.Ordinal);
        var table = CsvTable.Read(path, t => t.Header.Any(Named) ? Enumerable.Range(0, t.Header.Length).Where(c => !Named(t.Header[c])) : []);
        int[] columns = Enumerable.Range(0, table.Header.Length).Where(c => Named(table.Header[c])).ToArray();
        if (columns.Length == 0)
            columns = Enumerable.Range(0, table.Header.Length).Where(c => table.HasNumbers(c) && table.FirstBadColumn([c]) < 0).ToArray();
        if (columns.Length != outputs)
            throw new InputException($"{path}:{table.HeaderLine}: {columns.Length} prediction columns, but the model has {outputs} outputs");
        foreach (int c in columns) table.CheckNumeric(c);
        int rows = ours.Length / outputs;
        if (table.RowCount != rows)
            throw new InputException($"{path}:{table.HeaderLine}: {table.RowCount} rows of predictions, but {rows} were made (one per row of --out)");
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
        Console.WriteLine($"Compared with {path}: largest absolute difference {maxAbs.ToString("G3", CultureInfo.InvariantCulture)} (line {table.Line(absAt)}), "
            + $"largest relative difference {maxRel.ToString("G3", CultureInfo.InvariantCulture)} (line {table.Line(relAt)}); tolerance "
            + $"{tolerance.ToString(CultureInfo.InvariantCulture)}: {(over ? "OVER" : "within")}");
        if (over)
            throw new InputException($"{path}:{table.Line(relAt)}: the predictions differ by up to {maxRel.ToString("G3", CultureInfo.InvariantCulture)} relative, "
                + $"over --tolerance {tolerance.ToString(CultureInfo.InvariantCulture)}");
        return 0;
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{field.Replace("\"", "\"\"")}\"" : field;
}
