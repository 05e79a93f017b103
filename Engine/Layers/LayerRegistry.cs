using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engine.Layers;

/// <summary>
/// Layer types by Keras class name: how a saved configuration becomes a layer again. Adding a layer is one file (the
/// layer, with a static <c>FromConfig</c>) and one line here.
/// </summary>
internal static class LayerRegistry
{
    private static readonly Dictionary<string, Func<LayerConfig, Layer>> Factories = new(StringComparer.Ordinal)
    {
        ["LSTM"] = Lstm.FromConfig,
        ["Dense"] = Dense.FromConfig,
        ["GRU"] = Gru.FromConfig,
        ["Bidirectional"] = Bidirectional.FromConfig,
        ["Dropout"] = Dropout.FromConfig,
        ["SpatialDropout1D"] = SpatialDropout1D.FromConfig,
        ["LastStep"] = LastStep.FromConfig,
        ["Flatten"] = Flatten.FromConfig,
    };

    /// <summary>The registered type names, in registration order.</summary>
    public static IReadOnlyCollection<string> Types => Factories.Keys;

    /// <summary>
    /// Builds a layer from its saved configuration: <c>{"type": "LSTM", "units": 10, ...}</c>. Throws
    /// <see cref="ArgumentException"/> naming the layer (<paramref name="where"/>) and the problem.
    /// </summary>
    public static Layer Create(JsonObject config, string where)
    {
        if (!config.TryGetPropertyValue("type", out var node) || node is not JsonValue v
            || v.GetValueKind() != JsonValueKind.String)
            throw new ArgumentException($"{where}: the configuration has no 'type' (one of {string.Join(", " +
                                        $"", Factories.Keys)})");
        string type = v.GetValue<string>();
        if (!Factories.TryGetValue(type, out var factory))
            throw new ArgumentException($"{where}: layer type '{(type.Length > 40 ? type[..40] + "..." : type)}' is " +
                                        $"not supported; supported: {string.Join(", ", Factories.Keys)}");
        return factory(new LayerConfig(config, $"{where} ({type})"));
    }

    /// <summary>The configuration <see cref="Create"/> reads back: the type name, then the layer's own keys.</summary>
    public static JsonObject Config(Layer layer)
    {
        var config = new JsonObject { ["type"] = layer.TypeName };
        layer.WriteConfig(config);
        return config;
    }
}
