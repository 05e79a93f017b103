using System.Text.Json;
using System.Text.Json.Serialization;
using Engine.Models;

namespace Demo.Data;

/// <summary>Per-feature standardisation x' = (x - mean) / sd, with the training data's statistics.</summary>
public sealed record Normalisation(float[] Mean, float[] Sd);

/// <summary>One epoch of the training history kept in the model file.</summary>
public sealed record EpochLoss(int Epoch, float Loss, float? ValidationLoss);

/// <summary>How the model was trained and on what data: kept for reports and for reading the data the same way.</summary>
public sealed record TrainingInfo
{
    public string Loss { get; init; } = "bce";
    public int Epochs { get; init; }
    public int BatchSize { get; init; }
    public float LearningRate { get; init; }
    public float Validation { get; init; }
    public ulong Seed { get; init; }
    public string? Target { get; init; }
    public string? SeriesColumn { get; init; }
    public string? TimeColumn { get; init; }
    public int? Window { get; init; }
    public int TrainingSeries { get; init; }
    public int ValidationSeries { get; init; }
    public List<EpochLoss> History { get; init; } = [];
}

/// <summary>
/// What the demo keeps in a model file beside the engine's architecture (<see cref="ModelFile"/>), as the JSON entry
/// <see cref="Key"/> of its metadata: the input features' column names, the steps the model was trained on, the
/// standardisation and the training record. Files of the first format kept the same fields inside their
/// <c>architecture</c> entry, which is read when <see cref="Key"/> is absent.
/// </summary>
public sealed record ModelMetadata
{
    /// <summary>The metadata entry that holds this record.</summary>
    public const string Key = "data";

    public string[] Features { get; init; } = [];
    public int Steps { get; init; }
    public Normalisation? Normalisation { get; init; }
    public TrainingInfo Training { get; init; } = new();

    /// <summary>The metadata entries to save with a model.</summary>
    public Dictionary<string, string> ToEntries() => new() { [Key] = JsonSerializer.Serialize(this, MetadataJson.Default.ModelMetadata) };

    /// <summary>
    /// Reads the record from a model file's metadata (<see cref="Key"/>, or a first-format file's <c>architecture</c>) and
    /// checks it against the model; throws <see cref="InputException"/> naming the file.
    /// </summary>
    public static ModelMetadata Read(IReadOnlyDictionary<string, string> metadata, Sequential model, string path)
    {
        if (!metadata.TryGetValue(Key, out var json) && !metadata.TryGetValue("architecture", out json))
            throw new InputException($"{path}: the model file has no '{Key}' entry: the demo does not know its input columns");
        ModelMetadata record;
        try { record = JsonSerializer.Deserialize(json, MetadataJson.Default.ModelMetadata) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new InputException($"{path}: the '{Key}' metadata is not valid: {e.Message}"); }
        if (record.Features.Length != model.InputFeatures)
            throw new InputException($"{path}: the metadata names {record.Features.Length} features, but the model has {model.InputFeatures} inputs");
        if (record.Normalisation is { } n && (n.Mean.Length != record.Features.Length || n.Sd.Length != record.Features.Length))
            throw new InputException($"{path}: the normalisation has {n.Mean.Length} means and {n.Sd.Length} SDs for {record.Features.Length} features");
        return record;
    }
}

/// <summary>The metadata record's JSON contract, source-generated: snake_case keys, nulls left out, NaN as "NaN".</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
                             NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ModelMetadata))]
public sealed partial class MetadataJson : JsonSerializerContext;
