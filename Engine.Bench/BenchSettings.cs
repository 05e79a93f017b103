using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using Perfolizer.Horology;

namespace Engine.Bench;

/// <summary>The suite's shared configuration: memory diagnoser on, medians, baselines grouped by category.</summary>
public static class BenchSettings
{
    /// <summary>Set by --quick: parameter sources shrink so every benchmark runs once in seconds.</summary>
    public static bool Quick { get; set; }

    public static IConfig Config(bool quick)
    {
        var config = DefaultConfig.Instance
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.Median)
            .AddExporter(JsonExporter.Full)
            .WithSummaryStyle(SummaryStyle.Default.WithTimeUnit(TimeUnit.Microsecond).WithMaxParameterColumnWidth(40))
            .AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory)
            .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);
        if (!quick)
        {
            // Shorter than BenchmarkDotNet's default job, so the whole suite takes minutes, not an hour. Tiered JIT
            // off,
            // as in the demo: the slow workloads run only a few invocations, too few for tier-0 code to be promoted.
            config = config.AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10)
                .WithIterationTime(TimeInterval.FromMilliseconds(200)).WithLaunchCount(1)
                .WithEnvironmentVariable("DOTNET_TieredCompilation", "0").AsDefault());
        }
        return config;
    }
}
