using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Kernels;

namespace Engine.Layers;

/// <summary>
/// A layer's configuration as saved (<see cref="Layer.WriteConfig"/>): a JSON object with Keras' keys. The getters
/// check
/// presence, type and range and throw <see cref="ArgumentException"/> naming the layer and the key, so a model file
/// with a
/// bad field is refused in one line before anything is allocated.
/// </summary>
internal sealed class LayerConfig
{
    /// <summary>The largest <c>units</c> a layer may have.</summary>
    public const int MaxUnits = 1 << 16;

    private readonly JsonObject _json;
    private readonly string _where;

    /// <param name="json">The configuration object.</param>
    /// <param name="where">How errors name the layer, e.g. "layer 2 (LSTM)".</param>
    public LayerConfig(JsonObject json, string where)
    {
        _json = json;
        _where = where;
    }

    /// <summary>The JSON object.</summary>
    public JsonObject Json => _json;

    /// <summary>How errors name the layer.</summary>
    public string Where => _where;

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="fallback"/> when
    /// absent (required when null).</summary>
    public int WholeNumber(string key, int min, int max, int? fallback = null)
    {
        var node = Get(key, fallback is null);
        if (node is null) return fallback!.Value;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out int n)
            && n >= min && n <= max) return n;
        throw Bad(key, $"a whole number from {min} to {max}", node);
    }

    /// <summary>The layer's units: 1 to <see cref="MaxUnits"/>.</summary>
    public int Units() => WholeNumber("units", 1, MaxUnits);

    /// <summary>A true/false value; <paramref name="fallback"/> when absent (required when null).</summary>
    public bool Bool(string key, bool? fallback = null)
    {
        var node = Get(key, fallback is null);
        if (node is null) return fallback!.Value;
        if (node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            return v.GetValue<bool>();
        throw Bad(key, "true or false", node);
    }

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="fallback"/> when absent
    /// (required when null).</summary>
    public double Number(string key, double min, double max, double? fallback = null)
    {
        var node = Get(key, fallback is null);
        if (node is null) return fallback!.Value;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out double x)
            && x >= min && x <= max) return x;
        throw Bad(key,
                  $"a number from {min.ToString(CultureInfo.InvariantCulture)} to " +
                  $"{max.ToString(CultureInfo.InvariantCulture)}", node);
    }

    /// <summary>A string, one of <paramref name="values"/> when given; <paramref name="fallback"/> when absent
    /// (required when null).</summary>
    public string Text(string key, string? fallback = null, params string[] values)
    {
        var node = Get(key, fallback is null);
        if (node is null) return fallback!;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            string s = v.GetValue<string>();
            if (values.Length == 0 || values.Contains(s)) return s;
        }
        throw Bad(key, values.Length == 0 ? "a string" : $"one of {string.Join(", ", values)}", node);
    }

    /// <summary>An activation by its name (<see cref="ActivationNames"/>); <paramref name="fallback"/> when absent
    /// (required when null).</summary>
    public Activation Activation(string key, Activation? fallback = null)
    {
        var node = Get(key, fallback is null);
        if (node is null) return fallback!.Value;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String
            && ActivationNames.TryParse(v.GetValue<string>(), out var a)) return a;
        throw Bad(key, $"an activation name ({ActivationNames.Accepted})", node);
    }

    /// <summary>A nested configuration object (a wrapper's inner layer).</summary>
    public LayerConfig Nested(string key)
    {
        var node = Get(key, required: true);
        if (node is JsonObject o) return new LayerConfig(o, $"{_where}.{key}");
        throw Bad(key, "an object", node);
    }

    private JsonNode? Get(string key, bool required)
    {
        if (_json.TryGetPropertyValue(key, out var node) && node is not null) return node;
        if (required) throw new ArgumentException($"{_where}: the configuration has no '{key}'");
        return null;
    }

    private ArgumentException Bad(string key, string expected, JsonNode? node)
    {
        string text = node?.ToJsonString() ?? "null";
        if (text.Length > 40) text = text[..40] + "...";
        return new ArgumentException($"{_where}: '{key}' must be {expected}, not {text}");
    }
}
