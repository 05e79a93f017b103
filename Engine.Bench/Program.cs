using System.Diagnostics;
using BenchmarkDotNet.Running;
using Engine.Bench;
using Engine.Bench.Workloads;

// ./build.sh bench [BenchmarkDotNet args]; --quick: every benchmark once, in process, with small sizes (a smoke run).
// --loop w1|w2|w3|lf|lb [count]: runs one workload in a plain loop and prints µs/op by CPU time (for perf record / profiling).
if (args.Length >= 2 && args[0] == "--loop") return Loop.Run(args[1], args.Length > 2 ? int.Parse(args[2]) : 0);
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

/// <summary>A workload in a plain loop: steady-state µs/op from the process's CPU time, and bytes allocated per op.</summary>
internal static class Loop
{
    public static int Run(string name, int count)
    {
        Action op;
        switch (name.ToLowerInvariant())
        {
            case "w1": { var b = new W1ReferenceTrainStep(); b.Setup(); op = () => b.TrainStep(); count = count > 0 ? count : 20000; break; }
            case "w2": { var b = new W2LargeTrainStep { Threads = 1 }; b.Setup(); op = () => b.TrainStep(); count = count > 0 ? count : 10; break; }
            case "w3": { var b = new W3LatencyForward(); b.Setup(); op = () => b.Forward(); count = count > 0 ? count : 500; break; }
            case "lf": { var b = new Engine.Bench.Kernels.LstmBenchmarks(); b.Setup(); op = () => b.LayerForward(); count = count > 0 ? count : 100000; break; }
            case "lb": { var b = new Engine.Bench.Kernels.LstmBenchmarks(); b.Setup(); op = () => b.LayerBackward(); count = count > 0 ? count : 100000; break; }
            default: Console.Error.WriteLine($"error: unknown workload '{name}' for --loop: expected w1, w2, w3, lf or lb (the reference model's first layer forward / backward)"); return 2;
        }
        for (int i = 0; i < Math.Max(3, count / 10); i++) op();
        for (int rep = 0; rep < 3; rep++)
        {
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            long bytes = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < count; i++) op();
            process.Refresh();
            Console.WriteLine($"{name}: {(process.TotalProcessorTime - cpu).TotalMicroseconds / count:F2} µs/op (CPU time), {(GC.GetAllocatedBytesForCurrentThread() - bytes) / count} B/op, {count} ops");
        }
        return 0;
    }
}
