using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Models;

namespace Engine.Import;

/// <summary>One layer of a Keras model config: class name, layer name and its <c>config</c> object.</summary>
internal sealed record KerasLayerConfig(string ClassName, string Name, JsonObject Config);

/// <summary>A parsed Keras model config: the layers in order (InputLayer included) and the input shape.</summary>
internal sealed record KerasModelConfig(IReadOnlyList<KerasLayerConfig> Layers, int? Steps, int Features);

/// <summary>
/// Reads a Keras model config (the <c>config.json</c> of a <c>.keras</c> file or the <c>model_config</c> attribute of
/// an <c>.h5</c> file), Keras 2 and Keras 3 schemas: <c>Sequential</c>, or <c>Functional</c>/<c>Model</c> when the
/// layers form a single chain. Input shape from the InputLayer (<c>batch_shape</c> in Keras 3,
/// <c>batch_input_shape</c> in Keras 2), else the first layer's <c>batch_input_shape</c>, the Sequential's
/// <c>build_input_shape</c> or the first layer's <c>build_config.input_shape</c>: (batch, steps or null, features).
/// Refuses every layer class outside <see cref="SupportedLayers"/>, Lambda layers (they hold code), custom layers,
/// stateful RNNs, <c>go_backwards</c> outside Bidirectional, <c>return_state</c>, <c>time_major</c>.
/// </summary>
internal static class KerasConfig
{
    /// <summary>The Keras layer classes this program reads.</summary>
    public static readonly string[] SupportedLayers =
        ["InputLayer", "LSTM", "GRU", "Bidirectional", "Dense", "Dropout", "SpatialDropout1D", "Flatten",
         "TimeDistributed"];

    private const int MaxLayers = 1000;

