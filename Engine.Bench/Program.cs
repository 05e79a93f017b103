using BenchmarkDotNet.Running;
using Engine.Bench;

// ./build.sh bench [BenchmarkDotNet args]; --quick: every benchmark once, in process, with small sizes (a smoke run).
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
