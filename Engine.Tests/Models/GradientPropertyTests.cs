using Engine.Kernels;
using Engine.Random;
using Engine.Tests.Reference;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace Engine.Tests.Models;

/// <summary>
/// The engine's forward and its gradients for every parameter and every input, against central finite
/// differences of an independent double-precision reference (<see cref="ReferenceNetwork"/>).
/// </summary>
public class GradientPropertyTests
{
    /// <summary>Random small networks (see <see cref="Generators.Network"/>); cases within float noise of a kink are
    /// discarded.</summary>
    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 100)]
    public Property GradientsMatchFiniteDifferencesOfTheReference(NetworkCase c) =>
        Prop.When(GradientCheck.IsWellPosed(c), () =>
        {
            var result = GradientCheck.Run(c);
            Assert.True(result.Passed, $"{c}\n{result.Failures}");
        });

    public static TheoryData<Activation, Activation> ActivationPairs()
    {
        var data = new TheoryData<Activation, Activation>();
        foreach (var a in Generators.AllActivations)
            foreach (var r in Generators.GateActivations) data.Add(a, r);
        return data;
    }

    /// <summary>Every activation pair, deterministically: two stacked LSTMs and a Dense head with the same
    /// activation.</summary>
    [Theory]
    [MemberData(nameof(ActivationPairs))]
    public void EveryActivationPairHasCorrectGradients(Activation activation, Activation recurrent)
    {
        int checkedCases = 0;
        for (int seed = 0; checkedCases < 3 && seed < 50; seed++)
        {
            var c = Sample(seed, activation, recurrent);
            if (!GradientCheck.IsWellPosed(c)) continue;
            var result = GradientCheck.Run(c);
            Assert.True(result.Passed, $"{c}\n{result.Failures}");
            checkedCases++;
        }
        Assert.Equal(3, checkedCases);
    }

    /// <summary>
    /// Layers above 16 units take the GemmPacked + LstmGates path on every machine (smaller ones run LstmSequence with
    /// 512-bit vectors): 4H = 68 and 80 columns leave partial panels, batch 3 leaves partial micro-kernel rows.
    /// </summary>
    [Trait("Category", "Slow")] // left out of mutation runs (stryker-config.json); ./build.sh test runs it
    [Theory]
    [InlineData(Activation.Tanh, Activation.Sigmoid)]
    [InlineData(Activation.Relu, Activation.HardSigmoid)]
    public void GeneralPathHasCorrectGradients(Activation activation, Activation recurrent)
    {
        int checkedCases = 0;
        for (int seed = 0; checkedCases < 2 && seed < 20; seed++)
        {
            LstmSpec[] lstms = [new(20, activation, recurrent, true), new(17, activation, recurrent, seed % 2 == 0)];
            var head = new DenseSpec(2, activation);
            var net = new ReferenceNetwork(5, lstms, head);
            var rng = new RandomSource((ulong)seed);
            float[] Draw(int n, float range) { var v = new float[n]; rng.FillUniform(v, -range, range); return v; }
            var c = new NetworkCase(3, 4, 5, lstms, head, false, Draw(net.ParameterCount, 0.5f), Draw(3 * 4 * 5, 2f),
                                    LossKind.WeightedSum, Draw(3 * net.OutputsPerSeries(4), 1f));
            if (!GradientCheck.IsWellPosed(c)) continue;
            var result = GradientCheck.Run(c);
            Assert.True(result.Passed, $"{c}\n{result.Failures}");
            checkedCases++;
        }
        Assert.Equal(2, checkedCases);
    }

    // A fixed-shape case: LSTM(4, seq) -> LSTM(3, seq on even seeds) -> Dense(2), weights drawn from the seed.
    private static NetworkCase Sample(int seed, Activation activation, Activation recurrent)
    {
        LstmSpec[] lstms = [new(4, activation, recurrent, true), new(3, activation, recurrent, seed % 2 == 0)];
        var head = new DenseSpec(2, activation);
        var net = new ReferenceNetwork(3, lstms, head);
        var rng = new RandomSource((ulong)seed);
        float[] Draw(int n, float range) { var v = new float[n]; rng.FillUniform(v, -range, range); return v; }
        return new NetworkCase(2, 4, 3, lstms, head, false, Draw(net.ParameterCount, 1.5f), Draw(2 * 4 * 3, 2f),
                               LossKind.WeightedSum, Draw(2 * net.OutputsPerSeries(4), 1f));
    }
}
