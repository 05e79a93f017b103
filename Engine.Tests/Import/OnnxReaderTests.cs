using System.Text.Json.Nodes;
using Engine.Import;
using Engine.Models;
using Google.Protobuf;
using Xunit;

namespace Engine.Tests.Import;

/// <summary>The ONNX reader on real torch.onnx.export files (Fixtures/onnx_extra.py): the Keras form it produces
/// (layers, shapes, gate orders pinned to torch's own state_dict) and its predictions, through an independent float64
/// Keras-equation reference, against torch's output; refused graphs and malformed files.</summary>
public class OnnxReaderTests
{
    internal static string Fixture(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "Engine.Tests", "Import", "Fixtures", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"fixture {name} not found above {AppContext.BaseDirectory}");
    }

    private static double[] Flat(JsonNode? node) => node switch
    {
        JsonArray a => [.. a.SelectMany(Flat)],
        JsonValue v => [v.GetValue<double>()],
        _ => throw new InvalidDataException("bad expected.json"),
    };

    private static int[] Shape(JsonNode? node)
    {
        var dims = new List<int>();
        while (node is JsonArray a) { dims.Add(a.Count); node = a.Count > 0 ? a[0] : null; }
        return [.. dims];
    }

    public static TheoryData<string> Predicting() =>
    [
        "lstm_last", "lstm2_bidir_seq", "gru2_tm_last", "gru_bidir_hn", "lstm2_hn_relu", "gru_tm_seq", "lstm_slice",
        "gru_flatten", "lstm_bidir_reshape", "gru_seq_softmax", "gru_hn_squeeze", "lstm_bidir_last",
    ];

    /// <summary>Every fixture's outputs, computed from the imported Keras form with Keras' equations in float64,
    /// match torch's float32 output within 1e-5 absolute and torch's float64 run within 1e-6.</summary>
    [Theory]
    [MemberData(nameof(Predicting))]
    public void Predictions_match_torch(string name)
    {
        var model = OnnxReader.Read(Fixture($"onnx_extra_{name}.onnx"));
        var expected = JsonNode.Parse(File.ReadAllText(Fixture($"onnx_extra_{name}.expected.json")))!;
        bool batchFirst = (bool)expected["batch_first"]!;
        int[] inShape = Shape(expected["inputs"]);
        double[] inputs = Flat(expected["inputs"]);
        int n = batchFirst ? inShape[0] : inShape[1], t = batchFirst ? inShape[1] : inShape[0], f = inShape[2];
        Assert.Equal(f, model.Features);
        int[] outShape = Shape(expected["outputs"]);
        double[] torch32 = Flat(expected["outputs"]), torch64 = Flat(expected["outputs64"]);
        bool sequence = outShape.Length == 3;
        int units = outShape[^1];
        for (int s = 0; s < n; s++)
        {
            var series = new double[t][];
            for (int step = 0; step < t; step++)
            {
                int row = batchFirst ? s * t + step : step * n + s;
                series[step] = [.. Enumerable.Range(0, f).Select(i => inputs[row * f + i])];
            }
            var y = ImportedModelReference.Forward(model, series);
            Assert.Equal(sequence ? t : 1, y.Length);
            for (int step = 0; step < y.Length; step++)
            {
                Assert.Equal(units, y[step].Length);
                for (int o = 0; o < units; o++)
                {
                    int at = !sequence ? s * units + o : (batchFirst ? s * t + step : step * n + s) * units + o;
                    Assert.True(Math.Abs(y[step][o] - torch32[at]) <= 1e-5,
                        $"{name} series {s} step {step} output {o}: {y[step][o]} vs torch {torch32[at]}");
                    Assert.True(Math.Abs(y[step][o] - torch64[at]) <= 1e-6,
                        $"{name} series {s} step {step} output {o}: {y[step][o]} vs torch float64 {torch64[at]}");
                }
            }
        }
    }

    public static TheoryData<string> FixtureExports() =>
        [.. Directory.GetFiles(Path.Combine(Path.GetDirectoryName(Fixture("onnx_extra.py"))!, "onnx"), "*.onnx")
                     .Select(p => Path.GetFileName(p)).Order()];

    /// <summary>The fixtures script's exports (Fixtures/onnx/, make_onnx.py): the imported form's float64
    /// Keras-equation outputs against the script's float64 references (1e-6) and torch's float32 output
    /// (1e-5).</summary>
    [Theory]
    [MemberData(nameof(FixtureExports))]
    public void Fixture_exports_match_torch(string file)
    {
        string path = Path.Combine(Path.GetDirectoryName(Fixture("onnx_extra.py"))!, "onnx", file);
        var model = OnnxReader.Read(path);
        var expected = JsonNode.Parse(File.ReadAllText(path + ".expected.json"))!;
        // Stored batch-major whatever the graph's layout: inputs (N, T, F), outputs (N, O) or (N, T, O).
        int[] inShape = Shape(expected["inputs"]);
        double[] inputs = Flat(expected["inputs"]);
        int n = inShape[0], t = inShape[1], f = inShape[2];
        bool sequence = Shape(expected["outputs"]).Length == 3;
        double[] reference = Flat(expected["outputs"]), torch32 = Flat(expected["outputs_torch_float32"]);
        int units = Shape(expected["outputs"])[^1];
        for (int s = 0; s < n; s++)
        {
            var series = new double[t][];
            for (int step = 0; step < t; step++)
            {
                series[step] = [.. Enumerable.Range(0, f).Select(i => inputs[(s * t + step) * f + i])];
            }
            var y = ImportedModelReference.Forward(model, series);
            Assert.Equal(sequence ? t : 1, y.Length);
            for (int step = 0; step < y.Length; step++)
                for (int o = 0; o < units; o++)
                {
                    int at = (sequence ? s * t + step : s) * units + o;
                    Assert.True(Math.Abs(y[step][o] - reference[at]) <= 1e-6, $"{file} {s},{step},{o}");
                    Assert.True(Math.Abs(y[step][o] - torch32[at]) <= 1e-5, $"{file} {s},{step},{o} (float32)");
                }
        }
    }

    private static string Describe(ImportedLayer l)
    {
        var c = l.Config;
        string Cell(JsonObject cfg) =>
            $"{cfg["units"]},{cfg["activation"]},{cfg["recurrent_activation"]},seq={cfg["return_sequences"]}" +
            (cfg["reset_after"] is { } r ? $",reset_after={r}" : "");
        return l.ClassName switch
        {
            "LSTM" or "GRU" => $"{l.ClassName}({Cell(c)})",
            "Bidirectional" => $"Bidirectional({c["layer"]!["class_name"]}" +
                               $"({Cell((JsonObject)c["layer"]!["config"]!)}),{c["merge_mode"]})",
            "Dense" => $"Dense({c["units"]},{c["activation"]})",
            _ => l.ClassName,
        } + ":" + string.Join(" ", l.Weights.Select(w => $"{w.Name}({string.Join("x", w.Shape)})"));
    }

    [Theory]
    [InlineData("lstm_last", 6, "LSTM(5,tanh,sigmoid,seq=false):kernel(3x20) recurrent_kernel(5x20) bias(20)",
                "Dense(2,linear):kernel(5x2) bias(2)")]
    [InlineData("lstm2_bidir_seq", null,
                "Bidirectional(LSTM(4,tanh,sigmoid,seq=true),concat):forward_layer/kernel(3x16) " +
                "forward_layer/recurrent_kernel(4x16) forward_layer/bias(16) backward_layer/kernel(3x16) " +
                "backward_layer/recurrent_kernel(4x16) backward_layer/bias(16)",
                "Bidirectional(LSTM(4,tanh,sigmoid,seq=true),concat):forward_layer/kernel(8x16) " +
                "forward_layer/recurrent_kernel(4x16) forward_layer/bias(16) backward_layer/kernel(8x16) " +
                "backward_layer/recurrent_kernel(4x16) backward_layer/bias(16)",
                "Dense(2,linear):kernel(8x2) bias(2)")]
    [InlineData("gru2_tm_last", 6,
                "GRU(4,tanh,sigmoid,seq=true,reset_after=true):kernel(3x12) recurrent_kernel(4x12) bias(2x12)",
                "GRU(4,tanh,sigmoid,seq=false,reset_after=true):kernel(4x12) recurrent_kernel(4x12) bias(2x12)",
                "Dense(2,linear):kernel(4x2) bias(2)")]
    [InlineData("gru_bidir_hn", 6,
                "Bidirectional(GRU(4,tanh,sigmoid,seq=false,reset_after=true),concat):forward_layer/kernel(3x12) " +
                "forward_layer/recurrent_kernel(4x12) forward_layer/bias(2x12) backward_layer/kernel(3x12) " +
                "backward_layer/recurrent_kernel(4x12) backward_layer/bias(2x12)",
                "Dense(2,sigmoid):kernel(8x2) bias(2)")]
    [InlineData("lstm2_hn_relu", 6, "LSTM(4,tanh,sigmoid,seq=true):kernel(3x16) recurrent_kernel(4x16) bias(16)",
                "LSTM(4,tanh,sigmoid,seq=false):kernel(4x16) recurrent_kernel(4x16) bias(16)",
                "Dense(6,relu):kernel(4x6) bias(6)", "Dense(1,linear):kernel(6x1) bias(1)")]
    [InlineData("gru_tm_seq", 6,
                "GRU(5,tanh,sigmoid,seq=true,reset_after=true):kernel(3x15) recurrent_kernel(5x15) bias(2x15)",
                "Dense(2,linear):kernel(5x2) bias(2)")]
    [InlineData("lstm_bidir_last", 6,
                "Bidirectional(LSTM(4,tanh,sigmoid,seq=true),concat):forward_layer/kernel(3x16) " +
                "forward_layer/recurrent_kernel(4x16) forward_layer/bias(16) backward_layer/kernel(3x16) " +
                "backward_layer/recurrent_kernel(4x16) backward_layer/bias(16)",
                "LastStep:", "Dense(2,linear):kernel(8x2) bias(2)")]
    [InlineData("gru_hn_squeeze", 6,
                "GRU(4,tanh,sigmoid,seq=false,reset_after=true):kernel(3x12) recurrent_kernel(4x12) bias(2x12)",
                "Dense(2,linear):kernel(4x2) bias(2)")]
    [InlineData("gru_flatten", 6,
                "GRU(3,tanh,sigmoid,seq=true,reset_after=true):kernel(3x9) recurrent_kernel(3x9) bias(2x9)",
                "Flatten:", "Dense(2,linear):kernel(18x2) bias(2)")]
    [InlineData("lstm_bidir_reshape", 6,
                "Bidirectional(LSTM(3,tanh,sigmoid,seq=true),concat):forward_layer/kernel(3x12) " +
                "forward_layer/recurrent_kernel(3x12) forward_layer/bias(12) backward_layer/kernel(3x12) " +
                "backward_layer/recurrent_kernel(3x12) backward_layer/bias(12)",
                "Flatten:", "Dense(2,linear):kernel(36x2) bias(2)")]
    [InlineData("gru_seq_softmax", 6,
                "GRU(4,tanh,sigmoid,seq=true,reset_after=true):kernel(3x12) recurrent_kernel(4x12) bias(2x12)",
                "Dense(3,softmax):kernel(4x3) bias(3)")]
    public void Layers_in_Keras_form(string name, int? steps, params string[] layers)
    {
        var model = OnnxReader.Read(Fixture($"onnx_extra_{name}.onnx"));
        Assert.Equal("onnx", model.Format);
        Assert.StartsWith("pytorch 1.13", model.SourceVersion);
        Assert.Equal($"onnx_extra_{name}.onnx", model.SourceName);
        Assert.Equal(64, model.SourceSha256.Length);
        Assert.Equal(3, model.Features);
        // The dynamic batch axis of lstm2_bidir_seq leaves its steps declared; a symbolic time axis would be null.
        Assert.Equal(steps ?? 6, model.Steps);
        Assert.Equal(layers, model.Layers.Select(Describe));
        Assert.Equal(model.Layers.Count, model.Layers.Select(l => l.Name).Distinct().Count());
    }

    private static float[] TorchTensor(JsonNode expected, string key) =>
        [.. Flat(expected["torch"]![key]).Select(v => (float)v)];

    /// <summary>The LSTM's Keras kernel, recurrent kernel and bias against torch's weight_ih_l0 (4H, F),
    /// weight_hh_l0 (4H, H), b_ih + b_hh, whose gate blocks i, f, g, o are Keras' i, f, c, o: kernel[i, k] =
    /// weight_ih[k, i] for every column k, so ONNX's i, o, f, c reordering must be undone exactly.</summary>
    [Fact]
    public void Lstm_gates_are_torch_gates_transposed()
    {
        var model = OnnxReader.Read(Fixture("onnx_extra_lstm_last.onnx"));
        var expected = JsonNode.Parse(File.ReadAllText(Fixture("onnx_extra_lstm_last.expected.json")))!;
        var w = model.Layers[0].Weights.ToDictionary(t => t.Name, t => t.Data);
        float[] wih = TorchTensor(expected, "rnn.weight_ih_l0"), whh = TorchTensor(expected, "rnn.weight_hh_l0");
        float[] bih = TorchTensor(expected, "rnn.bias_ih_l0"), bhh = TorchTensor(expected, "rnn.bias_hh_l0");
        const int h = 5, f = 3;
        for (int k = 0; k < 4 * h; k++)
        {
            for (int i = 0; i < f; i++) Assert.Equal(wih[k * f + i], w["kernel"][i * 4 * h + k]);
            for (int i = 0; i < h; i++) Assert.Equal(whh[k * h + i], w["recurrent_kernel"][i * 4 * h + k]);
            Assert.Equal(bih[k] + bhh[k], w["bias"][k]);
        }
        float[] fcw = TorchTensor(expected, "fc.weight");
        var dense = model.Layers[1].Weights.ToDictionary(t => t.Name, t => t.Data);
        for (int o = 0; o < 2; o++)
            for (int i = 0; i < h; i++) Assert.Equal(fcw[o * h + i], dense["kernel"][i * 2 + o]);
        Assert.Equal(TorchTensor(expected, "fc.bias"), dense["bias"]);
    }

    /// <summary>The GRU's Keras z, r, h blocks against torch's r, z, n rows (forward and reverse direction), and the
    /// reset_after bias (2, 3H) = [b_ih; b_hh] in the same reordering.</summary>
    [Fact]
    public void Gru_gates_are_torch_gates_reordered()
    {
        var model = OnnxReader.Read(Fixture("onnx_extra_gru_bidir_hn.onnx"));
        var expected = JsonNode.Parse(File.ReadAllText(Fixture("onnx_extra_gru_bidir_hn.expected.json")))!;
        var w = model.Layers[0].Weights.ToDictionary(t => t.Name, t => t.Data);
        const int h = 4, f = 3, gh = 12;
        int[] torchBlock = [1, 0, 2];   // Keras z, r, h <- torch blocks r(0), z(1), n(2)
        foreach (var (prefix, suffix) in new[] { ("forward_layer/", ""), ("backward_layer/", "_reverse") })
        {
            float[] wih = TorchTensor(expected, "rnn.weight_ih_l0" + suffix);
            float[] whh = TorchTensor(expected, "rnn.weight_hh_l0" + suffix);
            float[] bih = TorchTensor(expected, "rnn.bias_ih_l0" + suffix);
            float[] bhh = TorchTensor(expected, "rnn.bias_hh_l0" + suffix);
            for (int k = 0; k < 3; k++)
                for (int j = 0; j < h; j++)
                {
                    int row = torchBlock[k] * h + j, col = k * h + j;
                    for (int i = 0; i < f; i++) Assert.Equal(wih[row * f + i], w[prefix + "kernel"][i * gh + col]);
                    for (int i = 0; i < h; i++)
                        Assert.Equal(whh[row * h + i], w[prefix + "recurrent_kernel"][i * gh + col]);
                    Assert.Equal(bih[row], w[prefix + "bias"][col]);
                    Assert.Equal(bhh[row], w[prefix + "bias"][gh + col]);
                }
        }
    }

    [Theory]
    [InlineData("refused_h0", "initial h is not zero")]
    [InlineData("refused_conv", "the ONNX op Conv is not supported")]
    public void Unsupported_graphs_are_refused_in_one_line(string name, string why)
    {
        string path = Fixture($"onnx_extra_{name}.onnx");
        var e = Assert.Throws<ModelFormatException>(() => OnnxReader.Read(path));
        Assert.Contains(why, e.Message);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>The fixtures script's bad ONNX files (make_onnx.py --bad): each refused in one line naming the
    /// problem.</summary>
    [Theory]
    [InlineData("refused/onnx_refused_conv1d.onnx", "the ONNX op Conv is not supported")]
    [InlineData("malformed/onnx_truncated.onnx", "not a valid ONNX protobuf file")]
    [InlineData("malformed/onnx_not_protobuf.onnx", "not a valid ONNX protobuf file")]
    [InlineData("malformed/onnx_huge_tensor_dims.onnx", "has a dimension of 2147483648")]
    [InlineData("malformed/onnx_external_data.onnx", "keeps tensor data in external files")]
    public void Fixture_bad_files_are_refused_in_one_line(string file, string why)
    {
        string path = Path.Combine(Path.GetDirectoryName(Fixture("onnx_extra.py"))!, file);
        var e = Assert.Throws<ModelFormatException>(() => OnnxReader.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(why, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    // ---- malformed files, written with CodedOutputStream field by field (onnx.proto numbers) ----------------------

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        write(output);
        output.Flush();
        return stream.ToArray();
    }

    private static void Bytes(CodedOutputStream o, int field, byte[] bytes)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(bytes));
    }

    /// <summary>A ModelProto (ir_version 8) whose graph has one initializer written by
    /// <paramref name="tensor"/>.</summary>
    private static byte[] ModelWithInitializer(Action<CodedOutputStream> tensor) => Message(m =>
    {
        m.WriteTag(1, WireFormat.WireType.Varint);
        m.WriteInt64(8);
        Bytes(m, 7, Message(g => Bytes(g, 5, Message(tensor))));
    });

    [Fact]
    public void A_tensor_holding_fewer_elements_than_its_dims_is_refused_before_allocating()
    {
        byte[] file = ModelWithInitializer(t =>
        {
            t.WriteTag(1, WireFormat.WireType.Varint); t.WriteInt64(1_000_000_000);
            t.WriteTag(1, WireFormat.WireType.Varint); t.WriteInt64(1_000_000_000);
            t.WriteTag(2, WireFormat.WireType.Varint); t.WriteInt32(1);
            t.WriteTag(8, WireFormat.WireType.LengthDelimited); t.WriteString("W");
            Bytes(t, 9, new byte[4]);
        });
        var e = Assert.Throws<ModelFormatException>(() => OnnxReader.Read(file, "big.onnx"));
        Assert.Equal("big.onnx: tensor 'W' declares too many elements of shape (1000000000, 1000000000) but holds 1",
                     e.Message);
    }

    [Fact]
    public void External_tensor_data_is_refused()
    {
        byte[] file = ModelWithInitializer(t =>
        {
            t.WriteTag(2, WireFormat.WireType.Varint); t.WriteInt32(1);
            t.WriteTag(14, WireFormat.WireType.Varint); t.WriteInt32(1);
        });
        var e = Assert.Throws<ModelFormatException>(() => OnnxReader.Read(file, "ext.onnx"));
        Assert.Equal("ext.onnx: the ONNX model keeps tensor data in external files, which are not read", e.Message);
    }

    [Fact]
    public void A_truncated_file_is_refused_in_one_line()
    {
        byte[] whole = File.ReadAllBytes(Fixture("onnx_extra_lstm_last.onnx"));
        foreach (int length in new[] { 1, 10, whole.Length / 2, whole.Length - 1 })
        {
            var e = Assert.Throws<ModelFormatException>(() => OnnxReader.Read(whole[..length], "cut.onnx"));
            Assert.StartsWith("cut.onnx: ", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    [Fact]
    public void A_graph_without_recurrent_op_is_refused()
    {
        byte[] file = Message(m =>
        {
            m.WriteTag(1, WireFormat.WireType.Varint);
            m.WriteInt64(8);
        });
        var e = Assert.Throws<ModelFormatException>(() => OnnxReader.Read(file, "empty.onnx"));
        Assert.Equal("empty.onnx: not an ONNX model: it has no graph", e.Message);
    }

    [Fact]
    public void Detection_from_content()
    {
        Assert.True(OnnxReader.LooksLikeOnnx(File.ReadAllBytes(Fixture("onnx_extra_gru_tm_seq.onnx")).AsSpan(0, 64)));
        Assert.False(OnnxReader.LooksLikeOnnx("PK\x03\x04\x14\x00\x00\x00"u8));                    // zip (.keras)
        Assert.False(OnnxReader.LooksLikeOnnx("\x89HDF\r\n\x1a\n\x00\x00\x00\x00"u8));             // HDF5
        Assert.False(OnnxReader.LooksLikeOnnx([0x58, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'"']));  // safetensors
        Assert.False(OnnxReader.LooksLikeOnnx("series,time,x1\n"u8));                              // CSV
        Assert.False(OnnxReader.LooksLikeOnnx([]));
    }
}
