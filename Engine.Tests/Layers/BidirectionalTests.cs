using System.Text.Json.Nodes;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Random;
using Engine.Tests.Reference;
using Xunit;

namespace Engine.Tests.Layers;

/// <summary>
/// Bidirectional: pinned to Keras-equation outputs (the float64 import fixtures), its tensors, config and weights for
/// the weight methods. Its gradients are checked against the double reference in Models/GradientPropertyTests.
/// </summary>
public class BidirectionalTests
{
    /// <summary>A fixture file in Engine.Tests/Import/Fixtures/keras, found from the test binary's folder
    /// upwards.</summary>
    internal static string Fixture(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "Engine.Tests", "Import", "Fixtures", "keras", name);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"fixture {name} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The fixture's parameters (export_weights.py), inputs (N, T, F) and float64 outputs,
    /// flattened.</summary>
    internal static (float[] Parameters, float[] Input, double[] Expected, int Batch, int Steps) Load(string file)
    {
        var weights = JsonNode.Parse(File.ReadAllText(Fixture(file + ".weights.json")))!;
        var expected = JsonNode.Parse(File.ReadAllText(Fixture(file + ".expected.json")))!;
        var inputs = expected["inputs"]!.AsArray();
        var input = inputs.SelectMany(s =>
            s!.AsArray().SelectMany(r => r!.AsArray().Select(v => (float)v!.GetValue<double>()))).ToArray();
        var output = expected["outputs"]!.AsArray().SelectMany(r =>
            r!.AsArray().Select(v => v!.GetValue<double>())).ToArray();
        var parameters = weights["parameters"]!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray();
        return (parameters, input, output, inputs.Count, inputs[0]!.AsArray().Count);
    }

    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(actual[k] - expected[k]) <= 1e-6 + 1e-4 * Math.Abs(expected[k]),
                        $"output[{k}]: engine {actual[k]:R}, Keras equations {expected[k]:R}");
    }

    // Keras 2.14: Bidirectional(LSTM(3, seq), concat) - Bidirectional(LSTM(2), sum) - Dense(1), T = 5, F = 3.
    private static Sequential KerasBidiModel(bool sequenceKernel)
    {
        var first = new Lstm(3, returnSequences: true) { UseSequenceKernel = sequenceKernel };
        var second = new Lstm(2) { UseSequenceKernel = sequenceKernel };
        return new Sequential(3, [new Bidirectional(first), new Bidirectional(second, MergeMode.Sum), new Dense(1)]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MatchesKerasEquationsOnTheConcatSumFixture(bool sequenceKernel)
    {
        var (parameters, input, expected, batch, steps) = Load("k2_bidi_lstm_concat_sum.h5");
        var model = KerasBidiModel(sequenceKernel);
        Assert.Equal(parameters.Length, model.ParameterCount);
        parameters.CopyTo(model.Parameters, 0);
        var output = new float[batch];
        model.Forward(output, input, batch, steps);
        AssertClose(expected, output);
    }

    [Fact]
    public void TensorsAreTheForwardCopysThenTheBackwardCopys()
    {
        var model = KerasBidiModel(true);
        var names = model.Layers[0].Tensors.Select(t => $"{t.Name}@{t.Offset}:{string.Join("x", t.Shape)}");
        Assert.Equal(["forward.kernel@0:3x12", "forward.recurrent_kernel@36:3x12", "forward.bias@72:12",
                      "backward.kernel@84:3x12", "backward.recurrent_kernel@120:3x12", "backward.bias@156:12"], names);
        Assert.Equal(6, model.Layers[0].OutputSize);
        Assert.Equal(2, model.Layers[1].OutputSize);
        Assert.Equal(["i", "f", "c", "o"], model.Layers[0].InputGates);
        Assert.Equal(2, model.Layers[0].ValueGate);
    }

    [Fact]
    public void SavedAndLoadedItPredictsBitIdentically()
    {
        var model = new Sequential(3,
                                   [new Bidirectional(new Lstm(4, returnSequences: true), MergeMode.Mul),
                                    new Dropout(0.3),
                                       new Bidirectional(new Lstm(2), MergeMode.Ave), new Dense(1)]);
        model.Initialize(5);
        var x = new float[2 * 6 * 3];
        new RandomSource(9).FillUniform(x, -1, 1);
        var expected = new float[2];
        model.Forward(expected, x, 2, 6);
        string path = Path.Combine(Path.GetTempPath(), $"bidi-{Guid.NewGuid():N}.safetensors");
        try
        {
            ModelFile.Save(path, model);
            var (loaded, _) = ModelFile.Load(path);
            var actual = new float[2];
            loaded.Forward(actual, x, 2, 6);
            Assert.Equal(expected, actual);
            var config = ModelFile.Architecture(loaded)["layers"]![2]!;
            Assert.Equal("""{"type":"Bidirectional","merge_mode":"ave","layer":{"type":"LSTM","units":"""
                         + """2,"activation":"tanh","recurrent_activation":"sigmoid","return_sequences":false}}""",
                         config.ToJsonString());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ConfigErrorsNameTheLayerAndTheKey()
    {
        var notRecurrent = new JsonObject
        {
            ["type"] = "Bidirectional",
            ["layer"] = new JsonObject { ["type"] = "Dense", ["units"] = 2 }
        };
        Assert.Equal("layer 1 (Bidirectional): 'layer' must be a recurrent layer, not Dense",
                     Assert.Throws<ArgumentException>(() => LayerRegistry.Create(notRecurrent, "layer 1")).Message);
        var badMode = new JsonObject
        {
            ["type"] = "Bidirectional", ["merge_mode"] = "max",
            ["layer"] = new JsonObject { ["type"] = "LSTM", ["units"] = 2 }
        };
        Assert.Equal("layer 1 (Bidirectional): 'merge_mode' must be one of concat, sum, ave, mul, not \"max\"",
                     Assert.Throws<ArgumentException>(() => LayerRegistry.Create(badMode, "layer 1")).Message);
        var badInner = new JsonObject { ["type"] = "Bidirectional", ["layer"] = new JsonObject { ["type"] = "LSTM" } };
        Assert.Equal("layer 1 (Bidirectional).layer (LSTM): the configuration has no 'units'",
                     Assert.Throws<ArgumentException>(() => LayerRegistry.Create(badInner, "layer 1")).Message);
    }

    [Theory]
    [InlineData(MergeMode.Concat)]
    [InlineData(MergeMode.Sum)]
    [InlineData(MergeMode.Ave)]
    [InlineData(MergeMode.Mul)]
    public void InputWeightsMergeTheTwoCopysGateBlocks(MergeMode mode)
    {
        // F = 1, H = 1: kernel (1, 4) per copy; gate c is column 2: forward 0.5, backward -2.
        var model = new Sequential(1, [new Bidirectional(new Lstm(1), mode)]);
        new[] { 0.1f, 0.2f, 0.5f, 0.3f }.CopyTo(model.Tensor(0, "forward.kernel"));
        new[] { 0.4f, 0.6f, -2f, 0.7f }.CopyTo(model.Tensor(0, "backward.kernel"));
        var signed = model.Layers[0].InputWeights(model.LayerParameters(0), 2, absolute: false);
        var absolute = model.Layers[0].InputWeights(model.LayerParameters(0), 2, absolute: true);
        double[,] expectedSigned = mode switch
        {
            MergeMode.Concat => new double[,] { { 0.5, -2 } },
            MergeMode.Ave => new double[,] { { -0.75 } },
            _ => new double[,] { { -1.5 } },
        };
        double[,] expectedAbsolute = mode switch
        {
            MergeMode.Concat => new double[,] { { 0.5, 2 } },
            MergeMode.Ave => new double[,] { { 1.25 } },
            _ => new double[,] { { 2.5 } },
        };
        Assert.Equal(expectedSigned, signed);
        Assert.Equal(expectedAbsolute, absolute);
    }

    [Fact]
    public void ATrainingStepAllocatesNothingOnceWarmedUp()
    {
        var model = new Sequential(3,
                                   [new Bidirectional(new Lstm(20, returnSequences: true)), new SpatialDropout1D(0.2),
                                       new Bidirectional(new Lstm(3), MergeMode.Mul), new Dropout(0.1), new Dense(2)]);
        model.Initialize(3);
        var x = new float[4 * 5 * 3];
        var y = new float[4 * 2];
        new RandomSource(1).FillUniform(x, -1, 1);
        var loss = new MeanSquaredError();
        model.ComputeGradients(x, y, 4, 5, loss);
        model.ComputeGradients(x, y, 4, 5, loss);
        long before = GC.GetAllocatedBytesForCurrentThread();
        model.ComputeGradients(x, y, 4, 5, loss);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void TheBackwardCopyReadsTheInputReversed()
    {
        // One copy reading x forwards and a second model whose LSTM reads the reversed input must give the backward
        // half of concat: with return_sequences, step t of the backward half is step T-1-t of the reversed run.
        const int steps = 4, batch = 2, features = 2, h = 3;
        var bidi = new Sequential(features, [new Bidirectional(new Lstm(h, Activation.Tanh, returnSequences: true))]);
        bidi.Initialize(21);
        var single = new Sequential(features, [new Lstm(h, Activation.Tanh, returnSequences: true)]);
        bidi.LayerParameters(0)[(bidi.ParameterCount / 2)..].CopyTo(single.Parameters);
        var x = new float[batch * steps * features];
        new RandomSource(4).FillUniform(x, -1, 1);
        var reversed = new float[x.Length];
        for (int n = 0; n < batch; n++)
            for (int t = 0; t < steps; t++)
                x.AsSpan((n * steps + steps - 1 - t) * features,
                         features).CopyTo(reversed.AsSpan((n * steps + t) * features));
        var y = new float[batch * steps * 2 * h];
        var yb = new float[batch * steps * h];
        bidi.Forward(y, x, batch, steps);
        single.Forward(yb, reversed, batch, steps);
        for (int n = 0; n < batch; n++)
            for (int t = 0; t < steps; t++)
                for (int j = 0; j < h; j++)
                    Assert.Equal(yb[(n * steps + steps - 1 - t) * h + j], y[(n * steps + t) * 2 * h + h + j]);
    }

    public static TheoryData<MergeMode, bool, bool> MergeCases()
    {
        var data = new TheoryData<MergeMode, bool, bool>();
        foreach (var mode in Enum.GetValues<MergeMode>())
            foreach (bool sequences in new[] { true, false })
                foreach (bool gru in new[] { false, true }) data.Add(mode, sequences, gru);
        return data;
    }

    /// <summary>
    /// Every merge mode, with and without return_sequences, around an LSTM and a GRU: outputs and every gradient
    /// against finite differences of the double reference (<see cref="BidirectionalCase"/>), for one fixed draw each
    /// (tanh / sigmoid cells, no kinks). The random property over such networks is slow and left out of mutation
    /// runs; this is its deterministic core.
    /// </summary>
    [Theory]
    [MemberData(nameof(MergeCases))]
    public void EveryMergeModeHasCorrectOutputsAndGradients(MergeMode mode, bool sequences, bool gru)
    {
        const int batch = 2, steps = 3, features = 2, units = 2;
        RecurrentSpec inner = gru
            ? new GruSpec(units, Activation.Tanh, Activation.Sigmoid, sequences, ResetAfter: true)
            : new LstmSpec(units, Activation.Tanh, Activation.Sigmoid, sequences);
        var shape = new BidirectionalCase(batch, steps, features, [new BidirectionalSpec(inner, mode)], false,
                                          new DenseSpec(2, Activation.Linear), false, [], [], []);
        var rng = new RandomSource((ulong)(17 + (int)mode * 4 + (sequences ? 2 : 0) + (gru ? 1 : 0)));
        float[] Draw(int n, float range) { var v = new float[n]; rng.FillUniform(v, -range, range); return v; }
        var c = shape with
        {
            Parameters = Draw(shape.ParameterCount, 1f),
            Input = Draw(batch * steps * features, 1.5f),
            Weights = Draw(batch * shape.OutputsPerSeries, 1f),
        };
        string failures = c.Check();
        Assert.True(failures.Length == 0, $"{c}\n{failures}");
    }

    [Fact]
    public void OnlyARecurrentLayerIsWrapped()
    {
        var e = Assert.Throws<ArgumentException>(() => new Bidirectional(new Dense(2)));
        Assert.Equal("layer", e.ParamName);
        Assert.StartsWith("Bidirectional wraps a recurrent layer, not Dense", e.Message);
        var inner = new Gru(3, returnSequences: true);
        var model = new Sequential(2, [new Bidirectional(inner, MergeMode.Ave)]);
        var layer = Assert.IsType<Bidirectional>(model.Layers[0]);
        Assert.Same(inner, layer.Layer);
        Assert.Equal(3, layer.OutputSize);
        Assert.Equal(["z", "r", "h"], layer.InputGates);
        Assert.Equal(2, layer.ValueGate);
        Assert.True(model.OutputsSequence);
    }
}
