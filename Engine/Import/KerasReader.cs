using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Models;
using PureHDF.VOL.Native;

namespace Engine.Import;

/// <summary>
/// Reads Keras model files into <see cref="ImportedModel"/>:
/// <list type="bullet">
/// <item>Keras 3 <c>.keras</c>: a zip of <c>config.json</c> (the model config), <c>metadata.json</c>
/// (<c>keras_version</c>) and <c>model.weights.h5</c>, whose layer groups <c>layers/&lt;path&gt;</c> carry a
/// <c>vars</c> group with a <c>name</c> attribute (the layer's name) and the variables as datasets 0, 1, 2 in creation
/// order: recurrent layers under <c>cell/vars</c> (kernel, recurrent_kernel, bias), Bidirectional under
/// <c>forward_layer/cell/vars</c> and <c>backward_layer/cell/vars</c>, TimeDistributed under <c>layer/vars</c>, Dense
/// under <c>vars</c> (kernel, bias).</item>
/// <item>Legacy <c>.h5</c> from Keras 2.x and 3.x: the <c>model_config</c> and <c>keras_version</c> attributes at the
/// root; <c>model_weights/&lt;layer name&gt;</c> with a <c>weight_names</c> attribute listing the dataset paths under
/// it (Keras 2 <c>lstm/lstm_cell/kernel:0</c>, Keras 3 <c>.../lstm_cell/kernel</c>); a weight's role is its last
/// path segment without <c>:N</c>, a Bidirectional half is told by a <c>forward_</c>/<c>backward_</c> segment.</item>
/// </list>
/// Limits: at most <see cref="MaxEntries"/> zip entries; config and metadata at most 64 MiB and 1 MiB, the weights
/// at most 1 GiB uncompressed, each read with a bound whatever the entry declares.
/// </summary>
internal static class KerasReader
{
    /// <summary>The most entries a <c>.keras</c> archive may have.</summary>
    public const int MaxEntries = 64;
    private const long MaxConfigBytes = 64L << 20;
    private const long MaxMetadataBytes = 1L << 20;
    private const long MaxWeightsBytes = 1L << 30;

