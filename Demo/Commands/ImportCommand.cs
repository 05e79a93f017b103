using System.CommandLine;
using System.Globalization;
using Demo.Data;
using Engine.Import;
using Engine.Kernels;
using Engine.Models;

namespace Demo.Commands;

/// <summary>
/// <c>demo import FILE --out model.safetensors [--features a,b,c]</c>: converts a Keras (.keras, .h5) model file,
/// told from its content, into this program's format; the source's format, version, file name and SHA-256 go into
/// the file's metadata. Also the one place that turns an imported model into the demo's model record, for
/// <c>predict</c>, <c>importance</c> and <c>summary</c> given such a file directly.
/// </summary>
public static class ImportCommand
{
    private static readonly Argument<string> File =
        new("FILE") { Description = "The model file to import (Keras .keras or .h5, ONNX), told by its content." };
    private static readonly Option<string> Out = CommandOptions.RequiredPath("--out",
        "Where to write the converted model (.safetensors).");
    private static readonly Option<string?> Features = CommandOptions.ImportedFeatures();

    public static Command Build()
    {
        var command = new Command("import",
                                  "Convert a Keras (.keras, .h5) or ONNX model file into this program's model format.");
        command.Arguments.Add(File);
        command.Options.Add(Out);
        command.Options.Add(Features);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(File)!, outPath = parse.GetValue(Out)!;
            OutputPaths.Check([new("the model to import", path)], [new("--out", outPath)]);
            if (Directory.Exists(path)) throw new InputException($"{path}: is a directory, not a model file");
            var (model, metadata) = Load(path, CommandOptions.SplitList(parse.GetValue(Features)));
            ModelFile.Save(outPath, model, metadata.ToEntries());
            var source = metadata.Imported!;
            Console.WriteLine($"Imported {path} ({source["format"]}, version " +
                              $"{source["source_version"]?.ToString() ?? "unknown"}, "
                + $"sha256 {source["source_sha256"]}): {model.Layers.Count} layers, " +
                  $"{model.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)} "
                + $"parameters, {model.InputFeatures} inputs -> {outPath}");
            Console.WriteLine(FeaturesNote(metadata, model));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Reads a model file of another framework and builds the engine model with the demo's record: the features named
    /// (or none: the data's columns decide), the steps of the source's input shape (0 when any length), windows of
    /// those steps, the loss cce for a softmax head (classes "0" .. "k-1": label j is output j), bce for a sigmoid
    /// output, else mse, no standardisation, the source in <c>Imported</c>;
    /// retraining-based importance methods retrain the architecture for 5 epochs, batches of 32, Adam at 0.001.
    /// </summary>
    public static (Sequential Model, ModelMetadata Metadata) Load(string path, string[] features)
    {
        var imported = ModelImport.Read(path);
        var model = ImportedNetwork.Build(imported, path);
        if (features.Length > 0 && features.Length != model.InputFeatures)
            throw new InputException($"--features names {features.Length} columns, but the model {path} takes " +
                                     $"{model.InputFeatures} inputs");
        if (features.Distinct(StringComparer.Ordinal).Count() != features.Length)
            throw new InputException("--features names a column twice");
        bool softmax = model.Layers[^1] is Engine.Layers.Dense { Softmax: true } && model.OutputUnits >= 2;
        var metadata = new ModelMetadata
        {
            Features = features,
            Steps = imported.Steps ?? 0,
            Training = new TrainingInfo
            {
                // A softmax head: classes 0 .. k-1, output j for label "j" in the data's target column.
                Loss = softmax ? "cce" : model.Layers[^1].Activation == Activation.Sigmoid ? "bce" : "mse",
                Classes = softmax ? [.. Enumerable.Range(0, model.OutputUnits).Select(j => j.ToString(
                    System.Globalization.CultureInfo.InvariantCulture))] : null,
                Window = imported.Steps,
                // What retraining-based importance methods use unless told otherwise (Keras' Adam default rate).
                Epochs = 5, BatchSize = 32, LearningRate = 0.001f,
            },
            Imported = ImportedNetwork.Metadata(imported, path),
        };
        return (model, metadata);
    }

    /// <summary>One line on an imported model's inputs and its lack of standardisation.</summary>
    public static string FeaturesNote(ModelMetadata metadata, Sequential model) =>
        (metadata.Features.Length > 0
            ? $"Inputs: {string.Join(", ", metadata.Features)}."
            : $"Inputs: the data's {model.InputFeatures} columns other than series, time and target, in file order " +
              $"(or --features).")
        + " Imported models apply no standardisation: give the data scaled as the source model expects.";
}
