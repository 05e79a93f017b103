using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Demo.Study;
using Engine.Importance;
using Engine.Losses;
using Engine.Models;
using Engine.Optimizers;
using Engine.Random;
using Engine.Training;

namespace Engine.Bench.Workloads;

/// <summary>
/// W6, the user-scale workload of issue 15: <see cref="Series"/> series x 48 steps x 12 features, an LSTM 32 -> LSTM 16
/// -> Dense 1 (sigmoid) on every step, trained <see cref="Epochs"/> epochs (batch 32, Adam 1e-3, BCE), then importance
/// methods with their default settings on the same series (threads: every core). Data: per series s, twelve
/// standardised
/// AR(1) signals z_j (z_t = 0.7 z_{t-1} + sqrt(0.51) e_t) drawn from <c>new RandomSource(Seed).Fork(s)</c>; target
/// y_t = [z0_t + 0.8 z1_{t-2} + 0.5 z2_t z3_t + 0.3 z4_{t-5} &gt; 1] (z at negative steps = 0); features 5..11 do not
/// enter.
/// </summary>
public sealed class W6Workload
{
    public const int Steps = 48, Features = 12, BatchSize = 32;
    public const ulong Seed = 15;

    public int Series { get; }
    public int Epochs { get; }
    public float[] Inputs { get; }
    public float[] Targets { get; }
    public Sequential Model { get; }

    /// <summary>Seconds the training took.</summary>
    public double TrainSeconds { get; }

