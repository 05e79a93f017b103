using BenchmarkDotNet.Attributes;
using Engine.Kernels;

namespace Engine.Bench.Kernels;

/// <summary>Square matrix products C += A B, A Bᵀ, Aᵀ B against naive scalar loops (2 n^3 flops each).</summary>
[WarmupCount(2), IterationCount(6)]
public class MatMulBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    public static IEnumerable<int> Sizes() => BenchSettings.Quick ? [16, 64] : [16, 64, 256, 512, 1024];

    [ParamsSource(nameof(Sizes))]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Engine.Random.RandomSource(11);
        _a = new float[N * N]; _b = new float[N * N]; _c = new float[N * N];
        rng.FillUniform(_a); rng.FillUniform(_b);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("AB")]
    public void NaiveAB() => Naive.MatMul(_c, _a, _b, N);

    [Benchmark, BenchmarkCategory("AB")]
    public void MatMulAB() => MatMul.Run(_c, _a, _b, N, N, N);

    [Benchmark(Baseline = true), BenchmarkCategory("ATB")]
    public void NaiveATB() => Naive.MatMulTransposedA(_c, _a, _b, N);

    [Benchmark, BenchmarkCategory("ATB")]
    public void MatMulATB() => MatMulTransposedA.Run(_c, _a, _b, N, N, N);

    [Benchmark(Baseline = true), BenchmarkCategory("ABT")]
    public void NaiveABT() => Naive.MatMulTransposedB(_c, _a, _b, N);

    [Benchmark, BenchmarkCategory("ABT")]
    public void MatMulABT() => MatMulTransposedB.Run(_c, _a, _b, N, N, N);
}

/// <summary>The naive loops the kernels are measured against: plain scalar code, cache-friendly loop order.</summary>
internal static class Naive
{
    public static void MatMul(float[] c, float[] a, float[] b, int n)
    {
        for (int i = 0; i < n; i++)
            for (int p = 0; p < n; p++)
            {
                float aip = a[i * n + p];
                for (int j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
            }
    }

    public static void MatMulTransposedA(float[] c, float[] a, float[] b, int n)
    {
        for (int i = 0; i < n; i++)
            for (int p = 0; p < n; p++)
            {
                float aip = a[i * n + p];
                for (int j = 0; j < n; j++) c[p * n + j] += aip * b[i * n + j];
            }
    }

    public static void MatMulTransposedB(float[] c, float[] a, float[] b, int n)
    {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                float s = 0f;
                for (int p = 0; p < n; p++) s += a[i * n + p] * b[j * n + p];
                c[i * n + j] += s;
            }
    }
}