    /// <summary>Reads a Keras 3 <c>.keras</c> archive.</summary>
    public static ImportedModel ReadKerasArchive(string path)
    {
        using var stream = ModelImport.OpenRead(path);
        string sha = ModelImport.Sha256(stream);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new ModelFormatException(path, $"a zip file, but a malformed one: {e.Message}");
        }
        using (zip)
        {
            try
            {
                if (zip.Entries.Count > MaxEntries)
                    throw new ModelFormatException(path, $"the archive has {zip.Entries.Count} entries; a .keras file "
                        + $"has a few (at most {MaxEntries} read)");
                string configJson = Encoding.UTF8.GetString(
                    Entry(path, zip, "config.json", MaxConfigBytes) ?? throw NotKeras(path, "config.json"));
                byte[]? metadata = Entry(path, zip, "metadata.json", MaxMetadataBytes);
                string? version = metadata is null ? null : MetadataVersion(path, metadata);
                if (zip.GetEntry("model.weights.h5") is null && zip.GetEntry("model.weights.json") is not null)
                    throw new ModelFormatException(path, "the weights are sharded (model.weights.json); save the model "
                        + "with its weights in one model.weights.h5");
                byte[] weights = Entry(path, zip, "model.weights.h5", MaxWeightsBytes)
                                 ?? throw NotKeras(path, "model.weights.h5");
                var config = KerasConfig.Parse(path, configJson);
                using var h5 = Hdf5Weights.Open(path, weights);
                var layers = Keras3Layers(h5, config);
                return new ImportedModel("keras3", version, config.Steps, config.Features, layers,
                    System.IO.Path.GetFileName(path), sha);
            }
            catch (InvalidDataException e)
            {
                throw new ModelFormatException(path, $"a zip file, but a malformed one: {e.Message}");
            }
        }
    }

    /// <summary>Reads a legacy HDF5 <c>.h5</c> model written by Keras 2.x or Keras 3.x.</summary>
    public static ImportedModel ReadLegacyH5(string path)
    {
        byte[] content;
        using (var stream = ModelImport.OpenRead(path))
        {
            if (stream.Length > MaxWeightsBytes)
                throw new ModelFormatException(path,
                                               $"the file has {stream.Length} bytes (at most {MaxWeightsBytes} read)");
            content = new byte[stream.Length];
            stream.ReadExactly(content);
        }
        string sha = ModelImport.Sha256(new MemoryStream(content, writable: false));
        using var h5 = Hdf5Weights.Open(path, content);
        string? configJson = h5.StringAttribute(h5.Root, "model_config");
        if (configJson is null)
        {
            if (h5.StringsAttribute(h5.Root, "layer_names") is not null)
                throw new ModelFormatException(path, "holds weights only (model.save_weights): save the whole model "
                    + "with model.save so the file has its model_config");
            if (h5.TryGroup(h5.Root, "layers") is not null)
                throw new ModelFormatException(path, "a Keras 3 weights file (model.weights.h5) without its model "
                    + "config: give the .keras file it came from");
            throw new ModelFormatException(path,
                                           "an HDF5 file, but not a Keras model: it has no model_config attribute");
        }
        var weightsGroup = h5.TryGroup(h5.Root, "model_weights")
                           ?? throw new ModelFormatException(path, "a Keras .h5 model without model_weights");
        string? version = h5.StringAttribute(h5.Root, "keras_version")
                          ?? h5.StringAttribute(weightsGroup, "keras_version");
        string format = version switch
        {
            not null when version.StartsWith("2.", StringComparison.Ordinal) => "keras2-h5",
            not null when version.StartsWith("3.", StringComparison.Ordinal) => "keras3-h5",
            _ => throw new ModelFormatException(path, $"written by Keras {version ?? "of unknown version"}; this "
                + "program reads files from Keras 2.x and 3.x"),
        };
        var config = KerasConfig.Parse(path, configJson);
        var layers = new List<ImportedLayer>();
        foreach (var layer in config.Layers)
        {
            string[] expected = ExpectedWeights(layer);
            var group = h5.TryGroup(weightsGroup, layer.Name);
            string[] names = group is null ? [] : h5.StringsAttribute(group, "weight_names")
                ?? throw new ModelFormatException(path, $"model_weights/{layer.Name} has no weight_names attribute");
            var tensors = new List<ImportedTensor>();
            foreach (string name in names)
            {
                string role = Role(path, layer, name);
                tensors.Add(h5.ReadTensor(group!, name, role, $"weight '{name}' of layer '{layer.Name}'"));
            }
            layers.Add(Layer(path, layer, expected, tensors));
        }
        return new ImportedModel(format, version, config.Steps, config.Features, layers,
            System.IO.Path.GetFileName(path), sha);
    }

    /// <summary>The Keras 3 weights: each layer's group found by its <c>vars</c> name attribute, else by
    /// path.</summary>
    private static List<ImportedLayer> Keras3Layers(Hdf5Weights h5, KerasModelConfig config)
    {
        var byName = new Dictionary<string, NativeGroup>(StringComparer.Ordinal);
        var byPath = new Dictionary<string, NativeGroup>(StringComparer.Ordinal);
        var layersGroup = h5.TryGroup(h5.Root, "layers");
        if (layersGroup is not null)
        {
            foreach (var (childName, group) in h5.ChildGroups(layersGroup))
            {
                byPath[childName] = group;
                var vars = h5.TryGroup(group, "vars");
                string? name = vars is null ? null : h5.StringAttribute(vars, "name");
                if (name is not null) byName.TryAdd(name, group);
            }
        }
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        var layers = new List<ImportedLayer>();
        foreach (var layer in config.Layers)
        {
            string[] expected = ExpectedWeights(layer);
            if (layer.ClassName == "InputLayer")
            {
                layers.Add(new ImportedLayer(layer.ClassName, layer.Name, layer.Config, []));
                continue;
            }
            string key = SnakeCase(layer.ClassName);
            used[key] = used.TryGetValue(key, out int count) ? count + 1 : 0;
            string pathName = used[key] == 0 ? key : $"{key}_{used[key]}";
            var tensors = new List<ImportedTensor>();
            if (expected.Length > 0)
            {
                // Layers are found by their vars group's name attribute; by Keras' path names only in files without.
                if (!byName.TryGetValue(layer.Name, out var group)
                    && (byName.Count > 0 || !byPath.TryGetValue(pathName, out group)))
                    throw new ModelFormatException(h5.Path,
                                                   $"model.weights.h5 has no weights for layer '{layer.Name}'");
                foreach (var (prefix, vars, roles) in Keras3Variables(layer, expected))
                {
                    var varsGroup = h5.TryGroup(group, vars) ?? throw new ModelFormatException(h5.Path,
                        $"model.weights.h5 has no '{vars}' for layer '{layer.Name}'");
                    int found = h5.DatasetCount(varsGroup);
                    if (found != roles.Count)
                        throw new ModelFormatException(h5.Path, $"layer '{layer.Name}' has {found} arrays in '{vars}', "
                            + $"expected {roles.Count} ({string.Join(", ", roles)})");
                    for (int i = 0; i < roles.Count; i++)
                        tensors.Add(h5.ReadTensor(varsGroup,
                                                  i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            prefix + roles[i], $"{vars}/{i} of layer '{layer.Name}'"));
                }
            }
            layers.Add(Layer(h5.Path, layer, expected, tensors));
        }
        return layers;
    }

    /// <summary>Where a Keras 3 layer keeps its variables: (name prefix, vars group, roles in creation
    /// order).</summary>
    private static IEnumerable<(string Prefix, string Vars, List<string> Roles)> Keras3Variables(
        KerasLayerConfig layer, string[] expected)
    {
        switch (layer.ClassName)
        {
            case "Bidirectional":
                foreach (string half in (string[])["forward_layer", "backward_layer"])
                    yield return (half + "/", half + "/cell/vars",
                        [.. expected.Where(e => e.StartsWith(half + "/", StringComparison.Ordinal))
                                    .Select(e => e[(half.Length + 1)..])]);
                break;
            case "LSTM" or "GRU":
                yield return ("", "cell/vars", [.. expected]);
                break;
            case "TimeDistributed":
                yield return ("", "layer/vars", [.. expected]);
                break;
            default:
                yield return ("", "vars", [.. expected]);
                break;
        }
    }

    /// <summary>
    /// The weight names a layer must have, in order: LSTM/GRU kernel, recurrent_kernel[, bias]; Dense and
    /// TimeDistributed(Dense) kernel[, bias]; Bidirectional the inner layer's names under <c>forward_layer/</c> then
    /// <c>backward_layer/</c>; no weights for the rest.
    /// </summary>
    private static string[] ExpectedWeights(KerasLayerConfig layer)
    {
        static string[] Own(JsonObject config, bool recurrent)
        {
            bool bias = config["use_bias"]?.GetValueKind() != JsonValueKind.False;
            return (recurrent, bias) switch
            {
                (true, true) => ["kernel", "recurrent_kernel", "bias"],
                (true, false) => ["kernel", "recurrent_kernel"],
                (false, true) => ["kernel", "bias"],
                _ => ["kernel"],
            };
        }
        JsonObject Inner(string key) => (JsonObject)((JsonObject)layer.Config[key]!)["config"]!;
        return layer.ClassName switch
        {
            "LSTM" or "GRU" => Own(layer.Config, recurrent: true),
            "Dense" => Own(layer.Config, recurrent: false),
            "TimeDistributed" => Own(Inner("layer"), recurrent: false),
            "Bidirectional" =>
            [
                .. Own(Inner("layer"), recurrent: true).Select(n => "forward_layer/" + n),
                .. Own(layer.Config["backward_layer"] is JsonObject ? Inner("backward_layer") : Inner("layer"),
                       recurrent: true).Select(n => "backward_layer/" + n),
            ],
            _ => [],
        };
    }

    /// <summary>A legacy weight name's role: last segment without <c>:N</c>, with the Bidirectional half.</summary>
    private static string Role(string path, KerasLayerConfig layer, string weightName)
    {
        string[] segments = weightName.Split('/');
        string last = segments[^1];
        int colon = last.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0) last = last[..colon];
        if (layer.ClassName != "Bidirectional") return last;
        if (segments.Any(s => s.StartsWith("forward_", StringComparison.Ordinal))) return "forward_layer/" + last;
        if (segments.Any(s => s.StartsWith("backward_", StringComparison.Ordinal))) return "backward_layer/" + last;
        throw new ModelFormatException(path, $"weight '{weightName}' of Bidirectional layer '{layer.Name}' names "
            + "neither a forward_ nor a backward_ layer");
    }

    /// <summary>
    /// Puts a layer's tensors in the expected order after checking the names match exactly and the shapes agree with
    /// the units: kernel (In, G*H), recurrent_kernel (H, G*H), bias (G*H) or, for GRU with reset_after, (2, 3H);
    /// Dense kernel (In, U), bias (U). G = 4 for LSTM, 3 for GRU.
    /// </summary>
    private static ImportedLayer Layer(string path, KerasLayerConfig layer, string[] expected,
                                       List<ImportedTensor> tensors)
    {
        var ordered = new List<ImportedTensor>();
        foreach (string name in expected)
        {
            var matches = tensors.Where(t => t.Name == name).ToList();
            if (matches.Count != 1)
            {
                string count = matches.Count == 0
                    ? "no" : matches.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                throw new ModelFormatException(path, $"layer '{layer.Name}' ({layer.ClassName}) has {count} "
                    + $"'{name}' weight (expected {string.Join(", ", expected)})");
            }
            ordered.Add(matches[0]);
        }
        if (tensors.Count != expected.Length)
            throw new ModelFormatException(path, $"layer '{layer.Name}' ({layer.ClassName}) has weights "
                + $"{string.Join(", ", tensors.Select(t => t.Name))}; expected {string.Join(", ", expected)}");
        foreach (var tensor in ordered) CheckShape(path, layer, tensor);
        return new ImportedLayer(layer.ClassName, layer.Name, layer.Config, ordered);
    }

    private static void CheckShape(string path, KerasLayerConfig layer, ImportedTensor tensor)
    {
        JsonObject config = layer.Config;
        string cls = layer.ClassName;
        string role = tensor.Name;
        int slash = role.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var key = role.StartsWith("backward_layer/", StringComparison.Ordinal)
                && config["backward_layer"] is JsonObject
                ? "backward_layer" : "layer";
            var inner = (JsonObject)config[key]!;
            config = (JsonObject)inner["config"]!;
            cls = KerasConfig.Text(inner, "class_name")!;
            role = role[(slash + 1)..];
        }
        else if (cls == "TimeDistributed")
        {
            var inner = (JsonObject)config["layer"]!;
            config = (JsonObject)inner["config"]!;
            cls = KerasConfig.Text(inner, "class_name")!;
        }
        int units = KerasConfig.Int(config, "units") ?? 0;
        int gates = cls switch { "LSTM" => 4, "GRU" => 3, _ => 1 };
        int columns = gates * units;
        int[] s = tensor.Shape;
        bool resetAfter = cls == "GRU" && config["reset_after"]?.GetValueKind() != JsonValueKind.False;
        bool ok = role switch
        {
            "kernel" => s.Length == 2 && s[0] > 0 && s[1] == columns,
            "recurrent_kernel" => s.Length == 2 && s[0] == units && s[1] == columns,
            "bias" when resetAfter => s.Length == 2 && s[0] == 2 && s[1] == columns,
            "bias" => s.Length == 1 && s[0] == columns,
            _ => false,
        };
        if (!ok)
        {
            string want = role switch
            {
                "kernel" => $"(inputs, {columns})",
                "recurrent_kernel" => $"({units}, {columns})",
                _ => resetAfter ? $"(2, {columns})" : $"({columns})",
            };
            throw new ModelFormatException(path, $"layer '{layer.Name}' ({layer.ClassName}) has {tensor.Name} of shape "
                + $"({string.Join(", ", s)}), expected {want}");
        }
    }

    /// <summary>An entry's bytes, read with a bound whatever size it declares; null when the entry is absent.</summary>
    private static byte[]? Entry(string path, ZipArchive zip, string name, long cap)
    {
        var entry = zip.GetEntry(name);
        if (entry is null) return null;
        if (entry.Length > cap)
            throw new ModelFormatException(path, $"{name} declares {entry.Length} bytes (at most {cap} read)");
        using var source = entry.Open();
        using var buffer = new MemoryStream((int)Math.Min(entry.Length, cap));
        var chunk = new byte[81920];
        int read;
        while ((read = source.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > cap)
                throw new ModelFormatException(path, $"{name} unpacks to more than {cap} bytes");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static string? MetadataVersion(string path, byte[] metadata)
    {
        try
        {
            return JsonNode.Parse(metadata) is JsonObject obj ? KerasConfig.Text(obj, "keras_version") : null;
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"metadata.json is not valid JSON: {e.Message}");
        }
    }

    private static ModelFormatException NotKeras(string path, string missing) =>
        new(path, $"a zip file, but not a Keras .keras model: it has no {missing}");

    /// <summary>Keras' <c>to_snake_case</c>: LSTM -> lstm, TimeDistributed -> time_distributed.</summary>
    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool boundary = i > 0 && char.IsUpper(c)
                            && (char.IsLower(name[i - 1])
                                || (i + 1 < name.Length && char.IsLower(name[i + 1])));
            if (boundary) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
