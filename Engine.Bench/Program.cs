using System.Diagnostics;
using BenchmarkDotNet.Running;
using Engine.Bench;
using Engine.Bench.Workloads;

// ./build.sh bench [BenchmarkDotNet args]; --quick: every benchmark once, in process, with small sizes (a smoke run).
// --loop w1|w2|w3|w3-onnx|w7|w7-onnx|lf|lb|barrier|w4:METHOD [count] [--threads N] [--reps R]: runs one workload in R
// (default 3) batches of count and prints µs/op by CPU time and by wall-clock time, then the fastest batch's wall
// time (for perf record / profiling, and for two
// threads on a shared machine); --threads sets Parallelism.MaxThreads (default 1; w1 ignores it).
if (args.Length >= 2 && args[0] == "--loop")
{
    int Option(string name, int fallback)
    {
        int i = Array.IndexOf(args, name); return i > 0 && i
        + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
    }
    var loopArgs = args.Where((a, i) => !a.StartsWith("--threads") && !a.StartsWith("--reps")
                              && (i == 0 || !args[i - 1].StartsWith("--threads")
                                  && !args[i - 1].StartsWith("--reps"))).ToArray();
    return Loop.Run(loopArgs[1], loopArgs.Length > 2 ? int.Parse(loopArgs[2]) : 0, Option("--threads", 1),
                    Option("--reps", 3));
}
// --w6 METHODS [--series N] [--epochs E] [--threads N] [--save DIR] [--no-maps] [--full-passes]
// [--retrain-patience P]: W6 (issue 15) once per method, comma-separated names or all: seconds, bytes and a digest of
// the results (equal digests: bit-identical results); --save writes the trained model and the data for the PyTorch
// peer (peer/w6_peer.py); --no-maps: ImportanceOptions.TimeMaps off; --full-passes: no pass resumed after a step
// (RecordedPass off), to compare; --retrain-patience: the stepwise retrainings' early stopping (default
// RetrainStopping.DefaultPatience, 0: every epoch), their epochs run printed.
if (args.Length >= 2 && args[0] == "--w6")
{
    string? Value(string name)
    {
        int i = Array.IndexOf(args, name); return i > 0 && i
        + 1 < args.Length ? args[i + 1] : null;
    }
    int Number(string name, int fallback) =>
        Value(name) is { } v ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
    Engine.Models.RecordedPass.Enabled = !args.Contains("--full-passes");
    return W6Workload.Run(Engine.Importance.ImportanceMethods.Parse(args[1]), Number("--series", 3000),
                          Number("--epochs", 40),
                          Number("--threads", Environment.ProcessorCount), Value("--save"),
                          new Engine.Importance.ImportanceOptions { TimeMaps = !args.Contains("--no-maps") },
                          Number("--retrain-patience", Engine.Importance.RetrainStopping.DefaultPatience));
}
var quick = args.Contains("--quick");
BenchSettings.Quick = quick;
var rest = args.Where(a => a != "--quick").ToArray();
if (quick)
{
    var filter = rest.Contains("--filter") ? [] : new[] { "--filter", "*" };
    rest = [.. rest, .. filter, "--job", "dry", "--inProcess"];
}
var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchSettings).Assembly).Run(rest, BenchSettings.Config(quick));
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;

/// <summary>A workload in a plain loop: steady-state µs/op from the process's CPU time and from the wall clock, and
/// bytes allocated per op.</summary>
internal static class Loop
{
    /// <summary>The count asked for, or the workload's default when none was given.</summary>
    private static int Or(int count, int fallback) => count > 0 ? count : fallback;

