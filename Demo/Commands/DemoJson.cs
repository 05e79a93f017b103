using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Demo.Data;
using Demo.Study;
using Engine.Models;

namespace Demo.Commands;

// The --json documents of train, predict and summary (study's are in StudyOutput.cs); property names become snake_case keys.
public sealed record TrainJson(string Model, int Parameters, string Loss, int Series, int Steps, string[] Features,
    List<EpochLoss> History)
{
    /// <summary>The epoch whose parameters were saved, when not the last (restore-best).</summary>
    public int? RestoredEpoch { get; init; }

    /// <summary>The epoch after which early stopping ended training.</summary>
    public int? StoppedEpoch { get; init; }
}
public sealed record PredictJson(string Model, string Data, string Out, int Series, int Steps, int Outputs, float? Loss,
    float? Accuracy)
{
    /// <summary>Loss and metrics over every series (Loss and Accuracy above repeat them).</summary>
    public SeriesMetrics? AllSeries { get; init; }

    /// <summary>Loss and metrics over the series the model held out for validation; null when unknown.</summary>
    public SeriesMetrics? ValidationSeries { get; init; }

    /// <summary>Why there are no validation figures, or that only some held-out series are in the data.</summary>
    public string? Note { get; init; }
}

/// <summary>The loss and the metrics by Keras name over some series.</summary>
public sealed record SeriesMetrics(int Series, float Loss, Dictionary<string, float> Metrics);
public sealed record SummaryJson(string Model, string Format, int Parameters, IReadOnlyList<SummaryRow> Layers, JsonObject Architecture, ModelMetadata Data);

/// <summary>
/// The --json contracts, source-generated (no reflection: the demo is published with NativeAOT); the options of
/// <see cref="ModelJson"/> (snake_case keys, nulls left out, NaN as "NaN"), indented.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
                             NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, WriteIndented = true)]
[JsonSerializable(typeof(TrainJson))]
[JsonSerializable(typeof(PredictJson))]
[JsonSerializable(typeof(SummaryJson))]
[JsonSerializable(typeof(StudyJson))]
public sealed partial class DemoJson : JsonSerializerContext;
