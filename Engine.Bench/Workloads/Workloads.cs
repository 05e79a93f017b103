using BenchmarkDotNet.Attributes;
using Demo.Reference;
using Engine.Bench.Peers;
using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Optimizers;
using Engine.Random;

namespace Engine.Bench.Workloads;

/// <summary>Random series and 0/1 targets for a workload, generated once.</summary>
internal sealed class Batches
{
    public readonly float[][] Inputs, Targets;
    private int _next;

    public Batches(int count, int batch, int steps, int features, int targetsPerSeries, ulong seed)
    {
        var rng = new RandomSource(seed);
        Inputs = new float[count][];
        Targets = new float[count][];
        for (int k = 0; k < count; k++)
        {
            Inputs[k] = new float[batch * steps * features];
            Targets[k] = new float[batch * targetsPerSeries];
            ReferenceData.Fill(Inputs[k], Targets[k].AsSpan(0, Math.Min(Targets[k].Length, batch * steps)), features,
                               rng);
            if (targetsPerSeries != steps)
                for (int i = 0; i < Targets[k].Length; i++) Targets[k][i] = rng.NextFloat() < 0.5f ? 1f : 0f;
        }
    }

    public int Next() { int k = _next; _next = (_next + 1) % Inputs.Length; return k; }
}

/// <summary>
/// The W2/W3/W5 model: input F -> LSTM H -> LSTM H (tanh, sigmoid gates) -> Dense 1 (sigmoid) on every step;
/// W6's with a narrower second LSTM (<paramref name="secondUnits"/>).
/// </summary>
internal static class LargeModel
{
    public static Sequential Build(int features, int units, ulong seed = 7, int? secondUnits = null)
    {
        var model = new Sequential(features, [
            new Lstm(units, Activation.Tanh, Activation.Sigmoid, returnSequences: true),
            new Lstm(secondUnits ?? units, Activation.Tanh, Activation.Sigmoid, returnSequences: true),
            new Dense(1, Activation.Sigmoid),
        ], flatten: true);
        model.Initialize(seed);
        return model;
    }
}

/// <summary>W1: one training step (forward, BCE, backward, Adam) of the reference model, batch 5, 10 steps.</summary>
[BenchmarkCategory("W1")]
public class W1ReferenceTrainStep
{
    private Sequential _model = null!;
    private Adam _adam = null!;
    private Batches _data = null!;
    private readonly BinaryCrossEntropy _loss = new();

    [GlobalSetup]
    public void Setup()
    {
        var s = new ReferenceSettings();
        _model = s.BuildModel();
        _adam = new Adam(s.LearningRate);
        _data = new Batches(64, s.BatchSize, s.Steps, s.Features, s.Steps, 1);
    }

    [Benchmark(Description = "W1 train step")]
    public float TrainStep()
    {
        int k = _data.Next();
        return _model.TrainStep(_data.Inputs[k], _data.Targets[k], 5, 10, _loss, _adam);
    }
}

/// <summary>W2: input 32 -> LSTM 256 -> LSTM 256 -> Dense 1 per step, batch 64, 50 steps, BCE on logits (fused sigmoid
/// head).</summary>
[BenchmarkCategory("W2")]
[WarmupCount(2), IterationCount(8), InvocationCount(1, 1)]
public class W2LargeTrainStep
{
    /// <summary>Threads the large matrix products and a layer's time loop may use
    /// (<see cref="Engine.Threading.Parallelism.MaxThreads"/>).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    private Sequential _model = null!;
    private Adam _adam = null!;
    private Batches _data = null!;
    private readonly BinaryCrossEntropy _loss = new();

    [GlobalSetup]
    public void Setup()
    {
        Engine.Threading.Parallelism.MaxThreads = Threads;
        _model = LargeModel.Build(32, BenchSettings.Quick ? 32 : 256);
        _adam = new Adam();
        _data = new Batches(2, 64, 50, 32, 50, 2);
    }

    [GlobalCleanup]
    public void Cleanup() => Engine.Threading.Parallelism.MaxThreads = 1;

