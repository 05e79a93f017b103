using System.Text.Json.Serialization;
using Demo.Reference;
using Demo.Study;

namespace Demo.Commands;

/// <summary>
/// The --json contracts, source-generated (no reflection: the demo is published with NativeAOT); the options of
/// <see cref="Data.MetadataJson"/> (snake_case keys, nulls left out, NaN as "NaN"), indented.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
                             DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
                             NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, WriteIndented = true)]
[JsonSerializable(typeof(TrainJson))]
[JsonSerializable(typeof(PredictJson))]
[JsonSerializable(typeof(SummaryJson))]
[JsonSerializable(typeof(StudyJson))]
[JsonSerializable(typeof(SeedsJson))]
public sealed partial class DemoJson : JsonSerializerContext;
