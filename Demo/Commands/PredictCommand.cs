using System.CommandLine;
using System.Globalization;
using System.Text;
using Demo.Data;
using Engine.Losses;
using Engine.IO;
using Engine.Models;
using Spectre.Console;

namespace Demo.Commands;

/// <summary>
/// <c>demo predict</c>: reads data the way the model's training data was read (its features, series and time
/// columns, window), standardises it with the saved statistics and writes one prediction per series and step
/// (or per series, for a last-step model) to a CSV.
/// </summary>
public static class PredictCommand
{
    private static readonly Option<string> Model = CommandOptions.RequiredPath("--model", "The model file (.safetensors).");
    private static readonly Option<string> Data = CommandOptions.RequiredPath("--data", "CSV file with the model's feature columns (the target column is optional).");
    private static readonly Option<string> Out = CommandOptions.RequiredPath("--out", "Where to write the predictions (CSV).");
    private static readonly Option<string?> Json = CommandOptions.Json();

    public static Command Build()
    {
        var command = new Command("predict", "Predict with a trained model and write the predictions to a CSV.");
        foreach (Option o in new Option[] { Model, Data, Out, Json }) command.Options.Add(o);
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parse)
    {
        string modelPath = parse.GetValue(Model)!, dataPath = parse.GetValue(Data)!, outPath = parse.GetValue(Out)!;
        string? json = parse.GetValue(Json);
        OutputPaths.Check([new("--model", modelPath), new("--data", dataPath)],
            [new("--out", outPath), .. json is null ? Array.Empty<OutputPaths.Named>() : [new("--json", json)]]);
        var (model, arch) = CommandOptions.LoadModel(modelPath);
        var data = CommandOptions.LoadDataFor(modelPath, arch, dataPath, targetOptional: true);

        int perSeries = model.OutputsPerSeries(data.Steps);
        var prediction = new float[data.Count * perSeries];
        model.Predict(prediction, data.Inputs, data.Count, data.Steps);

        // One row per output: series, time (and file line) of the step it belongs to, the target if known, the prediction.
        bool sequence = model.OutputsSequence;
        var csv = new StringBuilder();
        csv.Append("series,").Append(Quote(data.TimeColumn ?? "row")).Append(",line");
        if (data.Targets is not null) csv.Append(',').Append(Quote(data.TargetName!));
        csv.Append(",prediction\n");
        for (int s = 0; s < data.Count; s++)
        {
            for (int j = 0; j < perSeries; j++)
            {
                int cell = s * data.Steps + (sequence ? j : data.Steps - 1);
                csv.Append(Quote(data.Ids[s])).Append(',').Append(Quote(data.Times[cell])).Append(',').Append(data.Lines[cell].ToString(CultureInfo.InvariantCulture));
                if (data.Targets is not null) csv.Append(',').Append(data.Targets[cell].ToString("R", CultureInfo.InvariantCulture));
                csv.Append(',').Append(prediction[s * perSeries + j].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        AtomicFile.WriteAllBytes(outPath, Encoding.UTF8.GetBytes(csv.ToString()));

        var table = new Table().Title($"Predictions: {Markup.Escape(outPath)}");
        table.AddColumns("Series", "Steps", "Outputs", "Loss", "Accuracy");
        string lossText = "-", accuracy = "-";
        float? lossValue = null, accuracyValue = null;
        // The loss only where it is defined: a BCE model needs 0/1 targets (other values are still written to the CSV).
        var loss = TrainCommand.LossOf(arch, modelPath);
        bool bce = loss is BinaryCrossEntropy;
        if (data.Targets is not null && (!bce || data.BinaryTarget))
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
        return 0;
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{field.Replace("\"", "\"\"")}\"" : field;
}
