using System.Text.Json.Serialization;

namespace Demo.Sharding;

/// <summary>
/// The work directory's files, source-generated (the demo is published with NativeAOT): snake_case keys, nulls left
/// out, NaN and infinities by name so that every double round-trips exactly.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
                             DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
                             NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
                             UseStringEnumConverter = true, WriteIndented = true)]
[JsonSerializable(typeof(WorkManifest))]
[JsonSerializable(typeof(StudyItemJson))]
[JsonSerializable(typeof(StudyKeyJson))]
[JsonSerializable(typeof(NetworkItemJson))]
public sealed partial class ShardJson : JsonSerializerContext;
