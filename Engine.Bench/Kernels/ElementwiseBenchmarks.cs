using BenchmarkDotNet.Attributes;
using Engine.Kernels;

namespace Engine.Bench.Kernels;

/// <summary>Activation forward and backward over 4096 values against the scalar twins.</summary>
public class ActivationBenchmarks
{
    private readonly float[] _x = new float[4096], _y = new float[4096], _dy = new float[4096];

    [Params(Activation.Relu, Activation.Tanh, Activation.Sigmoid, Activation.HardSigmoid)]
    public Activation F { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Engine.Random.RandomSource(3);
        for (int i = 0; i < _x.Length; i++) { _x[i] = rng.Uniform(-4f, 4f); _dy[i] = rng.Uniform(-1f, 1f); }
        Activations.Forward(F, _x, _y);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("forward")]
    public void ForwardScalar() => Activations.ForwardScalar(F, _x, _y);

    [Benchmark, BenchmarkCategory("forward")]
    public void Forward() => Activations.Forward(F, _x, _y);

    [Benchmark(Baseline = true), BenchmarkCategory("gradient")]
    public void GradientScalar() => ActivationGradient.FromOutputScalar(F, _y, _dy, _x);

    [Benchmark, BenchmarkCategory("gradient")]
    public void Gradient() => ActivationGradient.FromOutput(F, _y, _dy, _x);
}
