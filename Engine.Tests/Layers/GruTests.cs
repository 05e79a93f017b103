using System.Text.Json.Nodes;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Optimizers;
using Engine.Random;
using Engine.Tests.Reference;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace Engine.Tests.Layers;

/// <summary>
/// The GRU layer: forward and every gradient against finite differences of the independent double-precision reference
/// (<see cref="ReferenceNetwork"/>), predictions against the float64 references of the Keras GRU fixtures, its
/// configuration, and a training step that allocates nothing.
/// </summary>
public class GruTests
{
    /// <summary>Random small GRU stacks (<see cref="Generators.GruNetwork"/>); cases within float noise of a kink are
    /// discarded.</summary>
    [Property(Arbitrary = [typeof(GruArbitraries)], MaxTest = 100)]
    public Property GradientsMatchFiniteDifferencesOfTheReference(NetworkCase c) =>
        Prop.When(GradientCheck.IsWellPosed(c), () =>
        {
            var result = GradientCheck.Run(c);
            Assert.True(result.Passed, $"{c}\n{result.Failures}");
        });

    /// <summary>A case that once failed the loss check: BCE straight on a sigmoid GRU's states, some near 0, where
    /// float32's error in p becomes a relative error of the loss (GradientCheck checks the loss formula on the engine's
    /// outputs).
    /// Its smallest p, 2e-6, is below <see cref="ReferenceLoss.MinResolved"/>, so the property would skip it now;
    /// it is checked here as drawn, and passes.</summary>
    [Property(Arbitrary = [typeof(DrawnGruArbitraries)], MaxTest = 1,
              Replay = "(714993529930213991,8764418460642492271,35)")]
    public void BceOnSmallProbabilitiesOnceFlaky(NetworkCase c)
    {
        AssertSmallestProbabilityUnresolved(c);
        var result = GradientCheck.Run(c);
        Assert.True(result.Passed, $"{c}\n{result.Failures}");
    }

    /// <summary>
    /// A former failure of the property (about 1 run in 10): BCE on a sigmoid GRU's states, the smallest 6e-6, the
    /// engine 1.014 times the tolerance off with the finite differences converged and the engine steady under
    /// one-ulp changes of the weights (float32's resolution of p, not a formula). The property now skips it.
    /// </summary>
    [Property(Arbitrary = [typeof(GruArbitraries)], MaxTest = 1,
              Replay = "(9238384379770803113,6887306564715551173,55)")]
    public void BceBelowTheResolvedProbabilityIsSkipped(NetworkCase c)
    {
        AssertSmallestProbabilityUnresolved(c);
        Assert.False(GradientCheck.IsWellPosed(c), $"{c}");
    }

    /// <summary>The replays' common premise: no activation kink nearby, and the smallest output probability between
    /// BCE's clip and <see cref="ReferenceLoss.MinResolved"/> (what these replays are about).</summary>
    private static void AssertSmallestProbabilityUnresolved(NetworkCase c)
    {
        Assert.True(GradientCheck.IsFarFromKinks(c, out var output), $"{c}");
        Assert.InRange(output.Min(), ReferenceLoss.ClipLow, ReferenceLoss.MinResolved);
    }

    /// <summary>
    /// A former failure of the property, drawn before <see cref="NetworkCase.Tamed"/> existed: a linear/tanh GRU's
    /// states beyond <see cref="GradientCheck.MaxState"/>, where float32 cannot resolve the gradient (the engine was
    /// 3% off on the first layer's kernel). As drawn it exceeds the bound; tamed, it passes.
    /// </summary>
    [Property(Arbitrary = [typeof(DrawnGruArbitraries)], MaxTest = 1,
              Replay = "(11721103179177126468,8504753762617323925,65)")]
    public void LinearGruStatesOnceFlaky(NetworkCase drawn)
    {
        Assert.StartsWith("N=4 T=5 F=2: GRU[reset_after=False](5, linear/tanh, seq) -> GRU[reset_after=False](4, "
                          + "relu/sigmoid, seq) -> GRU(1, hard_sigmoid_keras3/tanh, seq) -> Dense(3, sigmoid); loss "
                          + "BinaryCrossEntropy;", drawn.ToString());
        Assert.True(drawn.LargestState() > GradientCheck.MaxState, $"{drawn}");
        var c = drawn.Tamed();
        Assert.InRange(c.LargestState(), 0, GradientCheck.MaxState);
        Assert.True(GradientCheck.IsWellPosed(c), $"{c}");
        var result = GradientCheck.Run(c);
        Assert.True(result.Passed, $"{c}\n{result.Failures}");
    }

