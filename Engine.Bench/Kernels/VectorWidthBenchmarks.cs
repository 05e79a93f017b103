using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Engine.Kernels;
using Perfolizer.Horology;

namespace Engine.Bench.Kernels;

/// <summary>
/// The kernels that have a path per vector width, run once per width: this machine's widest (job "native"),
/// DOTNET_PreferredVectorBitWidth=256 and 128 (the 128-bit paths of SSE and ARM64), and DOTNET_EnableHWIntrinsic=0
/// (scalar). Sizes of the reference model: the gate kernels on batch 5 x 10 units (relu, sigmoid gates), a GEMM of
/// (50, 40) x (40, 40) as the recurrent backward's, Adam over the 908 parameters, and one step's dZ (5, 40) packed.
/// With --quick the jobs are left out and the smoke run's in-process job runs them once.
/// </summary>
[Config(typeof(Widths))]
public class VectorWidthBenchmarks
{
    private sealed class Widths : ManualConfig
    {
        public Widths()
        {
            if (BenchSettings.Quick) return;
            foreach (var (id, name, value) in new[]
                     {
                         ("native", "", ""), ("256-bit", "DOTNET_PreferredVectorBitWidth", "256"),
                         ("128-bit", "DOTNET_PreferredVectorBitWidth", "128"),
                         ("scalar", "DOTNET_EnableHWIntrinsic", "0"),
                     })
            {
                var job = Job.Default.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1)
                    .WithIterationTime(TimeInterval.FromMilliseconds(200))
                    .WithEnvironmentVariable("DOTNET_TieredCompilation", "0");
                AddJob((name == "" ? job : job.WithEnvironmentVariable(name, value)).WithId(id));
            }
        }
    }

    private const int Batch = 5, Units = 10, Rows = 50, K = 40, N = 40, Parameters = 908;
    private readonly float[] _z = new float[Batch * 4 * Units], _gates = new float[Batch * 4 * Units],
        _c = new float[Batch * Units], _s = new float[Batch * Units], _h = new float[Batch * Units],
        _cPrev = new float[Batch * Units], _dz = new float[Batch * 4 * Units], _dc = new float[Batch * Units],
        _dcNext = new float[Batch * Units];
    private readonly float[] _a = new float[Rows * K], _b = new float[K * N], _cm = new float[Rows * N];
    private float[] _packed = null!, _rows = null!;
    private readonly float[] _p = new float[Parameters], _m = new float[Parameters], _v = new float[Parameters],
        _g = new float[Parameters], _sums = new float[4 * Units];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Engine.Random.RandomSource(8);
        foreach (var x in new[] { _z, _cPrev, _h, _dcNext, _a, _b, _p, _g }) rng.FillUniform(x);
        _packed = new float[GemmPacked.PackedLength(K, N)];
        GemmPacked.PackB(_packed, _b, N, false, K, N);
        _rows = new float[GemmPacked.PackedLength(10 * Batch, 4 * Units)];
        _z.CopyTo(_gates, 0);
        LstmGates.Forward(_gates, _c, _s, _h, _cPrev, Activation.Relu, Activation.Sigmoid, Batch, Units);
    }

    [Benchmark]
    public void GatesForward()
    {
        _z.CopyTo(_dz, 0); // fresh pre-activations (the kernel activates in place)
        LstmGates.Forward(_dz, _c, _s, _h, _cPrev, Activation.Relu, Activation.Sigmoid, Batch, Units);
    }

    [Benchmark]
    public void GatesBackward()
    {
        _dcNext.CopyTo(_dc, 0); // dc holds dc_next on entry and dc_prev on exit
        LstmGates.Backward(_dz, _dc, _h, _gates, _cPrev, _s, Activation.Relu, Activation.Sigmoid, Batch, Units);
    }

    [Benchmark]
    public void Gemm() => GemmPacked.Run(_cm, N, _a, K, 1, _packed, Rows, K, N);

    [Benchmark]
    public void Adam() => AdamUpdate.Run(_p, _m, _v, _g, 1e-7f, 0.9f, 0.999f, 1e-7f);

    [Benchmark]
    public void PackRows() => PackedRows.PackAndSum(_rows, _sums, _dz.AsSpan(0, Batch * 4 * Units), 4 * Units, 0, Batch,
                                                    10 * Batch, 4 * Units);
}