    [Benchmark(Description = "W2 train step")]
    public float TrainStep()
    {
        int k = _data.Next();
        return _model.TrainStep(_data.Inputs[k], _data.Targets[k], 64, 50, _loss, _adam);
    }
}

/// <summary>An inference workload with an ONNX Runtime twin (<see cref="OnnxRuntimePeer"/>): the thread count both
/// use, the peer's lifetime, and the check that it computes the engine's function before anything is timed.</summary>
public abstract class OnnxPeerWorkload : IDisposable
{
    /// <summary>Threads the engine's time loop and large products may use
    /// (<see cref="Engine.Threading.Parallelism.MaxThreads"/>), and ONNX Runtime's intra-op threads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    private protected OnnxRuntimePeer? Onnx { get; private set; }

    /// <summary>Checks the peer against <paramref name="model"/> on <paramref name="input"/>, then binds it.</summary>
    private protected void StartPeer(Sequential model, float[] input, int batch, int steps)
    {
        OnnxRuntimePeer.Check(model, input, batch, steps);
        Onnx = new OnnxRuntimePeer(model, input, batch, steps, Threads);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Engine.Threading.Parallelism.MaxThreads = 1;
        Onnx?.Dispose();
        Onnx = null;
    }

    public void Dispose()
    {
        Cleanup();
        GC.SuppressFinalize(this);
    }
}

/// <summary>W3: W2's two layers with 128 units, batch 1, 100 steps, forward only.</summary>
[BenchmarkCategory("W3")]
public class W3LatencyForward : OnnxPeerWorkload
{
    private Sequential _model = null!;
    private Batches _data = null!;
    private float[] _output = [];

    [GlobalSetup]
    public void Setup()
    {
        Engine.Threading.Parallelism.MaxThreads = Threads;
        _model = LargeModel.Build(32, 128);
        _data = new Batches(4, 1, 100, 32, 100, 3);
        _output = new float[100];
    }

    /// <summary>The engine's setup plus the ONNX Runtime peer on the same weights, checked against the
    /// engine.</summary>
    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOnnxRuntime()
    {
        Setup();
        StartPeer(_model, _data.Inputs[0], 1, 100);
    }

    [Benchmark(Description = "W3 forward")]
    public float Forward()
    {
        _model.Predict(_output, _data.Inputs[_data.Next()], 1, 100);
        return _output[99];
    }

    /// <summary>Peer: ONNX Runtime (Microsoft.ML.OnnxRuntime) on the same network, batch and input.</summary>
    [Benchmark(Description = "W3 forward, ONNX Runtime")]
    public float OnnxRuntime()
    {
        Onnx!.Run();
        return Onnx.Output[99];
    }
}

/// <summary>W7: batch inference, 256 series of 100 steps through W3's network, engine and ONNX Runtime side by side
/// (the engine's <see cref="Sequential.Predict"/> on the whole batch, which keeps nothing for a backward pass; the
/// peer's session on the same bound input).</summary>
[BenchmarkCategory("W7")]
public class W7BatchInference : OnnxPeerWorkload
{
    private const int Batch = 256, Steps = 100, Features = 32;

    private Sequential _model = null!;
    private float[] _input = [], _output = [];

    [GlobalSetup]
    public void Setup()
    {
        Engine.Threading.Parallelism.MaxThreads = Threads;
        _model = LargeModel.Build(Features, 128);
        _input = new Batches(1, Batch, Steps, Features, Steps, 5).Inputs[0];
        _output = new float[Batch * Steps];
    }

    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOnnxRuntime()
    {
        Setup();
        StartPeer(_model, _input, Batch, Steps);
    }

    [Benchmark(Baseline = true, Description = "W7 forward, batch 256")]
    public float Forward()
    {
        _model.Predict(_output, _input, Batch, Steps);
        return _output[^1];
    }

    /// <summary>Peer: ONNX Runtime on the same network and batch.</summary>
    [Benchmark(Description = "W7 forward, batch 256, ONNX Runtime")]
    public float OnnxRuntime()
    {
        Onnx!.Run();
        return Onnx.Output[^1];
    }
}

