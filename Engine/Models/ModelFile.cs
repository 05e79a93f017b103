using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.IO;
using Engine.Layers;

namespace Engine.Models;

/// <summary>
/// The model file: one safetensors file. Its tensors are the layers' named tensors in Keras layout, named
/// <c>layers.{k}.{tensor}</c> (an LSTM's <c>kernel</c> (F, 4H), <c>recurrent_kernel</c> (H, 4H), <c>bias</c> (4H), gate
/// blocks i, f, c, o; a Dense layer's <c>kernel</c> (I, O), <c>bias</c> (O)). <c>__metadata__</c> holds <c>format</c> =
/// <see cref="Format"/>, <c>model</c>, the architecture as JSON (<c>{"input_features": F, "flatten": bool, "layers":
/// [{"type": "LSTM", "units": 10, ...}, ...]}</c>, each layer's configuration as <see cref="LayerRegistry"/> reads it),
/// and whatever other string entries the caller adds (the demo keeps its data columns and training record there):
/// the engine stores them and hands them back unread.
/// Files of the first format (<see cref="LegacyFormat"/>: an LSTM stack and an optional dense head <c>head.*</c> in an
/// <c>architecture</c> entry) are read too.
/// </summary>
public static class ModelFile
{
    /// <summary>The format this engine writes.</summary>
    public const string Format = "lstm-engine/2";

    /// <summary>The first format (LSTM stacks with an optional dense head), still read.</summary>
    internal const string LegacyFormat = "lstm-engine/1";

    /// <summary>The metadata keys the engine itself writes; a caller's entries may not use them.</summary>
    internal static readonly IReadOnlyList<string> ReservedKeys = ["format", "model"];

    /// <summary>The architecture of <paramref name="model"/> as the <c>model</c> metadata entry holds it.</summary>
    internal static JsonObject Architecture(Sequential model)
    {
        var layers = new JsonArray();
        foreach (var layer in model.Layers) layers.Add((JsonNode)LayerRegistry.Config(layer));
        return new JsonObject
        {
            ["input_features"] = model.InputFeatures, ["flatten"] = model.Flatten,
            ["layers"] = layers
        };
    }

    /// <summary>
    /// Builds the (uninitialised) model an architecture object describes; throws <see cref="ArgumentException"/> naming
    /// the field or layer at fault. Nothing is allocated beyond the layers until the parameter count is known and at
    /// most
    /// <paramref name="maxParameters"/>.
    /// </summary>
    internal static Sequential Build(JsonObject architecture, long maxParameters = Sequential.MaxParameters)
    {
        var config = new LayerConfig(architecture, "the model");
        int features = config.WholeNumber("input_features", 1, LayerConfig.MaxUnits);
        bool flatten = config.Bool("flatten", false);
        if (!architecture.TryGetPropertyValue("layers", out var node) || node is not JsonArray array
            || array.Count == 0)
            throw new ArgumentException("the model: 'layers' must be a non-empty list of layer configurations");
        if (array.Count > 1000)
            throw new ArgumentException($"the model: {array.Count} layers, more than the 1000 this engine builds");
        var layers = new List<Layer>(array.Count);
        for (int k = 0; k < array.Count; k++)
        {
            if (array[k] is not JsonObject layer) throw new ArgumentException($"layer {k}: not a configuration object");
            layers.Add(LayerRegistry.Create(layer, $"layer {k}"));
        }
        int count = Sequential.Bind(features, layers, flatten);
        if (count > maxParameters)
            throw new ArgumentException($"the model has {count} parameters, but the file holds only {maxParameters} " +
                                        $"values");
        return new Sequential(features, layers, flatten);
    }

    /// <summary>The tensor names and slices of a model, in file order.</summary>
    internal static IEnumerable<(string Name, int Layer, ParameterTensor Tensor)> TensorNames(Sequential model)
    {
        for (int k = 0; k < model.Layers.Count; k++)
            foreach (var t in model.Layers[k].Tensors) yield return ($"layers.{k}.{t.Name}", k, t);
    }

