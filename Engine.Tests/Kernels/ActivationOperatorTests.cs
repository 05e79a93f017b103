using System.Runtime.Intrinsics;
using Engine.Kernels;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Kernels;

/// <summary>
/// The activation operators (one definition per function): values pinned to hand-computed numbers, every vector
/// width against the scalar form, the names, and the enum-to-operator dispatch.
/// </summary>
[Trait("Category", "Kernels")]
public class ActivationOperatorTests
{
    // (x, f(x)) worked by hand from the definitions; every value is exact in float.
    public static TheoryData<Activation, float, float> PinnedValues() => new()
    {
        { Activation.HardSigmoid, -3f, 0f }, { Activation.HardSigmoid, -2.5f, 0f },
        { Activation.HardSigmoid, -1.25f, 0.25f }, { Activation.HardSigmoid, 0f, 0.5f },
        { Activation.HardSigmoid, 1.25f, 0.75f }, { Activation.HardSigmoid, 2.75f, 1f },
        { Activation.HardSigmoidKeras3, -4f, 0f }, { Activation.HardSigmoidKeras3, -3f, 0f },
        { Activation.HardSigmoidKeras3, -1.5f, 0.25f }, { Activation.HardSigmoidKeras3, 0f, 0.5f },
        { Activation.HardSigmoidKeras3, 1.5f, 0.75f }, { Activation.HardSigmoidKeras3, 2.75f, 0.9583333f },
        { Activation.HardSigmoidKeras3, 3f, 1f }, { Activation.HardSigmoidKeras3, 4.5f, 1f },
        { Activation.Relu, -2f, 0f }, { Activation.Relu, 1.5f, 1.5f }, { Activation.Linear, -2f, -2f },
        { Activation.Sigmoid, 0f, 0.5f },
    };

    [Theory, MemberData(nameof(PinnedValues))]
    public void ValuesAreTheDefinitions(Activation f, float x, float expected)
    {
        // 2.75 / 6 + 0.5 = 0.958333..: one rounding of (2.75 + 3) / 6, within half an ulp of the exact value.
        float tolerance = f == Activation.HardSigmoidKeras3 && x == 2.75f ? 6e-8f : 0f;
        foreach (int n in new[] { 1, 4, 8, 16, 21 }) // the scalar form, then each vector width with a scalar tail
        {
            var xs = Enumerable.Repeat(x, n).ToArray();
            var ys = new float[n];
            Activations.Forward(f, xs, ys);
            foreach (float y in ys)
                Assert.True(MathF.Abs(y - expected) <= tolerance, $"{f.Name()}({x}) = {y}, expected {expected}");
        }
        Assert.True(MathF.Abs(Activations.Scalar(f, x) - expected) <= tolerance);
    }

    // (y, f'(x) through y) by hand: Keras 2's slope 0.2 and Keras 3's 1/6 inside (0, 1), zero on the flat parts.
    public static TheoryData<Activation, float, float> PinnedDerivatives() => new()
    {
        { Activation.HardSigmoid, 0f, 0f }, { Activation.HardSigmoid, 0.5f, 0.2f }, { Activation.HardSigmoid, 1f, 0f },
        { Activation.HardSigmoidKeras3, 0f, 0f }, { Activation.HardSigmoidKeras3, 0.25f, 1f / 6f },
        { Activation.HardSigmoidKeras3, 0.9f, 1f / 6f }, { Activation.HardSigmoidKeras3, 1f, 0f },
        { Activation.Sigmoid, 0.5f, 0.25f }, { Activation.Tanh, 0.5f, 0.75f }, { Activation.Relu, 0f, 0f },
        { Activation.Relu, 2f, 1f }, { Activation.Linear, 7f, 1f },
    };

    [Theory, MemberData(nameof(PinnedDerivatives))]
    public void DerivativesAreTheDefinitions(Activation f, float y, float expected)
    {
        foreach (int n in new[] { 1, 4, 8, 16, 21 })
        {
            var dx = new float[n];
            ActivationGradient.FromOutput(f, Enumerable.Repeat(y, n).ToArray(), Enumerable.Repeat(2f, n).ToArray(), dx);
            foreach (float d in dx) Assert.Equal(2f * expected, d);
        }
        Assert.Equal(expected, ActivationGradient.Derivative(f, y));
    }

    public static TheoryData<Activation> All() => [.. Enum.GetValues<Activation>()];

