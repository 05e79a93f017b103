using System.CommandLine;
using System.Globalization;
using Demo.Data;
using Demo.Reports;
using Engine.Import;
using Engine.Kernels;
using Engine.Models;
using Spectre.Console;

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
                    + $"sha256 {source["source_sha256"]}); hard_sigmoid {source["hard_sigmoid"]}.");
                Console.WriteLine(ImportCommand.FeaturesNote(arch, model));
            }
            else
            {
                PrintFeatures(arch);
                PrintTraining(model, arch);
            }
            if (json is not null)
                CommandOptions.WriteJson(json,
                                         new SummaryJson(path, ModelFile.Format, model.ParameterCount,
                                                         model.Summary(Math.Max(arch.Steps, 1)).Rows,
                                                         ModelFile.Architecture(model), arch),
                                                         DemoJson.Default.SummaryJson);
            return 0;
        });
        return command;
    }

    /// <summary>The Keras-style layer table.</summary>
    public static void Print(Sequential model, ModelMetadata arch)
    {
        var summary = model.Summary(Math.Max(arch.Steps, 1));
        string steps = arch.Steps > 0 ? arch.Steps.ToString(CultureInfo.InvariantCulture) : "None";
        var table =
            new Table().Title($"Model: {model.InputFeatures} features x {steps} steps -> " +
                              $"{(model.OutputsSequence ? "one output per step" : "one output per series")}");
        table.AddColumns("Layer (type)", "Output shape", "Param #", "Activations");
        table.AddRow("input (InputLayer)", $"(None, {steps}, {model.InputFeatures})", "0", "");
        // An imported model's layers keep their names in the source.
        var names = arch.Imported?["engine_layers"]?.AsArray().Select(n => n!.GetValue<string>()).ToArray();
        int k = 0;
        foreach (var r in summary.Rows)
            table.AddRow(Markup.Escape($"{(names is not null && k < names.Length ? names[k++] : r.Name)} ({r.Type})"),
                         r.OutputShape, r.Parameters.ToString("N0", CultureInfo.InvariantCulture),
                         Markup.Escape(r.Details));
        table.AddRow("[bold]Total[/]", "",
                     $"[bold]{summary.TotalParameters.ToString("N0", CultureInfo.InvariantCulture)}[/]", "");
        AnsiConsole.Write(table);
    }

    private static void PrintFeatures(ModelMetadata arch)
    {
        var table = new Table().Title("Inputs, standardised as (x - mean) / SD");
        table.AddColumns("#", "Feature", "Training mean", "Training SD");
        for (int i = 0; i < arch.Features.Length; i++)
            table.AddRow((i + 1).ToString(CultureInfo.InvariantCulture), Markup.Escape(arch.Features[i]),
                arch.Normalisation?.Mean[i].ToString("G5", CultureInfo.InvariantCulture) ?? "-",
                arch.Normalisation?.Sd[i].ToString("G5", CultureInfo.InvariantCulture) ?? "-");
        AnsiConsole.Write(table);
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
        if (t.History.Count == 0) return;
        var table = new Table().Title("Training history");
        // The metrics' columns, by name, as the first epoch that has them lists them (none in older files).
        string[] metrics = t.History.FirstOrDefault(e => e.Metrics is not null)?.Metrics!.Keys.ToArray() ?? [];
        table.AddColumns(["Epoch", "Loss", .. metrics, "Validation loss", .. metrics.Select(m => $"val_{m}")]);
        static string Cell(float? v) => v is float f ? TrainingView.Number(f) : "-";
        static float? Get(Dictionary<string, float>? values, string name) =>
            values is not null && values.TryGetValue(name, out float v) ? v : null;
        foreach (var e in t.History)
            table.AddRow([
                e.Epoch.ToString(CultureInfo.InvariantCulture) + (e.Epoch == t.RestoredEpoch ? " (saved)" : ""),
                Cell(e.Loss), .. metrics.Select(m => Cell(Get(e.Metrics, m))),
                Cell(e.ValidationLoss), .. metrics.Select(m => Cell(Get(e.ValidationMetrics, m))),
            ]);
        AnsiConsole.Write(table);
    }
}
