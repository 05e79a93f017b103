using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Demo.Data;
using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using Xunit;

namespace Demo.Tests.Data;

public class ModelFileTests
{
    internal static string FixtureDirectory([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Fixtures");

    private static Sequential TinyModel(bool head = true, string output = "sequence")
    {
        bool sequence = output == "sequence";
        var layers = new List<Layer>
        {
            new Lstm(4, Activation.Relu, Activation.Sigmoid, returnSequences: true),
            new Lstm(head ? 3 : 1, head ? Activation.Tanh : Activation.Sigmoid, Activation.HardSigmoid,
                     returnSequences: sequence),
        };
        if (head) layers.Add(new Dense(1, Activation.Sigmoid));
        return new Sequential(3, layers, flatten: sequence);
    }

    private static readonly ModelMetadata TinyMetadata = new()
    {
        Features = ["a", "b", "c"],
        Steps = 5,
        Normalisation = new Normalisation([1f, 2f, 3f], [0.5f, 1f, 2f]),
        Training = new TrainingInfo
        {
            Loss = "bce", Epochs = 2, Target = "y",
            History = [new EpochLoss(1, 0.7f, 0.69f), new EpochLoss(2, 0.6f, null)]
        },
    };

    [Fact]
    public void PythonWrittenFixtureLoadsAndPredictsAsNumpy()
    {
        // tiny.safetensors was written by make_fixture.py from numpy's raw bytes, tensors in alphabetical order, in the
        // first format (lstm-engine/1: LSTM layers and a head.* dense head in an 'architecture' entry).
        string path = Path.Combine(FixtureDirectory(), "tiny.safetensors");
        var (model, metadata) = ModelFile.Load(path);
        var arch = ModelMetadata.Read(metadata, model, path);
        using var expected =
            JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory(), "tiny_expected.json")));
        var root = expected.RootElement;
        Assert.Equal(["flow", "level"], arch.Features);
        Assert.Equal([10f, -2f], arch.Normalisation!.Mean);
        Assert.Equal("event", arch.Training.Target);
        foreach (var (name, layer, tensor) in ModelFile.TensorNames(model))
        {
            string v1 = layer == model.Layers.Count - 1 ? "head." + tensor.Name : name;
            var want = root.GetProperty("tensors").GetProperty(v1).EnumerateArray().Select(e =>
                e.GetSingle()).ToArray();
            Assert.Equal(want, model.LayerParameters(layer).Slice(tensor.Offset, tensor.Length).ToArray());
        }
        int n = root.GetProperty("batch").GetInt32(), t = root.GetProperty("steps").GetInt32();
        var x = root.GetProperty("inputs").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var y = root.GetProperty("outputs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var output = new float[n * model.OutputsPerSeries(t)];
        model.Predict(output, x, n, t);
        for (int i = 0; i < y.Length; i++)
            Assert.True(Math.Abs(output[i] - y[i]) < 1e-5, $"output {i}: {output[i]} vs numpy {y[i]}");
    }