    public static TheoryData<Activation, Activation, bool> ActivationPairs()
    {
        var data = new TheoryData<Activation, Activation, bool>();
        foreach (var a in Generators.AllActivations)
            foreach (var r in Generators.AllActivations)
                foreach (bool resetAfter in new[] { true, false }) data.Add(a, r, resetAfter);
        return data;
    }

    /// <summary>
    /// Every activation pair and both reset_after forms: GRU(4, seq) -> GRU(3) -> Dense(2); weights U(-1.5, 1.5), or
    /// U(-0.4, 0.4) under unbounded (relu, linear) gates, whose states otherwise grow past float's range.
    /// </summary>
    [Theory]
    [MemberData(nameof(ActivationPairs))]
    public void EveryActivationPairHasCorrectGradients(Activation activation, Activation recurrent, bool resetAfter) =>
        CheckCases(2, seed => Sample(seed, [4, 3], 2, 4, activation, recurrent, resetAfter,
                                     recurrent is Activation.Relu or Activation.Linear ? 0.4f : 1.5f));

    /// <summary>Wider layers: 3H = 60 and 51 columns leave partial GemmPacked panels, batch 3 partial micro-kernel
    /// rows.</summary>
    [Trait("Category", "Slow")] // left out of mutation runs (stryker-config.json); ./build.sh test runs it
    [Theory]
    [InlineData(Activation.Tanh, Activation.Sigmoid, true)]
    [InlineData(Activation.Tanh, Activation.Sigmoid, false)]
    [InlineData(Activation.Relu, Activation.HardSigmoid, true)]
    [InlineData(Activation.Relu, Activation.HardSigmoid, false)]
    public void WideLayersHaveCorrectGradients(Activation activation, Activation recurrent, bool resetAfter) =>
        CheckCases(2, seed => Sample(seed, [20, 17], 3, 4, activation, recurrent, resetAfter, 0.5f));

    private static void CheckCases(int wanted, Func<int, NetworkCase> sample)
    {
        int checkedCases = 0;
        for (int seed = 0; checkedCases < wanted && seed < 50; seed++)
        {
            var c = sample(seed);
            if (!GradientCheck.IsWellPosed(c)) continue;
            var result = GradientCheck.Run(c);
            Assert.True(result.Passed, $"{c}\n{result.Failures}");
            checkedCases++;
        }
        Assert.Equal(wanted, checkedCases);
    }

    // GRUs of the given units (all but the last return sequences; the last does on even seeds) -> Dense(2).
    private static NetworkCase Sample(int seed, int[] units, int batch, int steps, Activation activation,
                                      Activation recurrent,
                                      bool resetAfter, float range)
    {
        RecurrentSpec[] grus = [.. units.Select((u, k) =>
            new GruSpec(u, activation, recurrent, k < units.Length - 1 || seed % 2 == 0, resetAfter))];
        var head = new DenseSpec(2, activation);
        const int features = 5;
        var net = new ReferenceNetwork(features, grus, head);
        var rng = new RandomSource((ulong)seed);
        float[] Draw(int n, float r) { var v = new float[n]; rng.FillUniform(v, -r, r); return v; }
        return new NetworkCase(batch, steps, features, grus, head, false, Draw(net.ParameterCount, range),
                               Draw(batch * steps * features, 2f), LossKind.WeightedSum,
                               Draw(batch * net.OutputsPerSeries(steps), 1f));
    }

