using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Layers;
using Engine.Models;

namespace Engine.Import;

/// <summary>
/// The one mapping from an <see cref="ImportedModel"/> (Keras or ONNX, in Keras terms) to the engine's model: each
/// layer goes through <see cref="LayerRegistry"/> with its Keras config (the registry reads Keras' keys), then its
/// weights are copied into the engine's tensors of the same names (kernel, recurrent_kernel, bias; a Bidirectional's
/// <c>forward_layer/kernel</c> into <c>forward.kernel</c>), shapes checked. Rules:
/// <list type="bullet">
/// <item>InputLayer: the input shape only. TimeDistributed(Dense): the inner Dense (a Dense applies to every step of
/// a sequence). Dropout and SpatialDropout1D: through the registry when it has them, else left out (both are the
/// identity at inference). Flatten: at the end of the model, the engine's flattened output; inside it, the
/// engine's Flatten layer over the fixed input length.</item>
/// <item><c>hard_sigmoid</c> by the producer's version: Keras 2 clip(0.2x + 0.5, 0, 1) (<c>hard_sigmoid</c>),
/// Keras 3 clip(x/6 + 0.5, 0, 1) (<c>hard_sigmoid_keras3</c>).</item>
/// <item><c>use_bias: false</c>: the engine's bias is zero.</item>
/// </list>
/// </summary>
public static class ImportedNetwork
{
    /// <summary>Whether the producer's hard_sigmoid is Keras 3's clip(x/6 + 0.5) (else Keras 2's clip(0.2x +
    /// 0.5)).</summary>
    internal static bool UsesKeras3HardSigmoid(ImportedModel model) => model.Format is "keras3" or "keras3-h5";

    /// <summary>
    /// Builds the engine model with the imported weights. Throws <see cref="ModelFormatException"/> naming
    /// <paramref name="path"/> and the layer when a layer, an activation or a weight does not fit the engine.
    /// </summary>
    public static Sequential Build(ImportedModel imported, string path)
    {
        bool keras3 = UsesKeras3HardSigmoid(imported);
        var (sources, flatten) = Plan(imported, path);
        var layers = new List<Layer>();
        foreach (var layer in sources)
        {
            try
            {
                layers.Add(LayerRegistry.Create(RegistryConfig(layer, keras3), $"layer '{layer.Name}'"));
            }
            catch (ArgumentException e)
            {
                throw new ModelFormatException(path, e.Message);
            }
        }
        Sequential model;
        try
        {
            model = new Sequential(imported.Features, layers, flatten);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(path, e.Message);
        }
        for (int k = 0; k < layers.Count; k++) CopyWeights(path, model, k, sources[k]);
        return model;
    }

    /// <summary>
    /// The imported layers that become engine layers, in order, and whether the model ends with a Flatten: InputLayer
    /// is left out, and Dropout / SpatialDropout1D when the registry lacks them; a Flatten at the end (nothing but
    /// dropout after it) becomes the model's flattened output, a Flatten inside the model the engine's
    /// <see cref="Layers.Flatten"/> over the model's fixed input length.
    /// </summary>
    internal static (List<ImportedLayer> Layers, bool Flatten) Plan(ImportedModel imported, string path)
    {
        var sources = new List<ImportedLayer>();
        bool flatten = false;
        var layers = imported.Layers;
        for (int k = 0; k < layers.Count; k++)
        {
            var layer = layers[k];
            bool dropout = layer.ClassName is "Dropout" or "SpatialDropout1D";
            if (layer.ClassName == "Flatten")
            {
                bool last = layers.Skip(k + 1).All(l => l.ClassName is "Dropout" or "SpatialDropout1D");
                if (last) { flatten = true; continue; }
                if (imported.Steps is not { } steps)
                    throw new ModelFormatException(path,
                                                   $"layer '{layer.Name}' (Flatten) is followed by other layers, which "
                        + "needs a fixed input length, but the model accepts any number of steps");
                var config = (JsonObject)layer.Config.DeepClone();
                config["steps"] = steps;
                sources.Add(layer with { Config = config });
            }
            else if (layer.ClassName != "InputLayer" && (!dropout || LayerRegistry.Types.Contains(layer.ClassName)))
                sources.Add(layer);
        }
        if (sources.Count == 0) throw new ModelFormatException(path, "the model has no layer the engine computes");
        return (sources, flatten);
    }

