using Engine.Importance;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// The runner's work meter (WorkMeter): a run cancelled before a method starts runs nothing, a loop announced after a
/// cancellation reports nothing, and the meter is gone once the runner returns (later direct calls neither report to
/// the run's progress nor stop at its token). All single-threaded and triggered from the reports: deterministic.
/// </summary>
public class WorkMeterTests
{
    // Reports synchronously on the reporting thread.
    private sealed class Recorder(Action<ImportanceProgress>? also = null) : IProgress<ImportanceProgress>
    {
        public List<ImportanceProgress> Reports { get; } = [];

        public void Report(ImportanceProgress value)
        {
            lock (Reports) Reports.Add(value);
            also?.Invoke(value);
        }
    }

    [Fact]
    public void A_run_cancelled_before_it_starts_runs_nothing()
    {
        // garson has no work-item loop (nothing would check the token inside it): the runner itself must not start it.
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var context = Fixtures.Context(Fixtures.Model(2), 3) with { Cancellation = stop.Token };
        var seen = new List<MethodRun>();
        var runs = ImportanceRunner.Run(context, ImportanceMethods.Create(["garson", "connection-weights"]), seen.Add);
        Assert.Empty(runs);
        Assert.Empty(seen);
    }

    [Fact]
    public void After_a_cancellation_the_next_network_announces_nothing()
    {
        // Two networks, permutation (one loop of F x R = 3 x 3 = 9 items), one thread. Cancelled at network 0's last
        // report (9 of 9 done): network 0's loop has ended; network 1's loop must stop at its start, before reporting.
        using var stop = new CancellationTokenSource();
        var recorder = new Recorder(p =>
        {
            if (p is { Network: 0, Done: 9 }) stop.Cancel();
        });
        var context = Fixtures.Context(Fixtures.Model(2), 3) with
        {
            Threads = 1,
            Repeats = 3,
            Progress = recorder,
            Cancellation = stop.Token,
        };
        var runs = ImportanceRunner.Run([context, context with { Model = Fixtures.Model(5) }],
                                        ImportanceMethods.Create(["permutation"]));
        Assert.Empty(runs);
        // Network 0 reported 0..9 of 9; network 1 nothing.
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (0, (long)i, 9L)),
                     recorder.Reports.Select(r => (r.Network, r.Done, r.Total)));
    }

    [Fact]
    public void The_meter_is_gone_when_the_runner_returns()
    {
        // After the run, a direct call on the same thread is outside the runner: it reports to no one (its context
        // has no Progress) and the run's token, cancelled afterwards, does not stop it.
        using var stop = new CancellationTokenSource();
        var recorder = new Recorder();
        var context = Fixtures.Context(Fixtures.Model(2), 3) with { Threads = 1, Repeats = 3 };
        var permutation = ImportanceMethods.Create("permutation");
        var run = ImportanceRunner.Run(context with { Progress = recorder, Cancellation = stop.Token }, [permutation]);
        int reports = recorder.Reports.Count;
        Assert.Equal(10, reports); // 0..9 of 9 items
        stop.Cancel();
        var direct = permutation.Compute(context);
        Assert.Equal(reports, recorder.Reports.Count);
        Assert.Equal(run[0].Result.Scores, direct.Scores);
    }
}