    public W6Workload(int series = 3000, int epochs = 40)
    {
        Series = series;
        Epochs = epochs;
        (Inputs, Targets) = Generate(series, Seed);
        long start = Stopwatch.GetTimestamp();
        Model = Train(Features, Seed, epochs);
        TrainSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>The W6 model over <paramref name="features"/> inputs, initialised from
    /// <paramref name="seed"/>.</summary>
    public static Sequential Build(int features, ulong seed) => LargeModel.Build(features, 32, seed, secondUnits: 16);

    /// <summary>Inputs (N, 48, 12) and targets (N, 48) as described on the class.</summary>
    public static (float[] Inputs, float[] Targets) Generate(int series, ulong seed)
    {
        var x = new float[series * Steps * Features];
        var y = new float[series * Steps];
        var root = new RandomSource(seed);
        for (int s = 0; s < series; s++)
        {
            var z = x.AsSpan(s * Steps * Features, Steps * Features);
            StudyDesign.Ar1(z, Features, 0.7f, root.Fork((ulong)s));
            for (int t = 0; t < Steps; t++)
            {
                float score = z[t * Features] + 0.5f * z[t * Features + 2] * z[t * Features + 3]
                              + (t >= 2 ? 0.8f * z[(t - 2) * Features + 1] : 0f)
                              + (t >= 5 ? 0.3f * z[(t - 5) * Features + 4] : 0f);
                y[s * Steps + t] = score > 1f ? 1f : 0f;
            }
        }
        return (x, y);
    }

    /// <summary>A retrainer on this workload's data (the stepwise methods, connection-weights-test's null
    /// networks); with <paramref name="patience"/> &gt; 0 the stepwise retrainings stop early on the series
    /// <see cref="RetrainStopping"/> holds out (split seed <see cref="Seed"/>), counted in
    /// <paramref name="tally"/>.</summary>
    public Retrainer Retrainer(bool permuteTargets = false, int patience = 0, RetrainingTally? tally = null) =>
        Retrainers.FromArrays((width, seed) => Build(width, seed), Inputs, Targets, Series, Steps, Features,
                              new BinaryCrossEntropy(),
                              Epochs, BatchSize, permuteTargets: permuteTargets,
                              stopping: patience > 0 ? new RetrainStopping(patience, Seed) : null, tally: tally);

    /// <summary>The importance context every method runs in: the trained model, the training series, every core;
    /// the stepwise retrainings with early stopping (<see cref="RetrainStopping.DefaultPatience"/> unless
    /// <paramref name="patience"/> says otherwise; 0: every epoch).</summary>
    public ImportanceContext Context(int threads, int patience = RetrainStopping.DefaultPatience,
                                     RetrainingTally? tally = null)
    {
        return new()
        {
            Model = Model, Inputs = Inputs, Targets = Targets, Count = Series, Steps = Steps,
            Loss = new BinaryCrossEntropy(),
            Seed = Seed, Threads = threads, Retrain = Retrainer(patience: patience, tally: tally),
            RetrainPermuted = Retrainer(permuteTargets: true),
        };
    }

    /// <summary>Writes the trained weights (model.safetensors, the engine's model file) and the data (data.safetensors:
    /// x, y) for the peer.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        ModelFile.Save(Path.Combine(directory, "model.safetensors"), Model);
        using var stream = File.Create(Path.Combine(directory, "data.safetensors"));
        SafeTensors.Write(stream,
                          [new NamedTensor("x", [Series, Steps, Features], Inputs),
                           new NamedTensor("y", [Series, Steps], Targets)],
                          new Dictionary<string,
                          string>
                          { ["seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    private Sequential Train(int features, ulong seed, int epochs)
    {
        var model = Build(features, seed);
        var source = new ArrayBatchSource(Inputs, Targets, Series, Steps, features, Steps, BatchSize, seed);
        new Trainer(model, new BinaryCrossEntropy(), new Adam(0.001f)).Fit(source, epochs, source.StepsPerEpoch);
        return model;
    }

    /// <summary>
    /// Runs <paramref name="methods"/> (default settings) one after the other and prints per method the seconds, the
    /// bytes allocated and the scores, and for the stepwise methods the retrainings' epochs run:
    /// <c>--w6 METHODS [--series N] [--epochs E] [--threads N] [--save DIR] [--retrain-patience P]</c>.
    /// </summary>
    public static int Run(IReadOnlyList<string> methods, int series, int epochs, int threads, string? save,
                          ImportanceOptions? options = null, int patience = RetrainStopping.DefaultPatience)
    {
        var w6 = new W6Workload(series, epochs);
        Console.WriteLine($"W6: {series} series x {Steps} steps x {Features} features, trained {epochs} epochs in " +
                          $"{w6.TrainSeconds:F2} s");
        if (save is not null) { w6.Save(save); Console.WriteLine($"W6: model and data written to {save}"); }
        foreach (var name in methods)
        {
            var tally = new RetrainingTally();
            var context = w6.Context(threads, patience, tally);
            var method = ImportanceMethods.Create(name, options);
            long bytes = GC.GetTotalAllocatedBytes(precise: true), start = Stopwatch.GetTimestamp();
            var result = method.Compute(context);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes;
            var scores = string.Join(" ",
                                     result.Scores.Select(s =>
                                         s.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)));
            Console.WriteLine($"W6 {name}: {seconds:F3} s, {bytes:N0} B, {threads} thread(s); digest " +
                              $"{Digest(result):X16} ({Digest(result with { LagMap = null }):X16} without the lag " +
                              $"map); scores {scores}");
            if (result.Note is { } note) Console.WriteLine($"W6 {name}: {note}");
            if (tally.Trainings > 0)
                Console.WriteLine($"W6 {name}: retrainings {tally} " +
                                  (patience > 0 ? $"(early stopping, patience {patience})" : "(every epoch)"));
        }
        return 0;
    }

    /// <summary>FNV-1a over the bits of the scores, time map and lag map: equal digests, bit-identical
    /// results.</summary>
    public static ulong Digest(ImportanceResult result)
    {
        ulong hash = 14695981039346656037;
        void Add(double v) { hash = (hash ^ (ulong)BitConverter.DoubleToInt64Bits(v)) * 1099511628211; }
        foreach (var s in result.Scores) Add(s);
        foreach (var map in new[] { result.TimeMap, result.LagMap })
            if (map is not null) foreach (var v in map) Add(v);
        return hash;
    }
}

/// <summary>W6: every importance method with its defaults on the trained user-scale model (3000 series; --quick: 200),
/// every core.</summary>
[BenchmarkCategory("W6")]
[WarmupCount(0), IterationCount(1), InvocationCount(1, 1)]
public class W6UserScaleImportance
{
    private W6Workload _w6 = null!;
    private ImportanceContext _context = null!;
    private IImportanceMethod _method = null!;

    public static IEnumerable<string> Methods() => ImportanceMethods.Names;

    [ParamsSource(nameof(Methods))]
    public string Method { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _w6 = new W6Workload(BenchSettings.Quick ? 200 : 3000, BenchSettings.Quick ? 2 : 40);
        _context = _w6.Context(Environment.ProcessorCount);
        _method = ImportanceMethods.Create(Method);
    }

    [Benchmark(Description = "W6 importance method")]
    public ImportanceResult Compute() => _method.Compute(_context);
}