    [Theory]
    [InlineData(true, "sequence")]
    [InlineData(true, "last")]
    [InlineData(false, "sequence")]
    public void SaveThenLoadGivesTheSameModel(bool head, string output)
    {
        var model = TinyModel(head, output);
        model.Initialize(11);
        string path = Path.Combine(Path.GetTempPath(), $"roundtrip-{Guid.NewGuid():N}.safetensors");
        try
        {
            ModelFile.Save(path, model, TinyMetadata.ToEntries());
            var (loaded, metadata) = ModelFile.Load(path);
            Assert.Equal(model.Parameters, loaded.Parameters);
            Assert.Equal(ModelFile.Architecture(model).ToJsonString(), ModelFile.Architecture(loaded).ToJsonString());
            Assert.Equal(TinyMetadata.ToEntries(), metadata);
            Assert.Equal(TinyMetadata.ToEntries(), ModelMetadata.Read(metadata, loaded, path).ToEntries());
            var x = Enumerable.Range(0, 2 * 5 * 3).Select(i => MathF.Sin(i)).ToArray();
            float[] a = new float[2 * model.OutputsPerSeries(5)], b = new float[a.Length];
            model.Predict(a, x, 2, 5);
            loaded.Predict(b, x, 2, 5);
            Assert.Equal(a, b);
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $".{Path.GetFileName(path)}*"));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void WrittenFileIsStandardSafetensors()
    {
        var model = TinyModel();
        model.Initialize(3);
        var stream = new MemoryStream();
        var tensors = ModelFile.TensorNames(model)
            .Select(e =>
                new NamedTensor(e.Name, e.Tensor.Shape,
                                model.LayerParameters(e.Layer).Slice(e.Tensor.Offset,
                                                                     e.Tensor.Length).ToArray())).ToList();
        SafeTensors.Write(stream, tensors, new Dictionary<string, string> { ["format"] = ModelFile.Format });
        var bytes = stream.ToArray();

        // 8-byte little-endian header size, a JSON header padded to 8 bytes, then the data, tensors tiling it.
        long size = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, size % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)size).TrimEnd(' '));
        Assert.Equal(ModelFile.Format,
                     header.RootElement.GetProperty("__metadata__").GetProperty("format").GetString());
        long dataStart = 8 + size, end = 0;
        foreach (var t in tensors)
        {
            var e = header.RootElement.GetProperty(t.Name);
            Assert.Equal("F32", e.GetProperty("dtype").GetString());
            Assert.Equal(t.Shape, e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray());
            long begin = e.GetProperty("data_offsets")[0].GetInt64();
            end = e.GetProperty("data_offsets")[1].GetInt64();
            Assert.Equal(4L * t.Data.Length, end - begin);
            for (int i = 0; i < t.Data.Length; i++)
                Assert.Equal(t.Data[i],
                             BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)(dataStart + begin + 4 * i))));
        }
        Assert.Equal(bytes.Length, dataStart + end);
        // Keras layout: the first LSTM's kernel is (F, 4H).
        Assert.Equal([3, 16],
                     header.RootElement.GetProperty("layers.0.kernel").GetProperty("shape").EnumerateArray()
                         .Select(d => d.GetInt32()).ToArray());
        Assert.Equal([3, 1],
                     header.RootElement.GetProperty("layers.2.kernel").GetProperty("shape").EnumerateArray()
                         .Select(d => d.GetInt32()).ToArray());
    }

    [Fact]
    public void TruncatedNotSafetensorsAndOtherFormatsAreRejectedWithTheFileName()
    {
        string dir = Directory.CreateTempSubdirectory("modelfile-").FullName;
        try
        {
            var model = TinyModel();
            model.Initialize(1);
            string good = Path.Combine(dir, "good.safetensors");
            ModelFile.Save(good, model, TinyMetadata.ToEntries());
            var bytes = File.ReadAllBytes(good);

            string Fails(string name, byte[] content)
            {
                string p = Path.Combine(dir, name);
                File.WriteAllBytes(p, content);
                var e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(p));
                Assert.Contains(name, e.Message);
                return e.Message;
            }
            Assert.Contains("truncated", Fails("cut.safetensors", bytes[..(bytes.Length - 10)]));
            Assert.Contains("truncated", Fails("cut-header.safetensors", bytes[..40]));
            Assert.Contains("not a safetensors file",
                            Fails("text.safetensors", Encoding.UTF8.GetBytes("series,time,x\n1,2,3\n")));
            Assert.Contains("not a safetensors file", Fails("tiny.safetensors", [1, 2, 3]));
            Assert.Contains("lstm-engine/9", Fails("v9.safetensors", Replace(bytes, "lstm-engine/2", "lstm-engine/9")));
            Assert.Contains("layers.2.bias",
                            Fails("renamed.safetensors", Replace(bytes, "layers.2.bias", "layers.2.bia_")));
            Assert.Contains("layer type 'LSTX' is not supported; supported: LSTM, Dense",
                            Fails("type.safetensors", Replace(bytes, "\\u0022LSTM\\u0022", "\\u0022LSTX\\u0022")));
            Assert.Contains("file not found",
                            Assert.Throws<ModelFormatException>(() =>
                                ModelFile.Load(Path.Combine(dir, "none.safetensors"))).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    // Replaces an ASCII string in the header with one of the same length, leaving the data bytes alone.
    private static byte[] Replace(byte[] bytes, string from, string to)
    {
        var copy = (byte[])bytes.Clone();
        int at = copy.AsSpan().IndexOf(Encoding.ASCII.GetBytes(from));
        Assert.True(at >= 0 && from.Length == to.Length);
        Encoding.ASCII.GetBytes(to).CopyTo(copy, at);
        return copy;
    }

    [Theory]
    [InlineData("""{"input_features": 3, "layers": [{"type": "LSTM", "units": 30000000}]}""",
                "layer 0 (LSTM): 'units' must be a whole number from 1 to 65536, not 30000000")]
    [InlineData("""{"input_features": 3, "layers": [{"type": "LSTM"}]}""",
                "layer 0 (LSTM): the configuration has no 'units'")]
    [InlineData("""{"input_features": 3, "layers": [{"type": "LSTM", "units": 2, "activation": "swish"}]}""",
                "layer 0 (LSTM): 'activation' must be an activation name")]
    [InlineData("""{"input_features": 3, "layers": [{"type": "Conv1D", "units": 2}]}""",
                "layer 0: layer type 'Conv1D' is not supported; supported: LSTM, Dense")]
    [InlineData("""{"input_features": 3, "layers": [{"units": 2}]}""", "layer 0: the configuration has no 'type'")]
    [InlineData("""{"input_features": 0, "layers": [{"type": "Dense", "units": 2}]}""",
                "the model: 'input_features' must be a whole number from 1 to 65536, not 0")]
    [InlineData("""{"input_features": 3, "layers": []}""", "the model: 'layers' must be a non-empty list")]
    [InlineData("""{"input_features": 3, "layers": [{"type": "LSTM", "units": 2}, {"type": "LSTM", "units": 2}]}""",
                "layer 1 (LSTM) needs a sequence input")]
    [InlineData("""{"input_features": 3, "flatten": true, "layers": """
                + """[{"type": "Dense", "units": 2}, {"type": "LSTM", "units": 2}]}""",
                "flatten applies to a sequence output")]
    [InlineData("""{"input_features": 60000, "layers": [{"type": "LSTM", "units": 60000}]}""",
                "layer 0 (LSTM) would have 28800240000 parameters")]
    [InlineData("""{"input_features": 9000, "layers": [{"type": "LSTM", "units": 9000, "return_sequences": true}, """
                + """{"type": "LSTM", "units": 9000}]}""",
                "over 268435456 parameters")]
    public void BadArchitecturesAreRefusedNamingTheLayerAndField(string json, string message)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ModelFile.Build((System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(json)!));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ArchitectureRoundTripsThroughTheRegistry()
    {
        var model = TinyModel(head: true, output: "last");
        var architecture = ModelFile.Architecture(model);
        Assert.Equal("""{"input_features":3,"flatten":false,"layers":["""
                     + """{"type":"LSTM","units":"""
                     + """4,"activation":"relu","recurrent_activation":"sigmoid","return_sequences":true},"""
                     + """{"type":"LSTM","units":"""
                     + """3,"activation":"tanh","recurrent_activation":"hard_sigmoid","return_sequences":false},"""
                     + """{"type":"Dense","units":1,"activation":"sigmoid"}]}""",
                     architecture.ToJsonString());
        Assert.Equal(architecture.ToJsonString(), ModelFile.Architecture(ModelFile.Build(architecture)).ToJsonString());
        Assert.Throws<ArgumentException>(() =>
            ModelFile.Save(Path.Combine(Path.GetTempPath(), "never.safetensors"), model, new Dictionary<string,
                           string>
            { ["model"] = "x" }));
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "never.safetensors")));
    }
}