    /// <summary>Parses the JSON text of a model config.</summary>
    public static KerasModelConfig Parse(string path, string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"the Keras model config is not valid JSON: {e.Message}");
        }
        if (root is not JsonObject model)
            throw new ModelFormatException(path, "the Keras model config is not a JSON object");
        string modelClass = Text(model, "class_name") ?? throw new ModelFormatException(path,
            "the Keras model config has no class_name");
        var config = model["config"];
        JsonArray layersNode;
        JsonObject? modelConfig = config as JsonObject;
        if (config is JsonArray legacy && modelClass == "Sequential") layersNode = legacy;
        else if (modelConfig?["layers"] is JsonArray array) layersNode = array;
        else throw new ModelFormatException(path, $"the Keras model config ({modelClass}) has no layers list");
        if (layersNode.Count > MaxLayers)
            throw new ModelFormatException(path, $"the model has {layersNode.Count} layers (at most {MaxLayers} read)");

        var layers = new List<KerasLayerConfig>();
        foreach (var node in layersNode) layers.Add(Layer(path, node));
        if (modelClass is "Functional" or "Model") CheckChain(path, layersNode, modelConfig!, layers);
        else if (modelClass != "Sequential")
            throw new ModelFormatException(path,
                $"the model is a {modelClass}; this program reads Sequential models and Functional single chains");
        if (layers.All(l => l.ClassName == "InputLayer"))
            throw new ModelFormatException(path, "the model has no layers");

        var (steps, features) = InputShape(path, layers, modelConfig);
        return new KerasModelConfig(layers, steps, features);
    }

    /// <summary>One entry of the layers list, checked against the supported classes and flags.</summary>
    private static KerasLayerConfig Layer(string path, JsonNode? node)
    {
        if (node is not JsonObject layer || layer["config"] is not JsonObject config)
            throw new ModelFormatException(path, "a layer of the Keras model config has no config object");
        string className = Text(layer, "class_name") ?? throw new ModelFormatException(path,
            "a layer of the Keras model config has no class_name");
        string name = Text(config, "name") ?? Text(layer, "name") ?? throw new ModelFormatException(path,
            $"a {className} layer of the Keras model config has no name");
        CheckClass(path, layer, className, name);
        switch (className)
        {
            case "LSTM" or "GRU":
                CheckRecurrent(path, config, className, name, insideBidirectional: false);
                break;
            case "Bidirectional":
                CheckWrapped(path, config, name, "Bidirectional", ["LSTM", "GRU"], bidirectional: true);
                if (config["backward_layer"] is JsonObject)
                    CheckWrapped(path, config, name, "Bidirectional", ["LSTM", "GRU"], bidirectional: true,
                        key: "backward_layer");
                string mergeMode = Text(config, "merge_mode") ?? "null";
                if (mergeMode is not ("concat" or "sum" or "ave" or "mul"))
                    throw new ModelFormatException(path, $"layer '{name}' (Bidirectional) has merge_mode {mergeMode}; "
                        + "supported: concat, sum, ave, mul");
                break;
            case "TimeDistributed":
                CheckWrapped(path, config, name, "TimeDistributed", ["Dense"], bidirectional: false);
                break;
        }
        return new KerasLayerConfig(className, name, config);
    }

    /// <summary>Refuses Lambda, custom and unsupported layer classes with one line listing the supported
    /// ones.</summary>
    private static void CheckClass(string path, JsonObject layer, string className, string name)
    {
        string supported = string.Join(", ", SupportedLayers);
        if (className == "Lambda")
            throw new ModelFormatException(path, $"layer '{name}' is a Lambda layer, which holds Python code; this "
                + $"program never runs code from a model file (supported layers: {supported})");
        string? module = Text(layer, "module");
        string? registered = Text(layer, "registered_name");
        bool custom = (module is not null && module != "keras"
                       && !module.StartsWith("keras.", StringComparison.Ordinal))
                      || (registered is not null && registered != className);
        if (custom)
            throw new ModelFormatException(path, $"layer '{name}' is a custom layer ({registered ?? className}"
                + $"{(module is null ? "" : $" from {module}")}); supported layers: {supported}");
        if (Array.IndexOf(SupportedLayers, className) < 0)
            throw new ModelFormatException(path, $"layer '{name}' is a {className} layer, which this program does not "
                + $"support; supported layers: {supported}");
    }

    private static void CheckRecurrent(string path, JsonObject config, string className, string name,
                                       bool insideBidirectional)
    {
        if (Flag(config, "stateful"))
            throw new ModelFormatException(path, $"layer '{name}' is a stateful {className}, which this program does "
                + "not support (it keeps state between batches)");
        if (Flag(config, "return_state"))
            throw new ModelFormatException(path, $"layer '{name}' ({className}) returns its state, which this "
                + "program does not support");
        if (Flag(config, "time_major"))
            throw new ModelFormatException(path, $"layer '{name}' ({className}) is time-major, which this program "
                + "does not support");
        if (Flag(config, "go_backwards") && !insideBidirectional)
            throw new ModelFormatException(path, $"layer '{name}' is a {className} with go_backwards outside a "
                + "Bidirectional wrapper, which this program does not support");
        if (config["units"]?.GetValueKind() != JsonValueKind.Number || Int(config, "units") is not > 0)
            throw new ModelFormatException(path, $"layer '{name}' ({className}) has no positive integer units");
    }

    /// <summary>Checks the inner layer of a wrapper (<c>config[key]</c>) is one of
    /// <paramref name="allowed"/>.</summary>
    private static void CheckWrapped(string path, JsonObject config, string name, string wrapper, string[] allowed,
                                     bool bidirectional, string key = "layer")
    {
        if (config[key] is not JsonObject inner || inner["config"] is not JsonObject innerConfig)
            throw new ModelFormatException(path, $"layer '{name}' ({wrapper}) has no wrapped layer config");
        string innerClass = Text(inner, "class_name") ?? "?";
        string innerName = Text(innerConfig, "name") ?? name;
        CheckClass(path, inner, innerClass, innerName);
        if (Array.IndexOf(allowed, innerClass) < 0)
            throw new ModelFormatException(path, $"layer '{name}' is {wrapper}({innerClass}); supported: "
                + string.Join(", ", allowed.Select(a => $"{wrapper}({a})")));
        if (bidirectional) CheckRecurrent(path, innerConfig, innerClass, innerName, insideBidirectional: true);
        else if (Int(innerConfig, "units") is not > 0)
            throw new ModelFormatException(path, $"layer '{name}' ({wrapper}) wraps a {innerClass} without units");
    }

    /// <summary>A Functional model must be one chain: one input, one output, each layer fed by the one
    /// before.</summary>
    private static void CheckChain(string path, JsonArray nodes, JsonObject config, List<KerasLayerConfig> layers)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            var inbound = new HashSet<string>(StringComparer.Ordinal);
            int nodeCount = 0;
            if (nodes[i]!["inbound_nodes"] is JsonArray inboundNodes)
            {
                nodeCount = inboundNodes.Count;
                foreach (var n in inboundNodes) InboundNames(n, inbound, 0);
            }
            if (i == 0)
            {
                if (layers[0].ClassName != "InputLayer" || nodeCount != 0)
                    throw new ModelFormatException(path, "the Functional model does not start with its InputLayer");
                continue;
            }
            if (nodeCount != 1 || inbound.Count != 1 || !inbound.Contains(layers[i - 1].Name))
                throw new ModelFormatException(path, $"the Functional model is not a single chain: layer "
                    + $"'{layers[i].Name}' is not fed by '{layers[i - 1].Name}' alone (only chains are read)");
        }
        var outputs = new HashSet<string>(StringComparer.Ordinal);
        var inputs = new HashSet<string>(StringComparer.Ordinal);
        InboundNames(config["output_layers"], outputs, 0);
        InboundNames(config["input_layers"], inputs, 0);
        if (outputs.Count != 1 || !outputs.Contains(layers[^1].Name) || inputs.Count != 1
            || !inputs.Contains(layers[0].Name))
            throw new ModelFormatException(path, "the Functional model is not a single chain from one input to one "
                + "output (only chains are read)");
    }

    /// <summary>
    /// Collects the layer names a node history refers to: Keras 2 lists <c>["name", node, tensor, {..}]</c>, Keras 3
    /// <c>keras_history: ["name", node, tensor]</c> inside <c>__keras_tensor__</c> objects.
    /// </summary>
    private static void InboundNames(JsonNode? node, HashSet<string> names, int depth)
    {
        if (node is null || depth > 64) return;
        if (node is JsonArray array)
        {
            if (array.Count >= 3 && array[0]?.GetValueKind() == JsonValueKind.String
                && array[1]?.GetValueKind() == JsonValueKind.Number)
            {
                names.Add(array[0]!.GetValue<string>());
                return;
            }
            foreach (var item in array) InboundNames(item, names, depth + 1);
        }
        else if (node is JsonObject obj)
        {
            foreach (var (_, value) in obj) InboundNames(value, names, depth + 1);
        }
    }

    private static (int? Steps, int Features) InputShape(string path, List<KerasLayerConfig> layers,
                                                         JsonObject? modelConfig)
    {
        JsonArray? shape = null;
        var input = layers.FirstOrDefault(l => l.ClassName == "InputLayer");
        if (input is not null) shape = (input.Config["batch_shape"] ?? input.Config["batch_input_shape"]) as JsonArray;
        var first = layers.FirstOrDefault(l => l.ClassName != "InputLayer");
        shape ??= first?.Config["batch_input_shape"] as JsonArray;
        shape ??= modelConfig?["build_input_shape"] as JsonArray;
        shape ??= (first?.Config["build_config"] as JsonObject)?["input_shape"] as JsonArray;
        if (shape is null)
            throw new ModelFormatException(path, "the Keras model config gives no input shape (no InputLayer "
                + "batch_shape / batch_input_shape)");
        if (shape.Count != 3)
            throw new ModelFormatException(path, $"the model's input shape has {shape.Count} dimensions; recurrent "
                + "models take (batch, steps, features)");
        int? steps = shape[1] is null ? null : ShapeDim(path, shape[1]);
        int features = shape[2] is null
            ? throw new ModelFormatException(path, "the model's input shape does not give the number of features")
            : ShapeDim(path, shape[2]);
        return (steps, features);
    }

    private static int ShapeDim(string path, JsonNode? node)
    {
        if (node?.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue(out int value) && value > 0)
            return value;
        throw new ModelFormatException(path, $"the model's input shape has a dimension {node?.ToJsonString()}, "
            + "expected a positive integer");
    }

    /// <summary>A string member, or null when absent or not a string.</summary>
    public static string? Text(JsonObject obj, string key) =>
        obj[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>A boolean member, false when absent.</summary>
    public static bool Flag(JsonObject obj, string key) => obj[key]?.GetValueKind() == JsonValueKind.True;

    /// <summary>An integer member, or null when absent or not an integer.</summary>
    public static int? Int(JsonObject obj, string key) =>
        obj[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int i) ? i : null;
}