    /// <summary>
    /// Saves <paramref name="model"/> to <paramref name="path"/> with the caller's <paramref name="metadata"/> entries:
    /// written to a temporary file in the same directory, then renamed over the target, so a crash never leaves a
    /// half-written model.
    /// </summary>
    public static void Save(string path, Sequential model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (Check.FirstNonFinite(model.Parameters) is var bad and >= 0)
            throw new ArgumentException($"parameter {bad} is {model.Parameters[bad]}: a diverged model is never saved",
                                        nameof(model));
        var entries = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["model"] = Architecture(model).ToJsonString(),
        };
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            if (ReservedKeys.Contains(key))
                throw new ArgumentException($"metadata key '{key}' is the engine's own", nameof(metadata));
            entries[key] = value;
        }
        var tensors = TensorNames(model)
            .Select(e =>
                new NamedTensor(e.Name, e.Tensor.Shape,
                                model.LayerParameters(e.Layer).Slice(e.Tensor.Offset, e.Tensor.Length).ToArray()))
            .ToList();
        AtomicFile.Write(path, stream => SafeTensors.Write(stream, tensors, entries));
    }

    /// <summary>
    /// Loads a model file: checks the format, builds the model from its architecture (no larger than the file's tensors
    /// allow, before allocating it) and reads each tensor from the file straight into its slice of the parameters, so a
    /// load holds the model and the header, never the file. Returns the metadata entries other than the engine's own.
    /// Throws <see cref="ModelFormatException"/> naming the file and
    /// the problem.
    /// </summary>
    public static (Sequential Model, IReadOnlyDictionary<string, string> Metadata) Load(string path)
    {
        // the header only: each tensor is read straight into the model below
        using var content = SafeTensorsFile.Open(path);
        if (!content.Metadata.TryGetValue("format", out var format))
            throw new ModelFormatException(path,
                                           $"a safetensors file, but not an lstm-engine model: __metadata__ has no " +
                                           $"'format' (expected '{Format}')");
        long values = content.Tensors.Sum(t => (long)t.Count);
        Sequential model;
        bool legacy = format == LegacyFormat;
        int head = -1; // the first format's dense head, whose tensors are named head.*
        try
        {
            if (legacy)
            {
                if (!content.Metadata.TryGetValue("architecture", out var v1))
                    throw new ArgumentException("__metadata__ has no 'architecture'");
                var (architecture, hasHead) = FromLegacy(ParseObject(v1, "architecture"));
                model = Build(architecture, values);
                head = hasHead ? model.Layers.Count - 1 : -1;
            }
            else if (format == Format)
            {
                if (!content.Metadata.TryGetValue("model", out var json))
                    throw new ArgumentException("__metadata__ has no 'model'");
                model = Build(ParseObject(json, "model"), values);
            }
            else throw new ArgumentException($"format '{Truncate(format)}' is not supported; this program reads " +
                                             $"'{Format}' and '{LegacyFormat}'");
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(path, ErrorText.Message(e));
        }

        var byName = new Dictionary<string, TensorEntry>();
        foreach (var t in content.Tensors) byName[t.Name] = t;
        var expected = TensorNames(model).Select(e =>
            (Name: e.Layer == head ? $"head.{e.Tensor.Name}" : e.Name, e.Layer, e.Tensor)).ToList();
        foreach (var (name, k, t) in expected)
        {
            if (!byName.TryGetValue(name, out var tensor))
                throw new ModelFormatException(path, $"tensor '{name}' ({string.Join(", ", t.Shape)}) is missing");
            if (!tensor.Shape.SequenceEqual(t.Shape))
                throw new ModelFormatException(path,
                                               $"tensor '{name}' has shape ({string.Join(", ", tensor.Shape)}) but " +
                                               $"the architecture needs ({string.Join(", ", t.Shape)})");
            content.ReadTensor(tensor, model.LayerParameters(k).Slice(t.Offset, t.Length));
        }
        var extra = byName.Keys.Except(expected.Select(e => e.Name)).ToList();
        if (extra.Count > 0)
            throw new ModelFormatException(path, $"tensor '{Truncate(extra[0])}' is not part of the architecture");
        foreach (var v in model.Parameters)
            if (!float.IsFinite(v)) throw new ModelFormatException(path, "a weight is NaN or infinite");
        var metadata = content.Metadata.Where(e => !ReservedKeys.Contains(e.Key)).ToDictionary(e => e.Key, e =>
            e.Value);
        return (model, metadata);
    }

    private static JsonObject ParseObject(string json, string key)
    {
        try
        {
            return JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 16 }) as JsonObject
                   ?? throw new ArgumentException($"__metadata__ '{key}' is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"__metadata__ '{key}' is not valid JSON ({Truncate(e.Message)})");
        }
    }

    // The first format: {"features": [...], "layers": [{"units", "activation", "recurrent_activation"}], "head":
    // {"units",
    // "activation"} | absent, "output": "sequence" | "last"}. Every LSTM returns sequences except the last with output
    // "last"; the head is a Dense layer; a sequence output is flattened.
    private static (JsonObject Architecture, bool HasHead) FromLegacy(JsonObject v1)
    {
        if (!v1.TryGetPropertyValue("features", out var f) || f is not JsonArray features || features.Count == 0)
            throw new ArgumentException("the architecture names no input features");
        if (!v1.TryGetPropertyValue("layers", out var l) || l is not JsonArray lstms || lstms.Count == 0)
            throw new ArgumentException("the architecture has no LSTM layer");
        string output = v1.TryGetPropertyValue("output", out var o) && o is JsonValue ov
            && ov.TryGetValue<string>(out var os) ? os : "sequence";
        if (output is not ("sequence" or "last"))
            throw new ArgumentException($"output must be 'sequence' or 'last', not '{Truncate(output)}'");
        bool sequence = output == "sequence";
        var layers = new JsonArray();
        for (int k = 0; k < lstms.Count; k++)
        {
            if (lstms[k] is not JsonObject spec) throw new ArgumentException($"layer {k}: not a configuration object");
            var layer = new JsonObject { ["type"] = "LSTM" };
            foreach (var key in new[] { "units", "activation", "recurrent_activation" })
                if (spec.TryGetPropertyValue(key, out var value)) layer[key] = value?.DeepClone();
            layer["return_sequences"] = sequence || k < lstms.Count - 1;
            layers.Add((JsonNode)layer);
        }
        bool hasHead = v1.TryGetPropertyValue("head", out var h) && h is JsonObject;
        if (h is JsonObject head)
        {
            var dense = new JsonObject { ["type"] = "Dense" };
            foreach (var key in new[] { "units", "activation" })
                if (head.TryGetPropertyValue(key, out var value)) dense[key] = value?.DeepClone();
            layers.Add((JsonNode)dense);
        }
        return (new JsonObject { ["input_features"] = features.Count, ["flatten"] = sequence, ["layers"] = layers },
                hasHead);
    }

    private static string Truncate(string s) => s.Length > 80 ? s[..80] + "..." : s;
}
