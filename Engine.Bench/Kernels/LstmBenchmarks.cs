using BenchmarkDotNet.Attributes;
using Engine.Kernels;
using Engine.Layers;
using Engine.Models;

namespace Engine.Bench.Kernels;

/// <summary>
/// The reference model's first layer (3 features -> LSTM 10 relu, sigmoid gates) on batch 5 x 10 steps:
/// one forward pass, one backward pass through time, and the gate kernels of one step: the scalar twin row by
/// row (baseline), LstmCell's vector kernels row by row, and the fused LstmGates over the whole batch.
/// </summary>
public class LstmBenchmarks
{
    private const int Batch = 5, Steps = 10, Features = 3, Units = 10;
    private Lstm _layer = null!;
    private Sequential _model = null!;
    private readonly float[] _x = new float[Steps * Batch * Features], _h = new float[Steps * Batch * Units],
        _dh = new float[Steps * Batch * Units], _dx = new float[Steps * Batch * Features];
    // One step's gate kernels over the batch (rows of 4H gates), the per-row scalar loop as baseline.
    private readonly float[] _gates = new float[Batch * 4 * Units], _z = new float[Batch * 4 * Units],
    _c = new float[Batch * Units],
        _s = new float[Batch * Units], _hh = new float[Batch * Units], _cPrev = new float[Batch * Units],
        _dz = new float[Batch * 4 * Units], _dc = new float[Batch * Units];

    [GlobalSetup]
    public void Setup()
    {
        _layer = new Lstm(Units, Activation.Relu, Activation.Sigmoid, returnSequences: true);
        _model = new Sequential(Features, [_layer]);
        _model.Initialize(5);
        var rng = new Engine.Random.RandomSource(6);
        rng.FillUniform(_x); rng.FillUniform(_dh); rng.FillUniform(_z); rng.FillUniform(_cPrev);
        _layer.Forward(_h, _x, _model.LayerParameters(0), Batch, Steps, ForwardMode.KeepForBackward);
    }

    [Benchmark, BenchmarkCategory("layer")]
    public void LayerForward() =>
        _layer.Forward(_h, _x, _model.LayerParameters(0), Batch, Steps, ForwardMode.KeepForBackward);

    [Benchmark, BenchmarkCategory("layer")]
    public void LayerBackward() =>
        _layer.Backward(_dx, _model.LayerGradients(0), _dh, _x, _model.LayerParameters(0), Batch, Steps);

    [Benchmark(Baseline = true), BenchmarkCategory("cell forward")]
    public void CellForwardScalar()
    {
        _z.CopyTo(_gates, 0);
        for (int n = 0; n < Batch; n++)
            LstmCell.ForwardScalar(_gates.AsSpan(n * 4 * Units, 4 * Units), _c.AsSpan(n * Units, Units),
                                   _s.AsSpan(n * Units, Units),
                                   _hh.AsSpan(n * Units, Units), _cPrev.AsSpan(n * Units, Units), Activation.Relu,
                                   Activation.Sigmoid, Units);
    }

    [Benchmark, BenchmarkCategory("cell forward")]
    public void CellForward()
    {
        _z.CopyTo(_gates, 0);
        for (int n = 0; n < Batch; n++)
            LstmCell.Forward(_gates.AsSpan(n * 4 * Units, 4 * Units), _c.AsSpan(n * Units, Units),
                             _s.AsSpan(n * Units, Units),
                             _hh.AsSpan(n * Units, Units), _cPrev.AsSpan(n * Units, Units), Activation.Relu,
                             Activation.Sigmoid, Units);
    }

    [Benchmark, BenchmarkCategory("cell forward")]
    public void GatesForwardFused()
    {
        _z.CopyTo(_gates, 0);
        LstmGates.Forward(_gates, _c, _s, _hh, _cPrev, Activation.Relu, Activation.Sigmoid, Batch, Units);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("cell backward")]
    public void CellBackwardScalar()
    {
        for (int n = 0; n < Batch; n++)
            LstmCell.BackwardScalar(_dz.AsSpan(n * 4 * Units, 4 * Units), _dc.AsSpan(n * Units, Units),
                                    _hh.AsSpan(n * Units, Units),
                                    _gates.AsSpan(n * 4 * Units, 4 * Units), _cPrev.AsSpan(n * Units, Units),
                                    _s.AsSpan(n * Units, Units), Activation.Relu, Activation.Sigmoid, Units);
    }

    [Benchmark, BenchmarkCategory("cell backward")]
    public void CellBackward()
    {
        for (int n = 0; n < Batch; n++)
            LstmCell.Backward(_dz.AsSpan(n * 4 * Units, 4 * Units), _dc.AsSpan(n * Units, Units),
                              _hh.AsSpan(n * Units, Units),
                              _gates.AsSpan(n * 4 * Units, 4 * Units), _cPrev.AsSpan(n * Units, Units),
                              _s.AsSpan(n * Units, Units), Activation.Relu, Activation.Sigmoid, Units);
    }

    [Benchmark, BenchmarkCategory("cell backward")]
    public void GatesBackwardFused() =>
        LstmGates.Backward(_dz, _dc, _hh, _gates, _cPrev, _s, Activation.Relu, Activation.Sigmoid, Batch, Units);
}