    /// <summary>
    /// The registry configuration of an imported layer: its Keras config with <c>type</c> = the class name,
    /// hard_sigmoid named by version, a wrapped layer's config nested the same way; TimeDistributed becomes its inner
    /// layer.
    /// </summary>
    internal static JsonObject RegistryConfig(ImportedLayer layer, bool keras3)
    {
        if (layer.ClassName == "TimeDistributed")
        {
            var inner = (JsonObject)layer.Config["layer"]!;
            return Translate(KerasConfig.Text(inner, "class_name")!, (JsonObject)inner["config"]!, keras3);
        }
        return Translate(layer.ClassName, layer.Config, keras3);
    }

    private static JsonObject Translate(string className, JsonObject kerasConfig, bool keras3)
    {
        var config = new JsonObject { ["type"] = className };
        foreach (var (key, value) in kerasConfig)
        {
            if (key is "layer" or "backward_layer" && value is JsonObject wrapped && wrapped["config"] is JsonObject c)
                config[key] = Translate(KerasConfig.Text(wrapped, "class_name") ?? "", c, keras3);
            else if (key is "activation" or "recurrent_activation" && value?.GetValueKind() == JsonValueKind.String
                     && value.GetValue<string>() == "hard_sigmoid" && keras3)
                config[key] = "hard_sigmoid_keras3";
            else if (key != "type")
                config[key] = value?.DeepClone();
        }
        return config;
    }

    /// <summary>Copies an imported layer's weights into layer <paramref name="k"/>'s tensors, by name and
    /// shape.</summary>
    private static void CopyWeights(string path, Sequential model, int k, ImportedLayer source)
    {
        var engineLayer = model.Layers[k];
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in engineLayer.Tensors)
        {
            string name = ImportedName(tensor.Name);
            var target = model.Tensor(k, tensor.Name);
            var weight = source.Weights.FirstOrDefault(w => w.Name == name);
            if (weight is null)
            {
                if (name.EndsWith("bias", StringComparison.Ordinal)) target.Clear();   // use_bias: false
                else throw new ModelFormatException(path,
                                                    $"layer '{source.Name}' ({source.ClassName}) has no '{name}'");
                continue;
            }
            if (!weight.Shape.SequenceEqual(tensor.Shape))
                throw new ModelFormatException(path, $"layer '{source.Name}' ({source.ClassName}): {name} has shape "
                    + $"({string.Join(", ", weight.Shape)}), but the layer takes ({string.Join(", ", tensor.Shape)}) "
                    + "from its input");
            weight.Data.CopyTo(target);
            used.Add(name);
        }
        var extra = source.Weights.FirstOrDefault(w => !used.Contains(w.Name));
        if (extra is not null)
            throw new ModelFormatException(path,
                                           $"layer '{source.Name}' ({source.ClassName}) has a weight '{extra.Name}' "
                + "the engine's layer does not take");
    }

    /// <summary>The imported weight name of an engine tensor: <c>forward.kernel</c> ->
    /// <c>forward_layer/kernel</c>.</summary>
    private static string ImportedName(string engineName)
    {
        int dot = engineName.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? engineName : $"{engineName[..dot]}_layer/{engineName[(dot + 1)..]}";
    }

    /// <summary>
    /// What a model file records about an imported model's source: format, producer version, file name, SHA-256,
    /// input steps and features, the hard_sigmoid formula (Keras files only), "no standardisation", the source's
    /// layers (Keras class, name) in order and the names of those that became the engine's layers
    /// (<c>engine_layers</c>, in order).
    /// </summary>
    public static JsonObject Metadata(ImportedModel imported, string path)
    {
        var layers = new JsonArray();
        foreach (var layer in imported.Layers)
            layers.Add((JsonNode)new JsonObject { ["class_name"] = layer.ClassName, ["name"] = layer.Name });
        var engineLayers = new JsonArray();
        foreach (var layer in Plan(imported, path).Layers) engineLayers.Add((JsonNode)JsonValue.Create(layer.Name));
        var record = new JsonObject
        {
            ["format"] = imported.Format,
            ["source_version"] = imported.SourceVersion,
            ["source_file"] = imported.SourceName,
            ["source_sha256"] = imported.SourceSha256,
            ["steps"] = imported.Steps,
            ["features"] = imported.Features,
        };
        // Keras' "hard_sigmoid" changed its formula between 2 and 3; other formats state their own (ONNX: HardSigmoid's
        // alpha and beta).
        if (imported.Format.StartsWith("keras", StringComparison.Ordinal))
            record["hard_sigmoid"] =
                UsesKeras3HardSigmoid(imported) ? "keras3 clip(x/6 + 0.5, 0, 1)" : "keras2 clip(0.2x + 0.5, 0, 1)";
        record["standardisation"] = "none";
        record["layers"] = layers;
        record["engine_layers"] = engineLayers;
        return record;
    }
}
