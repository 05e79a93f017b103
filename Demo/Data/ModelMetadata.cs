using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.IO;
using Engine.Kernels;
using Engine.Losses;
using Engine.Models;

namespace Demo.Data;

/// <summary>
/// What the demo keeps in a model file beside the engine's architecture (<see cref="ModelFile"/>), as the JSON entry
/// <see cref="Key"/> of its metadata: the input features' column names, the steps the model was trained on, the
/// standardisation and the training record. Files of the first format kept the same fields inside their
/// <c>architecture</c> entry, which is read when <see cref="Key"/> is absent.
/// </summary>
public sealed partial record ModelMetadata
{
    /// <summary>The metadata entry that holds this record.</summary>
    public const string Key = "data";

    public string[] Features { get; init; } = [];
    public int Steps { get; init; }
    public Normalisation? Normalisation { get; init; }
    public TrainingInfo Training { get; init; } = new();

    /// <summary>Feature columns left out of training because they were constant (<see cref="ConstantFeature"/>):
    /// not inputs of the model, reported with importance 0 by every method. Null when there were none.</summary>
    public ConstantFeature[]? Constant { get; init; }

    /// <summary>The data checks' warnings when the model was trained (<see cref="DataChecks"/>), shown at the top of
    /// reports. Null when there were none.</summary>
    public string[]? Warnings { get; init; }

    /// <summary>
    /// For a model imported from another framework: where it came from
    /// (<see cref="Engine.Import.ImportedNetwork.Metadata"/>).
    /// Its <see cref="Features"/> may be empty: the inputs are then the data's columns other than series, time and
    /// target, in file order. Imported models apply no standardisation.
    /// </summary>
    public JsonObject? Imported { get; init; }

    /// <summary>Most steps a model may record (the data's series length).</summary>
    public const int MaxSteps = 1_000_000;

