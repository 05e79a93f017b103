using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Demo.Data;
using Demo.Study;
using Engine.Models;

namespace Demo.Commands;

// The --json documents of train, predict and summary (study's are in StudyOutput.cs); property names become snake_case keys.
public sealed record TrainJson(string Model, int Parameters, string Loss, int Series, int Steps, string[] Features, List<EpochLoss> History);
public sealed record PredictJson(string Model, string Data, string Out, int Series, int Steps, int Outputs, float? Loss, float? Accuracy);
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
