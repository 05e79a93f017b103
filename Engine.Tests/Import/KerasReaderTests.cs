using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Engine.Import;
using Engine.Models;
using Xunit;

namespace Engine.Tests.Import;

/// <summary>
/// The Keras reader on the committed fixtures (Keras 3 .keras and .h5, Keras 2.14 .h5, two real Keras 3.10 files) and
/// on crafted bad files: every refused layer and malformed kind is one <see cref="ModelFormatException"/> line naming
/// the file. Pinned weight values were read independently with h5py.
/// </summary>
public sealed class KerasReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("keras-reader-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string Fixtures => ImportFixtures.Folder;

    private static string Fixture(string relative) => Path.Combine(Fixtures, relative);

    public static TheoryData<string> KerasFiles()
    {
        var data = new TheoryData<string>();
        foreach (string folder in (string[])["keras", "real"])
            foreach (string file in Directory.GetFiles(Path.Combine(Fixtures, folder)).Order(StringComparer.Ordinal))
                if (file.EndsWith(".keras", StringComparison.Ordinal) || file.EndsWith(".h5", StringComparison.Ordinal))
                    data.Add($"{folder}/{Path.GetFileName(file)}");
        return data;
    }

    [Theory]
    [MemberData(nameof(KerasFiles))]
    public void Every_fixture_reads_with_the_version_input_shape_and_source_of_its_reference(string file)
    {
        string path = Fixture(file);
        var model = ModelImport.Read(path);
        var expected = JsonNode.Parse(File.ReadAllText(path + ".expected.json"))!.AsObject();
        var inputs = expected["inputs"]!.AsArray();
        int steps = inputs[0]!.AsArray().Count;
        int features = inputs[0]![0]!.AsArray().Count;
        Assert.Equal(expected["keras_version"]!.GetValue<string>(), model.SourceVersion);
        Assert.Equal(features, model.Features);
        Assert.True(model.Steps is null || model.Steps == steps, $"steps {model.Steps}, reference {steps}");
        string name = Path.GetFileName(file);
        string format = name.EndsWith(".keras", StringComparison.Ordinal) ? "keras3"
            : name.StartsWith("k2_", StringComparison.Ordinal) ? "keras2-h5" : "keras3-h5";
        Assert.Equal(format, model.Format);
        Assert.Equal(name, model.SourceName);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), model.SourceSha256);
        Assert.Contains(model.Layers, l => l.Weights.Count > 0);
        foreach (var layer in model.Layers)
            foreach (var tensor in layer.Weights)
                Assert.Equal(tensor.Shape.Aggregate(1, (a, b) => a * b), tensor.Data.Length);
    }

    public static TheoryData<string> SameModelThreeWays()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(Path.Combine(Fixtures, "keras"),
                                                   "k3_*.keras").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(file)[3..]);
        return data;
    }

    /// <summary>
    /// The generator writes one model's weights into a Keras 3 .keras, a Keras 3 .h5 and a Keras 2 .h5: three
    /// layouts (vars/0..2 by position; weight_names with and without ":0", cells named lstm_cell_1) must give the same
    /// layers, names, shapes and values.
    /// </summary>
    [Theory]
    [MemberData(nameof(SameModelThreeWays))]
    public void The_three_layouts_of_one_model_give_the_same_layers_and_weights(string model)
    {
        var keras = ModelImport.Read(Fixture($"keras/k3_{model}.keras"));
        foreach (string other in (string[])[$"keras/k3_{model}.h5", $"keras/k2_{model}.h5"])
        {
            var read = ModelImport.Read(Fixture(other));
            Assert.Equal(keras.Steps, read.Steps);
            Assert.Equal(keras.Features, read.Features);
            var a = keras.Layers.Where(l => l.ClassName != "InputLayer").ToList();
            var b = read.Layers.Where(l => l.ClassName != "InputLayer").ToList();
            Assert.Equal(a.Select(l => l.ClassName), b.Select(l => l.ClassName));
            for (int i = 0; i < a.Count; i++)
            {
                Assert.Equal(a[i].Weights.Select(t => t.Name), b[i].Weights.Select(t => t.Name));
                for (int j = 0; j < a[i].Weights.Count; j++)
                {
                    Assert.Equal(a[i].Weights[j].Shape, b[i].Weights[j].Shape);
                    Assert.Equal(a[i].Weights[j].Data, b[i].Weights[j].Data);
                }
            }
        }
    }

    [Fact]
    public void The_real_lstm_file_has_its_keras_layers_shapes_and_values()
    {
        var model = ModelImport.Read(Fixture("real/air_quality_lstm.keras"));
        Assert.Equal(("keras3", "3.10.0", 72, 18), (model.Format, model.SourceVersion, model.Steps, model.Features));
        Assert.Equal(["InputLayer", "LSTM", "Dropout", "LSTM", "Dropout", "LSTM", "Dropout", "Dense", "Dense"],
            model.Layers.Select(l => l.ClassName));
        Assert.Equal(["input_layer_21", "lstm_39", "dropout_63", "lstm_40", "dropout_64", "lstm_41", "dropout_65",
            "dense_42", "dense_43"], model.Layers.Select(l => l.Name));
        var shapes = model.Layers.SelectMany(l =>
            l.Weights.Select(t => $"{l.Name}/{t.Name}:{string.Join('x', t.Shape)}"));
        Assert.Equal(["lstm_39/kernel:18x128", "lstm_39/recurrent_kernel:32x128", "lstm_39/bias:128",
            "lstm_40/kernel:32x128", "lstm_40/recurrent_kernel:32x128", "lstm_40/bias:128",
            "lstm_41/kernel:32x64", "lstm_41/recurrent_kernel:16x64", "lstm_41/bias:64",
            "dense_42/kernel:16x16", "dense_42/bias:16", "dense_43/kernel:16x1", "dense_43/bias:1"], shapes);
        // Values read with h5py from layers/lstm/cell/vars/0, layers/lstm_2/cell/vars/2, layers/dense_1/vars/1.
        var kernel = model.Layers[1].Weights[0].Data;
        Assert.Equal(4.753618505770607e-12, (double)kernel[0]);
        Assert.Equal(8.992920848911647e-15, (double)kernel[17 * 128 + 127]);
        Assert.Equal(0.5109413277969492, kernel.Sum(v => (double)v), 1e-12);
        Assert.Equal(0.9448657631874084, (double)model.Layers[5].Weights[2].Data[0]);
        Assert.Equal(1.7035223245620728, (double)model.Layers[5].Weights[2].Data[63]);
        Assert.Equal(0.13957396149635315, (double)model.Layers[8].Weights[1].Data[0]);
        Assert.Equal("tanh", model.Layers[1].Config["activation"]!.GetValue<string>());
        Assert.False(model.Layers[5].Config["return_sequences"]!.GetValue<bool>());
    }

    [Fact]
    public void The_real_gru_file_has_its_reset_after_bias_rows()
    {
        var model = ModelImport.Read(Fixture("real/air_quality_gru.keras"));
        var bias = model.Layers[1].Weights[2];
        Assert.Equal(("GRU", "bias"), (model.Layers[1].ClassName, bias.Name));
        Assert.Equal([2, 192], bias.Shape);
        // h5py: layers/gru/cell/vars/2[1, 5] and the float64 sum of all 384 values.
        Assert.Equal(-0.5903370976448059, (double)bias.Data[192 + 5]);
        Assert.Equal(42.52003297591, bias.Data.Sum(v => (double)v), 1e-9);
    }

    [Fact]
    public void A_keras2_file_reads_cells_by_their_weight_names_not_fixed_paths()
    {
        // The second LSTM's cell is lstm_cell_1 in k2_lstm_stack_tanh.h5; h5py values of its recurrent kernel.
        var model = ModelImport.Read(Fixture("keras/k2_lstm_stack_tanh.h5"));
        var lstm = model.Layers.Where(l => l.ClassName == "LSTM").ToList();
        var recurrent = lstm[1].Weights[1];
        Assert.Equal(("lstm_1", "recurrent_kernel"), (lstm[1].Name, recurrent.Name));
        Assert.Equal([3, 12], recurrent.Shape);
        Assert.Equal(-0.1758458912372589, (double)recurrent.Data[0]);
        Assert.Equal(0.026868024840950966, (double)recurrent.Data[^1]);
    }

    [Fact]
    public void The_format_is_told_from_the_content_not_the_extension()
    {
        string zip = Copy("keras/k3_lstm_relu.keras", "model.h5");
        string h5 = Copy("keras/k3_lstm_relu.h5", "model.keras");
        Assert.Equal(ModelFileKind.Zip, ModelImport.Detect(zip));
        Assert.Equal(ModelFileKind.Hdf5, ModelImport.Detect(h5));
        Assert.Equal("keras3", ModelImport.Read(zip).Format);
        Assert.Equal("keras3-h5", ModelImport.Read(h5).Format);
        // An HDF5 superblock after a 512-byte user block.
        string userBlock = Path.Combine(_dir, "user-block.bin");
        File.WriteAllBytes(userBlock,
                           [.. new byte[512], 0x89, (byte)'H', (byte)'D', (byte)'F', 13, 10, 26, 10, .. new byte[8]]);
        Assert.Equal(ModelFileKind.Hdf5, ModelImport.Detect(userBlock));
        string safetensors = Path.Combine(_dir, "x.bin");
        File.WriteAllBytes(safetensors, [2, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}']);
        Assert.Equal(ModelFileKind.SafeTensors, ModelImport.Detect(safetensors));
        string text = Path.Combine(_dir, "x.keras");
        File.WriteAllText(text, "not a model at all");
        Assert.Equal(ModelFileKind.Unknown, ModelImport.Detect(text));
        Refused(text, "not a model file");
        Refused(safetensors, "safetensors");
    }

    // ---- refused layers and flags: the real LSTM file with its config edited --------------------------------------

    public static TheoryData<string, string, string> RefusedLayers() => new()
    {
        { """{"class_name": "Lambda", "config": {"name": "lam", "function": "gASV"}}""", "Lambda layer",
            "never runs code" },
        { """{"class_name": "Conv1D", "config": {"name": "conv", "filters": 4}}""", "Conv1D layer",
            "supported layers: InputLayer, LSTM" },
        { """{"class_name": "Attention", "config": {"name": "att"}}""", "Attention layer", "supported layers" },
        { """{"class_name": "Masking", "config": {"name": "mask"}}""", "Masking layer", "supported layers" },
        {
            """{"module": "my_pkg", "class_name": "MyLayer", "registered_name": "Custom>MyLayer","""
            + """ "config": {"name": "mine"}}""",
            "custom layer", "supported layers"
        },
    };

    [Theory]
    [MemberData(nameof(RefusedLayers))]
    public void An_unsupported_layer_is_refused_with_its_class_and_the_supported_list(string layer, string what,
                                                                                      string more)
    {
        string path = EditedRealFile(config => config["config"]!["layers"]!.AsArray().Insert(2, JsonNode.Parse(layer)));
        string message = Refused(path, what);
        Assert.Contains(more, message);
    }

    public static TheoryData<string, string> RefusedFlags() => new()
    {
        { "stateful", "stateful LSTM" },
        { "go_backwards", "go_backwards outside a Bidirectional" },
        { "return_state", "returns its state" },
    };

    [Theory]
    [MemberData(nameof(RefusedFlags))]
    public void A_stateful_backwards_or_state_returning_rnn_is_refused(string flag, string what)
    {
        string path = EditedRealFile(config => config["config"]!["layers"]![1]!["config"]![flag] = true);
        Refused(path, what);
    }

    [Fact]
    public void A_bidirectional_merge_mode_none_and_a_wrapped_dense_are_refused()
    {
        string bidi = EditedRealFile(config =>
        {
            var layers = config["config"]!["layers"]!.AsArray();
            var lstm = layers[1]!.DeepClone();
            layers[1] =
                JsonNode.Parse("""{"class_name": "Bidirectional","""
                               + """ "config": {"name": "bidi", "merge_mode": null, "layer": """
                               + lstm.ToJsonString() + "}}");
        });
        Refused(bidi, "merge_mode null");
        string wrapped = EditedRealFile(config =>
        {
            var layers = config["config"]!["layers"]!.AsArray();
            var dense = layers[7]!.DeepClone();
            layers[1] =
                JsonNode.Parse("""{"class_name": "Bidirectional","""
                               + """ "config": {"name": "bidi", "merge_mode": "concat", "layer": """
                               + dense.ToJsonString() + "}}");
        });
        Refused(wrapped, "Bidirectional(Dense)");
    }

    [Fact]
    public void Weights_that_disagree_with_the_config_are_refused()
    {
        string units = EditedRealFile(config => config["config"]!["layers"]![1]!["config"]!["units"] = 31);
        Refused(units, "layer 'lstm_39' (LSTM) has kernel of shape (18, 128), expected (inputs, 124)");
        string bias = EditedRealFile(config => config["config"]!["layers"]![7]!["config"]!["use_bias"] = false);
        Refused(bias, "layer 'dense_42' has 2 arrays in 'vars', expected 1 (kernel)");
        string renamed = EditedRealFile(config =>
        {
            var layers = config["config"]!["layers"]!.AsArray();
            layers.RemoveAt(2);   // dropout_63: the walk's layer paths and the config no longer line up by position
            layers[1]!["config"]!["name"] = "renamed";
        });
        Refused(renamed, "no weights for layer 'renamed'");
    }

    [Fact]
    public void A_config_without_an_input_shape_or_with_a_branch_is_refused()
    {
        string noShape = EditedRealFile(config =>
        {
            var layers = config["config"]!["layers"]!.AsArray();
            layers.RemoveAt(0);
            layers[0]!["build_config"] = null;
            config["config"]!.AsObject().Remove("build_input_shape");
        });
        Refused(noShape, "gives no input shape");
        string flat = EditedRealFile(config =>
            config["config"]!["layers"]![0]!["config"]!["batch_shape"] = JsonNode.Parse("[null, 18]"));
        Refused(flat, "input shape has 2 dimensions");
        string functional = EditedRealFile(config =>
        {
            config["class_name"] = "Functional";
            var layers = config["config"]!["layers"]!.AsArray();
            string previous = "";
            foreach (var layer in layers)
            {
                string name = layer!["config"]!["name"]!.GetValue<string>();
                layer["inbound_nodes"] = previous.Length == 0 ? new JsonArray()
                    : JsonNode.Parse("[{\"args\": [{\"class_name\": \"__keras_tensor__\", \"config\": " +
                                     "{\"keras_history\": [\""
                        + previous + "\", 0, 0]}}], \"kwargs\": {}}]");
                previous = name;
            }
            // The second LSTM also reads the input: not a chain.
            layers[3]!["inbound_nodes"] =
                JsonNode.Parse("""[{"args": [{"config": {"keras_history": ["dropout_63", 0, 0]}}, """
                               + """{"config": {"keras_history": ["input_layer_21", 0, 0]}}]}]""");
            config["config"]!["input_layers"] = JsonNode.Parse("""[["input_layer_21", 0, 0]]""");
            config["config"]!["output_layers"] = JsonNode.Parse("""[["dense_43", 0, 0]]""");
        });
        Refused(functional, "not a single chain: layer 'lstm_40'");
    }

    // ---- malformed containers ---------------------------------------------------------------------------------------

    [Fact]
    public void Malformed_archives_are_refused_in_one_line()
    {
        string truncated = Path.Combine(_dir, "truncated.keras");
        var bytes = File.ReadAllBytes(Fixture("keras/k3_lstm_relu.keras"));
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Refused(truncated, "malformed");

        Refused(Zip("noconfig.keras", ("metadata.json", "{}"u8.ToArray())), "has no config.json");
        Refused(Zip("badjson.keras", ("config.json", "{\"class_name\": "u8.ToArray()),
            ("model.weights.h5", [])), "not valid JSON");
        var many = Enumerable.Range(0, KerasReader.MaxEntries + 1).Select(i =>
            ($"f{i}", Array.Empty<byte>())).ToArray();
        Refused(Zip("many.keras", many), $"at most {KerasReader.MaxEntries} read");
        // A 65 MiB config.json of spaces deflates to a few kB: refused from its declared size, nothing unpacked.
        Refused(Zip("bomb.keras", ("config.json", new byte[65 << 20])), "config.json declares 68157440 bytes");
        Refused(EditedRealFile(_ => { }, weights: "not hdf5"u8.ToArray()), "malformed HDF5 content");
    }

    [Fact]
    public void Malformed_hdf5_files_are_refused_in_one_line()
    {
        var bytes = File.ReadAllBytes(Fixture("keras/k2_lstm_relu.h5"));
        string truncated = Path.Combine(_dir, "truncated.h5");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 3)]);
        Refused(truncated, "malformed HDF5 content");
        string headerOnly = Path.Combine(_dir, "header.h5");
        File.WriteAllBytes(headerOnly, bytes[..64]);
        Refused(headerOnly, "malformed HDF5 content");
        // The weights file inside a .keras archive has no model config.
        string weightsOnly = Path.Combine(_dir, "weights.h5");
        using (var zip = ZipFile.OpenRead(Fixture("keras/k3_lstm_relu.keras")))
            zip.GetEntry("model.weights.h5")!.ExtractToFile(weightsOnly);
        Refused(weightsOnly, "without its model config");
    }

    [Fact]
    public void An_external_link_message_is_found_wherever_it_sits_and_float_data_is_not_one()
    {
        // Link message v1: flags 0x08 (type present, 1-byte name length), type 64, name "k", value length 20,
        // value = a zero byte, "/etc/other.h5" NUL, "/w" NUL.
        byte[] file = "/etc/other.h5"u8.ToArray(), target = "/w"u8.ToArray();
        int valueLength = 1 + file.Length + 1 + target.Length + 1;
        byte[] message = [1, 0x08, 64, 1, (byte)'k', (byte)valueLength, 0, 0, .. file, 0, .. target, 0];
        var random = new System.Random(7);
        var floats = new float[4096];
        for (int i = 0; i < floats.Length; i++) floats[i] = (float)(random.NextDouble() * 8 - 4);
        byte[] data = System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()).ToArray();
        Assert.Null(Hdf5Weights.ExternalLink(data));
        byte[] withLink = [.. data[..1001], .. message, .. data[1001..]];
        Assert.Equal(("k", "/etc/other.h5", "/w"), Hdf5Weights.ExternalLink(withLink));
        // A soft link (type 1) and a value that is not two strings are not external links.
        byte[] soft = [.. message];
        soft[2] = 1;
        Assert.Null(Hdf5Weights.ExternalLink(soft));
        byte[] oneString = [1, 0x08, 64, 1, (byte)'k', 5, 0, 0, (byte)'a', (byte)'b', (byte)'c', 0];
        Assert.Null(Hdf5Weights.ExternalLink(oneString));
        foreach (string fixture in Directory.GetFiles(Path.Combine(Fixtures, "keras"), "*.h5"))
            Assert.Null(Hdf5Weights.ExternalLink(File.ReadAllBytes(fixture)));
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    /// <summary>Expects a one-line ModelFormatException naming the file and containing
    /// <paramref name="what"/>.</summary>
    private static string Refused(string path, string what)
    {
        var e = Assert.Throws<ModelFormatException>(() => ModelImport.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(what, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    private string Copy(string fixture, string name)
    {
        string path = Path.Combine(_dir, name);
        File.Copy(Fixture(fixture), path);
        return path;
    }

    private string Zip(string name, params (string Entry, byte[] Data)[] entries)
    {
        string path = Path.Combine(_dir, name);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (entry, data) in entries)
        {
            using var stream = zip.CreateEntry(entry, CompressionLevel.Optimal).Open();
            stream.Write(data);
        }
        return path;
    }

    /// <summary>The real LSTM file with its config.json edited (and optionally its weights replaced).</summary>
    private string EditedRealFile(Action<JsonObject> edit, byte[]? weights = null)
    {
        using var source = ZipFile.OpenRead(Fixture("real/air_quality_lstm.keras"));
        byte[] Read(string entry)
        {
            using var stream = source.GetEntry(entry)!.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
        var config = JsonNode.Parse(Read("config.json"))!.AsObject();
        edit(config);
        return Zip($"edited-{Guid.NewGuid():N}.keras", ("config.json", Encoding.UTF8.GetBytes(config.ToJsonString())),
            ("metadata.json", Read("metadata.json")), ("model.weights.h5", weights ?? Read("model.weights.h5")));
    }
}
