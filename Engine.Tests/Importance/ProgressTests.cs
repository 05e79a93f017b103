using Engine.Importance;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// <see cref="ImportanceRunner"/>'s progress reports and cancellation between work items
/// (<see cref="ImportanceContext.Progress"/>, <see cref="ImportanceContext.Cancellation"/>).
/// </summary>
public class ProgressTests
{
    // Reports synchronously on the reporting thread (System.Progress would post them to a thread-pool queue).
    private sealed class Recorder(Action<ImportanceProgress>? also = null) : IProgress<ImportanceProgress>
    {
        public List<ImportanceProgress> Reports { get; } = [];

        public void Report(ImportanceProgress value)
        {
            lock (Reports) Reports.Add(value);
            also?.Invoke(value);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void EveryItemIsCountedAndTheResultsDoNotChange(int threads)
    {
        var context = Fixtures.Context(Fixtures.Model(3), 4) with { Threads = threads, Repeats = 3 };
        var recorder = new Recorder();
        var methods = ImportanceMethods.Create(["permutation", "occlusion"]);
        var runs = ImportanceRunner.Run(context with { Progress = recorder }, methods);
        var quiet = ImportanceRunner.Run(context, methods);
        for (int m = 0; m < 2; m++) Assert.Equal(quiet[m].Result.Scores, runs[m].Result.Scores);
        // permutation: F x R = 3 x 3 items in one loop; occlusion: T x F = 4 x 3 cells.
        foreach (var (name, items) in new[] { ("permutation", 9L), ("occlusion", 12L) })
        {
            var reports = recorder.Reports.Where(r => r.Method == name).ToList();
            Assert.Equal(items, reports[^1].Total);
            Assert.Equal(items, reports[^1].Done);
            Assert.Equal(Enumerable.Range(0, (int)items + 1).Select(i => (long)i), reports.Select(r => r.Done));
            Assert.Null(reports[0].Remaining);
            Assert.Equal(TimeSpan.Zero, reports[^1].Remaining);
            Assert.All(reports, r => Assert.Equal((0, 1), (r.Network, r.Networks)));
        }
    }

    [Fact]
    public void TheRemainingTimeIsTheRateSoFarTimesTheItemsLeft()
    {
        var p = new ImportanceProgress("occlusion", 0, 1, 3, 12, TimeSpan.FromSeconds(6));
        Assert.Equal(0.25, p.Fraction);
        Assert.Equal(TimeSpan.FromSeconds(18), p.Remaining);
        Assert.Equal(0, (p with { Total = 0, Done = 0 }).Fraction);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void CancellingStopsBetweenItemsAndKeepsTheFinishedMethods(int threads)
    {
        using var stop = new CancellationTokenSource();
        var recorder = new Recorder(p =>
        {
            if (p.Method == "occlusion" && p.Done >= 2) stop.Cancel();
        });
        var context = Fixtures.Context(Fixtures.Model(3), 4) with
        {
            Threads = threads,
            Repeats = 3,
            Progress = recorder,
            Cancellation = stop.Token,
        };
        var runs = ImportanceRunner.Run(context, ImportanceMethods.Create(["permutation", "occlusion", "garson"]));
        Assert.Equal(["permutation"], runs.Select(r => r.Name));
        Assert.Equal(ImportanceRunner.Run(context with { Progress = null, Cancellation = default },
                                          ImportanceMethods.Create(["permutation"]))[0].Result.Scores,
                     runs[0].Result.Scores);
        // Stopped between items: occlusion did not run its 12 cells, and garson never started.
        var occlusion = recorder.Reports.Where(r => r.Method == "occlusion").ToList();
        Assert.True(occlusion[^1].Done < 12, $"{occlusion[^1].Done} cells done");
        Assert.DoesNotContain(recorder.Reports, r => r.Method == "garson");
    }
}
