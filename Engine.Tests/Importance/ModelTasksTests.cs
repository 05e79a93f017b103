using Engine.Importance;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// The model-less task loop of the retraining methods (ModelTasks.Map(count, threads, body)), seen through
/// connection-weights-test's null networks under the runner: every retraining counted on one thread and on two, and a
/// cancellation stopping the loop before the next retraining.
/// </summary>
public class ModelTasksTests
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

    private static readonly ConnectionWeightsTest Test = new ConnectionWeightsTest { Networks = 3 };

    // A stand-in for the null networks' training: a fresh random model of the full width, counted.
    private static Retrainer Counted(Action onCall) => (subset, seed) =>
    {
        onCall();
        return Fixtures.Model(seed, features: subset.Length);
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Every_retraining_is_counted_and_the_results_do_not_depend_on_threads(int threads)
    {
        // The observed weights are not a loop; the 3 null networks are one loop of 3 items: reports 0..3 of 3.
        var recorder = new Recorder();
        var context = Fixtures.Context(Fixtures.Model(2), 3) with { RetrainPermuted = Counted(() => { }) };
        var run = ImportanceRunner.Run(context with { Threads = threads, Progress = recorder }, [Test]).Single();
        Assert.Equal([(0L, 3L), (1L, 3L), (2L, 3L), (3L, 3L)], recorder.Reports.Select(r => (r.Done, r.Total)));
        // The p-values (from the 3 null networks stored by index) are those of a plain single-threaded call.
        var plain = Test.Compute(context with { Threads = 1 });
        Assert.Equal(plain.Features.Select(f => f.P), run.Result.Features.Select(f => f.P));
        Assert.Equal(plain.Note, run.Result.Note);
    }

    [Fact]
    public void A_cancellation_stops_the_retrainings_before_the_next_one()
    {
        // One thread; cancelled when the first null network is done: the second never trains, and the method,
        // unfinished, is not returned.
        using var stop = new CancellationTokenSource();
        int calls = 0;
        var recorder = new Recorder(p =>
        {
            if (p.Done == 1) stop.Cancel();
        });
        var context = Fixtures.Context(Fixtures.Model(2), 3) with
        {
            Threads = 1,
            RetrainPermuted = Counted(() => calls++),
            Progress = recorder,
            Cancellation = stop.Token,
        };
        var runs = ImportanceRunner.Run(context, [Test]);
        Assert.Empty(runs);
        Assert.Equal(1, calls);
        Assert.Equal([0L, 1L], recorder.Reports.Select(r => r.Done));
    }
}
