using System.CommandLine;
using System.Globalization;
using Demo.Data;
using Demo.Reports;
using Engine.Import;
using Engine.Kernels;
using Engine.Models;
using Demo.Importance;

namespace Demo.Commands;

/// <summary><c>demo summary</c>: what a model file holds: layers, inputs, normalisation, training settings and
/// history.</summary>
public static class SummaryCommand
{
    private static readonly Option<string> Model = CommandOptions.ModelIn();
    private static readonly Option<string?> Json = CommandOptions.Json();

    public static Command Build()
    {
        var command = new Command("summary",
                                  "Show a model file's layers, features, normalisation and training history.");
        command.Options.Add(Model);
        command.Options.Add(Json);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(Model)!;
            string? json = parse.GetValue(Json);
            OutputPaths.Check([new("--model", path)], json is null ? [] : [new("--json", json)]);
            var (model, arch) = CommandOptions.LoadModel(path);
            string? format = arch.Imported is null || ModelImport.Detect(path) == ModelFileKind.SafeTensors
                ? ModelFile.Format : arch.Imported["format"]?.ToString();
            Console.WriteLine($"Model file: {path} ({format})");
            Print(model, arch);
            if (arch.Imported is { } source)
            {
                Console.WriteLine($"Imported from {source["source_file"]} ({source["format"]}, version " +
                                  $"{source["source_version"]?.ToString() ?? "unknown"}, "
                    + $"sha256 {source["source_sha256"]})"
                    + (source["hard_sigmoid"] is { } hard ? $"; hard_sigmoid {hard}." : "."));
                Console.WriteLine(ImportCommand.FeaturesNote(arch, model));
            }
            else
            {
                PrintFeatures(arch);
                PrintTraining(model, arch);
            }
            if (json is not null)
                CommandOptions.WriteJson(json,
                                         new SummaryJson(path, format ?? ModelFile.Format, model.ParameterCount,
                                                         Rows(model, arch), ModelFile.Architecture(model), arch),
                                                         DemoJson.Default.SummaryJson);
            return 0;
        });
        return command;
    }

    /// <summary>The Keras-style layer table, fitted to the console (<see cref="TextTable.ConsoleWidth"/>).</summary>
    public static void Print(Sequential model, ModelMetadata arch) =>
        Console.Write(LayerTable(model, arch).Render(TextTable.ConsoleWidth()));

    /// <summary>The layers' rows (<see cref="Sequential.Summary"/>) for the model's steps (None when its time axis is
    /// dynamic); an imported model's layers keep their names in the source.</summary>
    private static List<SummaryRow> Rows(Sequential model, ModelMetadata arch)
    {
        var names = arch.Imported?["engine_layers"]?.AsArray().Select(n => n!.GetValue<string>()).ToArray();
        return model.Summary(arch.Steps).Rows
            .Select((r, k) => names is not null && k < names.Length ? r with { Name = names[k] } : r).ToList();
    }

    /// <summary>The layer table: one row per layer (the input first), then the total.</summary>
    public static TextTable LayerTable(Sequential model, ModelMetadata arch)
    {
        var rows = Rows(model, arch);
        string steps = arch.Steps > 0 ? arch.Steps.ToString(CultureInfo.InvariantCulture) : "None";
        var table = new TextTable(["Layer (type)", "Output shape", "Param #", "Activations"])
        {
            Title = $"Model: {model.InputFeatures} features x {steps} steps -> " +
                    $"{(model.OutputsSequence ? "one output per step" : "one output per series")}",
        };
        table.Add("input (InputLayer)", $"(None, {steps}, {model.InputFeatures})", "0", "");
        foreach (var r in rows)
            table.Add($"{r.Name} ({r.Type})", r.OutputShape, r.Parameters.ToString("N0", CultureInfo.InvariantCulture),
                      r.Details);
        table.Add("Total", "", rows.Sum(r => r.Parameters).ToString("N0", CultureInfo.InvariantCulture), "");
        return table;
    }

    private static void PrintFeatures(ModelMetadata arch) =>
        Console.Write(FeatureTable(arch).Render(TextTable.ConsoleWidth()));

    /// <summary>The inputs: each feature's training mean and SD, then the constant features left out.</summary>
    public static TextTable FeatureTable(ModelMetadata arch)
    {
        var table = new TextTable(["Feature", "#", "Training mean", "Training SD"])
        {
            Title = "Inputs, standardised as (x - mean) / SD",
        };
        for (int i = 0; i < arch.Features.Length; i++)
            table.Add(arch.Features[i], (i + 1).ToString(CultureInfo.InvariantCulture),
                arch.Normalisation?.Mean[i].ToString("G5", CultureInfo.InvariantCulture) ?? "-",
                arch.Normalisation?.Sd[i].ToString("G5", CultureInfo.InvariantCulture) ?? "-");
        foreach (var c in arch.Constant ?? [])
            table.Add(ConstantFeatures.Label(c.Name), "-", c.Value.ToString("G5", CultureInfo.InvariantCulture), "0");
        return table;
    }

    private static void PrintTraining(Sequential model, ModelMetadata arch)
    {
        var t = arch.Training;
        Console.WriteLine($"Target '{t.Target}', loss {t.Loss}, output " +
                          $"{(model.OutputsSequence ? "sequence" : "last")} ({model.Layers[^1].Activation.Name()}); " +
                          $"{t.Epochs} epochs, batch {t.BatchSize}, lr " +
                          $"{t.LearningRate.ToString(CultureInfo.InvariantCulture)}, seed {t.Seed}; " +
                          $"{t.TrainingSeries} training / {t.ValidationSeries} validation series" +
                          (t.SeriesColumn is null ? "" : $"; series column '{t.SeriesColumn}'")
                              + (t.TimeColumn is null ? "" : $", time column '{t.TimeColumn}'") +
                          (t.Window is null ? "" : $", windows of {t.Window} steps"));
        if (t.History.Count > 0) Console.Write(HistoryTable(arch).Render(TextTable.ConsoleWidth()));
    }

    /// <summary>The training history: per epoch the loss, the metrics, the validation loss and metrics.</summary>
    public static TextTable HistoryTable(ModelMetadata arch)
    {
        var t = arch.Training;
        // The metrics' columns, by name, as the first epoch that has them lists them (none in older files).
        string[] metrics = t.History.FirstOrDefault(e => e.Metrics is not null)?.Metrics!.Keys.ToArray() ?? [];
        var table = new TextTable(["Epoch", "Loss", .. metrics, "Validation loss", .. metrics.Select(m => $"val_{m}")])
        {
            Title = "Training history",
        };
        static string Cell(float? v) => v is float f ? TrainingView.Number(f) : "-";
        static float? Get(Dictionary<string, float>? values, string name) =>
            values is not null && values.TryGetValue(name, out float v) ? v : null;
        foreach (var e in t.History)
            table.Add([
                e.Epoch.ToString(CultureInfo.InvariantCulture) + (e.Epoch == t.RestoredEpoch ? " (saved)" : ""),
                Cell(e.Loss), .. metrics.Select(m => Cell(Get(e.Metrics, m))),
                Cell(e.ValidationLoss), .. metrics.Select(m => Cell(Get(e.ValidationMetrics, m))),
            ]);
        return table;
    }
}
