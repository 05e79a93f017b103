using System.Text.Json.Serialization;

namespace Demo.Data;

/// <summary>The metadata record's JSON contract, source-generated: snake_case keys, nulls left out, NaN as
/// "NaN".</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
                             DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
                             NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ModelMetadata))]
public sealed partial class MetadataJson : JsonSerializerContext;