/// <summary>W4: the cheap importance methods on the demo's trained model, 250 series.</summary>
[BenchmarkCategory("W4")]
public class W4Importance
{
    private Sequential _model = null!;
    private float[] _x = [];
    private ReferenceSettings _settings = new();

    [GlobalSetup]
    public void Setup()
    {
        _settings = new ReferenceSettings();
        _model = _settings.BuildModel();
        var adam = new Adam(_settings.LearningRate);
        var loss = new BinaryCrossEntropy();
        var rng = _settings.TrainingData;
        var x = new float[_settings.BatchSize * _settings.Steps * _settings.Features];
        var y = new float[_settings.BatchSize * _settings.Steps];
        int steps = BenchSettings.Quick ? 200 : _settings.Epochs * _settings.StepsPerEpoch;
        for (int s = 0; s < steps; s++)
        {
            ReferenceData.Fill(x, y, _settings.Features, rng);
            _model.TrainStep(x, y, _settings.BatchSize, _settings.Steps, loss, adam);
        }
        _x = new float[_settings.Samples * _settings.Steps * _settings.Features];
        ReferenceData.Fill(_x, new float[_settings.Samples * _settings.Steps], _settings.Features,
                           _settings.EvaluationData);
    }

    [Benchmark(Description = "W4 noise perturbation")]
    public double NoisePerturbationScores() =>
        NoisePerturbation.Scores(_model, _x, _settings.Samples, _settings.Steps, _settings.Noise,
                                 _settings.ImportanceNoise)[0];

    internal Sequential Model => _model;
    internal float[] Inputs => _x;
    internal ReferenceSettings Settings => _settings;
}

/// <summary>W4: every importance method that trains no networks (none that needs retraining), on the demo's trained
/// model, 250 series, one thread.</summary>
[BenchmarkCategory("W4")]
public class W4ImportanceMethods
{
    private readonly W4Importance _trained = new();
    private ImportanceContext _context = null!;
    private IImportanceMethod _method = null!;

    public static IEnumerable<string> Methods() => ImportanceMethods.Names
        .Where(n => (ImportanceMethods.Create(n).Needs
                     & (ImportanceNeeds.Retraining | ImportanceNeeds.PermutedRetraining)) == 0);

    [ParamsSource(nameof(Methods))]
    public string Method { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _trained.Setup();
        var s = _trained.Settings;
        var y = new float[s.Samples * s.Steps];
        // the same draw: targets of the same inputs
        ReferenceData.Fill(new float[_trained.Inputs.Length], y, s.Features, s.EvaluationData);
        _context = new ImportanceContext
        {
            Model = _trained.Model, Inputs = _trained.Inputs, Targets = y, Count = s.Samples, Steps = s.Steps,
            Loss = new BinaryCrossEntropy(), Seed = s.Seed, Threads = 1,
        };
        _method = ImportanceMethods.Create(Method);
    }

    [Benchmark(Description = "W4 importance method")]
    public ImportanceResult Compute() => _method.Compute(_context);
}

/// <summary>W5: how a W2 training step grows with units (50 steps) and with steps (256 units).</summary>
[BenchmarkCategory("W5")]
[WarmupCount(1), IterationCount(3), InvocationCount(1, 1)]
public class W5Scaling
{
    private Sequential _model = null!;
    private Adam _adam = null!;
    private Batches _data = null!;
    private readonly BinaryCrossEntropy _loss = new();

    public static IEnumerable<(int Units, int Steps)> Shapes() => BenchSettings.Quick
        ? [(16, 10), (64, 10)]
        : [(16, 50), (64, 50), (256, 50), (1024, 50), (256, 10), (256, 100), (256, 1000)];

    [ParamsSource(nameof(Shapes))]
    public (int Units, int Steps) Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = LargeModel.Build(32, Shape.Units);
        _adam = new Adam();
        _data = new Batches(1, 64, Shape.Steps, 32, Shape.Steps, 5);
    }

    [Benchmark(Description = "W5 train step")]
    public float TrainStep() => _model.TrainStep(_data.Inputs[0], _data.Targets[0], 64, Shape.Steps, _loss, _adam);
}