    /// <summary>
    /// Checks everything the commands rely on, so that a crafted file is refused with one line instead of failing
    /// later: every field present (JSON null is not), features named, unique and as many as the model's inputs, steps
    /// in [1, <see cref="MaxSteps"/>], the standardisation finite with SD &gt; 0, the loss known and consistent with
    /// the output (bce needs a sigmoid output), one output per step (what predict writes), a window &gt;= 1.
    /// </summary>
    public void Check(Sequential model, string path)
    {
        InputException Bad(string problem) => new($"{path}: the model's '{Key}' metadata: {problem}");
        if (Features is null) throw Bad("'features' is missing");
        // An imported model may leave its features to the data (none named) and its steps open (0).
        bool imported = Imported is not null;
        if (Features.Length != model.InputFeatures && !(imported && Features.Length == 0))
            throw Bad($"it names {Features.Length} features, but the model has {model.InputFeatures} inputs");
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var f in Features)
        {
            if (string.IsNullOrWhiteSpace(f)) throw Bad("a feature has no name");
            if (!names.Add(f)) throw Bad($"feature {ErrorText.Quote(f)} is named twice");
        }
        if (Steps is < 1 or > MaxSteps && !(imported && Steps == 0))
            throw Bad($"'steps' must be a whole number from 1 to {MaxSteps}, not {Steps}");
        if (Normalisation is { } n)
        {
            if (n.Mean is null || n.Sd is null) throw Bad("the normalisation needs 'mean' and 'sd'");
            if (n.Mean.Length != Features.Length || n.Sd.Length != Features.Length)
                throw Bad(
                    $"the normalisation has {n.Mean.Length} means and {n.Sd.Length} SDs for {Features.Length} " +
                        $"features");
            for (int j = 0; j < Features.Length; j++)
                if (!float.IsFinite(n.Mean[j]) || !float.IsFinite(n.Sd[j]) || !(n.Sd[j] > 0))
                    throw Bad(
                        $"the normalisation of feature {ErrorText.Quote(Features[j])} has mean " +
                            $"{Number(n.Mean[j])} and SD " +
                              $"{Number(n.Sd[j])}; the mean must be finite and the SD finite and > 0");
        }
        foreach (var k in Constant ?? [])
        {
            if (k is null || string.IsNullOrWhiteSpace(k.Name)) throw Bad("a constant feature has no name");
            if (!names.Add(k.Name)) throw Bad($"feature {ErrorText.Quote(k.Name)} is named twice");
            if (!float.IsFinite(k.Value))
                throw Bad($"constant feature {ErrorText.Quote(k.Name)} has the value {Number(k.Value)}");
        }
        if (Warnings is not null && Warnings.Any(w => w is null)) throw Bad("'warnings' must be a list of text");
        if (Training is null) throw Bad("'training' is missing");
        if (!LossNames.ShortNames.Contains(Training.Loss))
            throw Bad(
                (Training.Loss is null ? "'loss' is missing; it is one of "
                    : $"loss {ErrorText.Quote(Training.Loss)} is not one of ") +
                    $"{string.Join(", ", LossNames.ShortNames)}");
        if (Training.Loss == "cce") CheckClasses(model, Bad);
        else if (Training.Classes is not null) throw Bad($"'classes' go with loss cce, not {Training.Loss}");
        else if (Training.Targets is { } targets)
        {
            if (targets.Length != model.OutputUnits || targets.Length < 2 || Training.Loss != "mse")
                throw Bad($"it names {targets.Length} targets for {model.OutputUnits} outputs with loss " +
                          $"{Training.Loss}; several targets need as many outputs and loss mse");
            if (targets.Any(string.IsNullOrWhiteSpace)) throw Bad("a target has no name");
        }
        else if (model.OutputsPerSeries(1) != 1 && !imported)
            throw Bad($"the model has {model.OutputsPerSeries(1)} outputs per step; the commands predict one target");
        var output = model.Layers[^1].Activation;
        if (Training.Loss == "bce" && output != Activation.Sigmoid)
            throw Bad(
                $"loss bce needs a sigmoid output, but the last layer's activation is {ActivationNames.Name(output)}");
        if (Training.Window is < 1) throw Bad($"'window' must be at least 1, not {Training.Window}");
        if (Training.History is null || Training.History.Any(e => e is null))
            throw Bad("'history' must be a list of epochs");
        if (Training.HeldOut is not null && Training.HeldOut.Any(id => id is null))
            throw Bad("'held_out' must be a list of series ids (text)");
    }

    // Loss cce: a softmax head of one output per class, the classes named, each once.
    private void CheckClasses(Sequential model, Func<string, InputException> bad)
    {
        if (model.Layers[^1] is not Engine.Layers.Dense { Softmax: true })
            throw bad("loss cce needs a softmax output, but the last layer is not a Dense softmax head");
        var classes = Training.Classes ?? throw bad("loss cce needs 'classes', the class labels");
        if (classes.Length != model.OutputUnits)
            throw bad($"it names {classes.Length} classes, but the softmax head has {model.OutputUnits} outputs");
        if (classes.Any(string.IsNullOrWhiteSpace)) throw bad("a class has no name");
        if (classes.Distinct(StringComparer.Ordinal).Count() != classes.Length) throw bad("a class is named twice");
    }

    private static string Number(float v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The metadata entries to save with a model.</summary>
    public Dictionary<string, string> ToEntries() =>
        new() { [Key] = JsonSerializer.Serialize(this, MetadataJson.Default.ModelMetadata) };

    /// <summary>
    /// Reads the record from a model file's metadata (<see cref="Key"/>, or a first-format file's <c>architecture</c>)
    /// and
    /// checks it against the model; throws <see cref="InputException"/> naming the file.
    /// </summary>
    public static ModelMetadata Read(IReadOnlyDictionary<string, string> metadata, Sequential model, string path)
    {
        if (!metadata.TryGetValue(Key, out var json) && !metadata.TryGetValue("architecture", out json))
            throw new InputException(
                $"{path}: the model file has no '{Key}' entry: the demo does not know its input columns");
        ModelMetadata record;
        try
        {
            record = JsonSerializer.Deserialize(json, MetadataJson.Default.ModelMetadata)
            ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: the model's '{Key}' metadata: {Problem(e)}");
        }
        record.Check(model, path);
        return record;
    }

    /// <summary>
    /// What a <see cref="JsonException"/> found, in the user's words rather than System.Text.Json's: a value of the
    /// wrong type (JSON null included) named by its path in the record, with the kind of value expected where known
    /// ("'normalisation.mean[0]' is null or of the wrong type (expected a number)"), else invalid JSON at a line and
    /// byte.
    /// </summary>
    internal static string Problem(JsonException e)
    {
        var type = WrongType().Match(e.Message);
        if (!type.Success || e.Path is not { Length: > 1 } at)
            return $"not valid JSON (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1})";
        string expected = Expected(type.Groups[1].Value) is { } kind ? $" (expected {kind})" : "";
        return $"{ErrorText.Quote(at.TrimStart('$').TrimStart('.'), 60)} is null or of the wrong type{expected}";
    }

    // The .NET type a value could not be converted to, as the kind of JSON value it reads; null for a type of ours
    // (.NET then names the record that holds the value, not the value's own type).
    private static string? Expected(string type) => type switch
    {
        _ when !type.StartsWith("System.", StringComparison.Ordinal) => null,
        _ when type.EndsWith("[]", StringComparison.Ordinal) || type.Contains("List`1") => "a list",
        _ when type.Contains("Dictionary`2") => "an object of names and values",
        _ when type.Contains("System.String") => "text",
        _ when type.Contains("System.Boolean") => "true or false",
        _ when type.Contains("System.Int") || type.Contains("System.UInt") => "a whole number",
        _ when type.Contains("System.Single") || type.Contains("System.Double") => "a number",
        _ => null,
    };

    [System.Text.RegularExpressions.GeneratedRegex(@"could not be converted to ([^ ]+?)\.? Path")]
    private static partial System.Text.RegularExpressions.Regex WrongType();
}