    // Lane by lane through the operator at one width (the software fallback where the width is not accelerated).
    private struct Lanes(float[] x, int width, bool derivative) : IActivationCall
    {
        public readonly float[] Result = new float[x.Length];

        public readonly void Run<TA>() where TA : struct, IActivationOperator
        {
            for (int i = 0; i < x.Length; i++)
                Result[i] = (width, derivative) switch
                {
                    (0, false) => TA.Invoke(x[i]),
                    (0, true) => TA.Derivative(x[i]),
                    (128, false) => TA.Invoke(Vector128.Create(x[i])).ToScalar(),
                    (128, true) => TA.Derivative(Vector128.Create(x[i])).ToScalar(),
                    (256, false) => TA.Invoke(Vector256.Create(x[i])).ToScalar(),
                    (256, true) => TA.Derivative(Vector256.Create(x[i])).ToScalar(),
                    (_, false) => TA.Invoke(Vector512.Create(x[i])).ToScalar(),
                    _ => TA.Derivative(Vector512.Create(x[i])).ToScalar(),
                };
        }
    }

    internal static float[] Through(Activation f, float[] x, int width, bool derivative = false)
    {
        var call = new Lanes(x, width, derivative);
        ActivationDispatch.Run(f, ref call);
        return call.Result;
    }

    private static float[] Inputs()
    {
        var rng = new RandomSource(5);
        var x = new float[400];
        for (int i = 0; i < x.Length; i++) x[i] = rng.Uniform(-12f, 12f);
        float[] special = [0f, -0f, 2.5f, -2.5f, 3f, -3f, 44f, -44f, 87f, -87f, 100f, -100f, 1e-6f, -1e-6f];
        special.CopyTo(x, 0);
        return x;
    }

    [Theory, MemberData(nameof(All))]
    public void EveryWidthComputesTheSameVectorValue(Activation f)
    {
        // 512-bit vectors only where accelerated: their exp scales by vscalefps, an AVX-512 instruction.
        var x = Inputs();
        var v128 = Through(f, x, 128);
        Assert.Equal(v128, Through(f, x, 256));
        if (Vector512.IsHardwareAccelerated) Assert.Equal(v128, Through(f, x, 512));
        var y = Through(f, x, 0);
        var d = Through(f, y, 0, derivative: true);
        foreach (int width in new[] { 128, 256, 512 })
            if (width < 512 || Vector512.IsHardwareAccelerated) Assert.Equal(d, Through(f, y, width, derivative: true));
    }

    [Theory, MemberData(nameof(All))]
    public void VectorValuesMatchTheScalarForm(Activation f)
    {
        // Exact for the piecewise-linear functions; sigmoid and tanh: Cephes' exp against MathF.Exp, within 2e-7
        // relative (tanh near 0 absolute: 1 - 2 / (e^{2x} + 1) cancels).
        var x = Inputs();
        var scalar = Through(f, x, 0);
        var vector = Through(f, x, 128);
        for (int i = 0; i < x.Length; i++)
        {
            double tolerance = f is Activation.Sigmoid or Activation.Tanh ? 2.5e-7 * (1 + Math.Abs(scalar[i])) : 0;
            Assert.True(Math.Abs(scalar[i] - vector[i]) <= tolerance,
                        $"{f.Name()}({x[i]}): {scalar[i]} vs {vector[i]}");
        }
    }

    [Fact]
    public void NamesRoundTripAndAcceptKerasSpellings()
    {
        foreach (var a in Enum.GetValues<Activation>()) Assert.Equal(a, ActivationNames.Parse(a.Name()));
        Assert.Equal(
            ["linear", "relu", "tanh", "sigmoid", "hard_sigmoid", "hard_sigmoid_keras3"],
            Enum.GetValues<Activation>().Select(a => a.Name()));
        Assert.Equal(Activation.HardSigmoid, ActivationNames.Parse(" HardSigmoid"));
        Assert.Equal(Activation.HardSigmoid, ActivationNames.Parse("hard-sigmoid"));
        Assert.Equal(Activation.HardSigmoidKeras3, ActivationNames.Parse("hard_sigmoid_keras3"));
        Assert.False(ActivationNames.TryParse("softmax", out _));
        Assert.False(ActivationNames.TryParse(null, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => ((Activation)99).Name());
    }
}