    public static int Run(string name, int count, int threads, int reps)
    {
        Engine.Threading.Parallelism.MaxThreads = threads;
        // Always the team, also after a stall: on a shared machine the fastest batch is the figure for two free cores.
        Engine.Threading.Parallelism.AloneAfterStalls = false;
        Action op;
        switch (name.ToLowerInvariant())
        {
            case "w1":
                {
                    var b = new W1ReferenceTrainStep(); b.Setup(); op = () => b.TrainStep();
                    count = Or(count, 20000); break;
                }
            case "w2":
                {
                    var b = new W2LargeTrainStep { Threads = threads }; b.Setup(); op = () => b.TrainStep();
                    count = Or(count, 10); break;
                }
            case "w3":
                {
                    var b = new W3LatencyForward { Threads = threads }; b.Setup(); op = () => b.Forward();
                    count = Or(count, 500); break;
                }
            case "w3-onnx":
                {
                    var b = new W3LatencyForward { Threads = threads };
                    b.SetupOnnxRuntime(); op = () => b.OnnxRuntime();
                    count = Or(count, 500); break;
                }
            case "w7":
                {
                    var b = new W7BatchInference { Threads = threads }; b.Setup(); op = () => b.Forward();
                    count = Or(count, 5); break;
                }
            case "w7-onnx":
                {
                    var b = new W7BatchInference { Threads = threads };
                    b.SetupOnnxRuntime(); op = () => b.OnnxRuntime();
                    count = Or(count, 5); break;
                }
            case "lf":
                {
                    var b = new Engine.Bench.Kernels.LstmBenchmarks(); b.Setup(); op = () => b.LayerForward();
                    count = Or(count, 100000); break;
                }
            case "lb":
                {
                    var b = new Engine.Bench.Kernels.LstmBenchmarks(); b.Setup(); op = () => b.LayerBackward();
                    count = Or(count, 100000); break;
                }
            case "barrier": { var b = new BarrierLoop(threads); op = b.Run; count = Or(count, 1000); break; }
            case var w4 when w4.StartsWith("w4:", StringComparison.Ordinal)
                             && W4ImportanceMethods.Methods().Contains(w4[3..]):
                {
                    // one method of W4 (BenchmarkDotNet cannot filter a job by its parameter)
                    var b = new W4ImportanceMethods { Method = w4[3..] }; b.Setup(); op = () => b.Compute();
                    count = Or(count, 100); break;
                }
            default:
                Console.Error.WriteLine($"error: unknown workload '{name}' for --loop: expected w1, w2, w3, " +
                                        $"w3-onnx, w7, w7-onnx, lf, lb (the reference model's first layer forward / " +
                                        $"backward), barrier (1000 team barriers) or w4:METHOD (one of " +
                                        $"{string.Join(", ", W4ImportanceMethods.Methods())})");
                return 2;
        }
        for (int i = 0; i < Math.Max(3, count / 10); i++) op();
        double best = double.MaxValue;
        for (int rep = 0; rep < reps; rep++)
        {
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            long bytes = GC.GetTotalAllocatedBytes(precise: true), start = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++) op();
            var wall = Stopwatch.GetElapsedTime(start);
            best = Math.Min(best, wall.TotalMicroseconds / count);
            process.Refresh();
            Console.WriteLine($"{name}: {(process.TotalProcessorTime - cpu).TotalMicroseconds / count:F2} µs/op (CPU " +
                              $"time), {wall.TotalMicroseconds / count:F2} µs/op (wall), " +
                              $"{(GC.GetTotalAllocatedBytes(precise: true) - bytes) / count} B/op, {count} ops, " +
                              $"{threads} thread(s)");
        }
        Console.WriteLine($"{name}: fastest batch {best:F2} µs/op (wall), {threads} thread(s)");
        return 0;
    }
}

/// <summary>1000 barriers of a <see cref="Engine.Threading.WorkerTeam"/> in one job: the cost of the per-step
/// synchronisation.</summary>
internal sealed class BarrierLoop(int threads) : IDisposable
{
    private readonly Engine.Threading.WorkerTeam _team = new(threads);

    public void Run() => _team.Run(new Job());

    public void Dispose() => _team.Dispose();

    private readonly struct Job : Engine.Threading.ITeamWork
    {
        public void Execute(Engine.Threading.TeamMember member) { for (int i = 0; i < 1000; i++) member.Barrier(); }
    }
}