    /// <summary>
    /// Predictions of the Keras 2.14 GRU fixtures (weights copied from the .h5 files by export_gru_weights.py) against
    /// the
    /// float64 references their generator computed from Keras' equations: reset_after false with relu, both forms with
    /// hard_sigmoid gates (Keras 2's clip(0.2x + 0.5), the engine's HardSigmoid) under a softmax head (applied here, in
    /// double), and a reset_after stack with Dropout (the identity at inference) and Dense heads; the Keras 3 file's
    /// hard_sigmoid is clip(x/6 + 0.5) (hard_sigmoid_keras3), as its reference's "hard_sigmoid" key says.
    /// </summary>
    [Theory]
    [InlineData("k2_gru_relu_reset_before.h5")]
    [InlineData("k2_gru_hard_sigmoid.h5")]
    [InlineData("k2_gru_stack_tanh.h5")]
    [InlineData("k3_gru_hard_sigmoid.h5")]
    public void PredictionsMatchTheKerasFixtureReferences(string file)
    {
        string dir = Path.GetDirectoryName(BidirectionalTests.Fixture(file + ".weights.json"))!;
        var weights = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, file + ".weights.json")))!["layers"]!.AsArray();
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, file + ".expected.json")))!;
        bool keras3 = ((string?)expected["hard_sigmoid"] ?? "").StartsWith("keras3", StringComparison.Ordinal);
        var inputs = expected["inputs"]!.AsArray();
        int batch = inputs.Count, steps = inputs[0]!.AsArray().Count, features = inputs[0]![0]!.AsArray().Count;
        var x = inputs.SelectMany(s =>
            s!.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<float>()))).ToArray();

        bool softmax = false;
        var layers = new List<Layer>();
        foreach (var node in weights)
        {
            var config = node!["config"]!.AsObject();
            if ((string?)config["activation"] == "softmax") { softmax = true; config["activation"] = "linear"; }
            foreach (string key in new[] { "activation", "recurrent_activation" })
                if (keras3 && (string?)config[key] == "hard_sigmoid") config[key] = Activation.HardSigmoidKeras3.Name();
            layers.Add(LayerRegistry.Create(new JsonObject(config.Select(p =>
                KeyValuePair.Create(p.Key, p.Value?.DeepClone())))
            { ["type"] = (string)node["class_name"]! }, file));
        }
        var model = new Sequential(features, layers);
        for (int k = 0; k < layers.Count; k++)
        {
            var tensors = weights[k]!["weights"]!.AsArray();
            Assert.Equal(layers[k].Tensors.Count, tensors.Count);
            for (int q = 0; q < tensors.Count; q++)
            {
                var values = tensors[q]!["values"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
                Assert.Equal(layers[k].Tensors[q].Shape,
                             tensors[q]!["shape"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray());
                values.CopyTo(model.Tensor(k, layers[k].Tensors[q].Name));
            }
        }
        var output = new float[batch * model.OutputsPerSeries(steps)];
        model.Predict(output, x, batch, steps);
        var outputs = expected["outputs"]!.AsArray();
        int width = model.OutputUnits;
        for (int n = 0; n < batch; n++)
        {
            double[] y = [.. output.AsSpan(n * width, width).ToArray().Select(v => (double)v)];
            if (softmax)
            {
                double max = y.Max(), sum = y.Sum(v => Math.Exp(v - max));
                y = [.. y.Select(v => Math.Exp(v - max) / sum)];
            }
            for (int j = 0; j < width; j++)
            {
                double want = outputs[n]![j]!.GetValue<double>();
                Assert.True(Math.Abs(y[j] - want) <= 1e-4 * Math.Abs(want) + 1e-6,
                            $"{file} series {n} output {j}: {y[j]:R}, reference {want:R}");
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ConfigurationAndTensorsFollowKeras(bool resetAfter)
    {
        var model = new Sequential(3,
                                   [new Gru(4, Activation.Relu, Activation.HardSigmoid, returnSequences: true,
                                            resetAfter)]);
        var gru = model.Layers[0];
        Assert.Equal(["kernel", "recurrent_kernel", "bias"], gru.Tensors.Select(t => t.Name));
        Assert.Equal([3, 12], gru.Tensors[0].Shape);
        Assert.Equal([4, 12], gru.Tensors[1].Shape);
        Assert.Equal(resetAfter ? [2, 12] : new[] { 12 }, gru.Tensors[2].Shape);
        Assert.Equal((3 + 4 + (resetAfter ? 2 : 1)) * 12, model.ParameterCount);
        Assert.Equal(["z", "r", "h"], gru.InputGates);
        Assert.Equal(2, gru.ValueGate);
        var copy = Assert.IsType<Gru>(LayerRegistry.Create(LayerRegistry.Config(gru), "layer 0"));
        Assert.Equal((4, Activation.Relu, Activation.HardSigmoid, true, resetAfter),
                     (copy.Units, copy.Activation, copy.RecurrentActivation, copy.ReturnSequences, copy.ResetAfter));
        // Keras' defaults when the keys are absent: tanh, sigmoid, last step only, reset_after.
        var plain =
            Assert.IsType<Gru>(LayerRegistry.Create(new JsonObject { ["type"] = "GRU", ["units"] = 2 }, "layer 0"));
        Assert.Equal((Activation.Tanh, Activation.Sigmoid, false, true),
                     (plain.Activation, plain.RecurrentActivation, plain.ReturnSequences, plain.ResetAfter));
    }

    /// <summary>Keras' initialisers: glorot_uniform kernel within sqrt(6 / (F + 3H)), orthogonal recurrent kernel, zero
    /// bias.</summary>
    [Fact]
    public void InitialisationFollowsKeras()
    {
        var model = new Sequential(3, [new Gru(4, returnSequences: false)]);
        model.Initialize(7);
        float limit = MathF.Sqrt(6f / (3 + 12));
        Assert.All(model.Tensor(0, "kernel").ToArray(), w => Assert.True(MathF.Abs(w) <= limit));
        Assert.All(model.Tensor(0, "bias").ToArray(), b => Assert.Equal(0f, b));
        // Orthogonal (4, 12): the rows are orthonormal, U Uᵀ = I.
        var u = model.Tensor(0, "recurrent_kernel").ToArray();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                double dot = 0;
                for (int c = 0; c < 12; c++) dot += u[i * 12 + c] * u[j * 12 + c];
                Assert.Equal(i == j ? 1.0 : 0.0, dot, 5);
            }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TrainStepAllocatesNothingOnceWarmedUp(bool resetAfter)
    {
        const int batch = 5, steps = 10, features = 3;
        var model = new Sequential(features,
                                   [new Gru(24, returnSequences: true, resetAfter: resetAfter),
                                    new Gru(6, resetAfter: resetAfter),
                                              new Dense(1, Activation.Sigmoid)]);
        model.Initialize(1);
        var rng = new RandomSource(3);
        var x = new float[batch * steps * features];
        var y = new float[batch];
        rng.FillUniform(x, 0f, 1f);
        for (int i = 0; i < batch; i++) y[i] = i % 2;
        ILoss loss = new BinaryCrossEntropy();
        var adam = new Adam();
        for (int i = 0; i < 50; i++) model.TrainStep(x, y, batch, steps, loss, adam);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) model.TrainStep(x, y, batch, steps, loss, adam);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Save and load (format lstm-engine/2): the GRU configuration and tensors come back, predictions
    /// bit-identical.</summary>
    [Fact]
    public void SavedAndLoadedModelPredictsTheSame()
    {
        var model = new Sequential(2,
                                   [new Gru(5, returnSequences: true, resetAfter: false), new Gru(3),
                                    new Dense(1, Activation.Sigmoid)]);
        model.Initialize(11);
        var x = new float[4 * 6 * 2];
        new RandomSource(5).FillUniform(x, -1f, 1f);
        var before = new float[4];
        model.Predict(before, x, 4, 6);
        string path = Path.Combine(Path.GetTempPath(), $"gru-{Guid.NewGuid():N}.safetensors");
        try
        {
            ModelFile.Save(path, model);
            var (loaded, _) = ModelFile.Load(path);
            Assert.Equal(["GRU", "GRU", "Dense"], loaded.Layers.Select(l => l.TypeName));
            var after = new float[4];
            loaded.Predict(after, x, 4, 6);
            Assert.Equal(before, after);
        }
        finally { File.Delete(path); }
    }
}
