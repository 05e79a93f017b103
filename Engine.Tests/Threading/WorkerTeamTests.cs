using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Optimizers;
using Engine.Random;
using Engine.Threading;
using Xunit;

namespace Engine.Tests.Threading;

/// <summary>Runs code with <see cref="Parallelism.MaxThreads"/> set, one test at a time (the setting is
/// process-wide).</summary>
internal static class ThreadSetting
{
    private static readonly object Gate = new();

    public static T With<T>(int threads, Func<T> body)
    {
        lock (Gate)
        {
            Parallelism.MaxThreads = threads;
            Parallelism.AloneAfterStalls = false; // a loaded test machine must not quietly turn the team off
            Parallelism.ClearStall();
            try { return body(); }
            finally { Parallelism.MaxThreads = 1; Parallelism.AloneAfterStalls = true; }
        }
    }
}

/// <summary>
/// Runs alone: these tests count the shared team's members, and while they raise <see cref="Parallelism.MaxThreads"/>
/// a kernel test running beside them could hold the team and get them a one-thread lease.
/// </summary>
[CollectionDefinition(nameof(WorkerTeamTests), DisableParallelization = true)]
public sealed class SharedTeamRunsAlone;

[Collection(nameof(WorkerTeamTests))]
public class WorkerTeamTests
{
    private sealed class Log { public readonly int[] Seen = new int[4]; public int Errors; public long Allocated; }

    // Each member writes its phase number, and after a barrier every member must see every other's.
    private readonly struct PhaseJob(Log log, int phases) : ITeamWork
    {
        public void Execute(TeamMember member)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 1; i <= phases; i++)
            {
                Volatile.Write(ref log.Seen[member.Index], i);
                member.Barrier();
                for (int m = 0; m < member.Count; m++)
                    if (Volatile.Read(ref log.Seen[m]) != i) Interlocked.Increment(ref log.Errors);
                member.Barrier(); // nobody writes phase i+1 before all have read phase i
            }
            if (member.Index == 1) log.Allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }

    [Theory, InlineData(1), InlineData(2), InlineData(3)]
    public void BarriersSeparatePhasesAndAllocateNothing(int threads)
    {
        using var team = new WorkerTeam(threads);
        var log = new Log();
        team.Run(new PhaseJob(log, 10)); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < 20; r++) team.Run(new PhaseJob(log, 200));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, log.Errors);
        Assert.Equal(0, log.Allocated);
        for (int m = 0; m < threads; m++) Assert.Equal(200, log.Seen[m]);
    }

    private readonly struct ThrowingJob(int thrower, int atPhase) : ITeamWork
    {
        public void Execute(TeamMember member)
        {
            for (int i = 0; i < 5; i++)
            {
                if (member.Index == thrower && i == atPhase)
                    throw new InvalidDataException($"member {member.Index} failed");
                member.Barrier();
            }
        }
    }

    [Theory, InlineData(0, 0), InlineData(1, 0), InlineData(1, 3), InlineData(0, 4)]
    public void AnExceptionOnAnyMemberSurfacesOnTheCallerAndTheTeamStaysUsable(int thrower, int atPhase)
    {
        using var team = new WorkerTeam(2);
        var e = Assert.Throws<InvalidDataException>(() => team.Run(new ThrowingJob(thrower, atPhase)));
        Assert.Equal($"member {thrower} failed", e.Message);
        var log = new Log();
        team.Run(new PhaseJob(log, 50)); // the barrier counts start afresh
        Assert.Equal(0, log.Errors);
        Assert.Equal(50, log.Seen[1]);
    }

    private readonly struct IdleJob : ITeamWork
    {
        public void Execute(TeamMember member) { }
    }

    [Fact]
    public void AnIdleTeamWakesUpAndDisposeStopsItsThreads()
    {
        var team = new WorkerTeam(2);
        team.Run(new IdleJob());
        Thread.Sleep(20); // past the spin: the worker blocks
        var log = new Log();
        team.Run(new PhaseJob(log, 3));
        Assert.Equal(3, log.Seen[1]);
        team.Dispose();
        team.Dispose();
        Assert.Throws<ObjectDisposedException>(() => team.Run(new IdleJob()));
    }

    private readonly struct SleepyJob(int sleepMs) : ITeamWork
    {
        public void Execute(TeamMember member)
        {
            if (member.Index == 1) Thread.Sleep(sleepMs);
            member.Barrier();
        }
    }

    [Fact]
    public void AStalledJobSendsCallsToOneThreadForAWhile()
    {
        using (var team = new WorkerTeam(2))
        {
            team.Run(new SleepyJob(0));
            team.Run(new SleepyJob(5));
            Assert.True(team.Stalled);
        }
        ThreadSetting.With(2, () =>
        {
            Parallelism.AloneAfterStalls = true;
            // one stalled job is tolerated (a preempted virtual CPU), two in a row are not
            for (int job = 0; job < 2; job++)
            {
                using var lease = Parallelism.Lease();
                Assert.Equal(2, lease.Count);
                lease.Run(new SleepyJob(5));
            }
            using (var lease = Parallelism.Lease()) Assert.Equal(1, lease.Count);
            Parallelism.ClearStall();
            using (var lease = Parallelism.Lease()) Assert.Equal(2, lease.Count);
            return 0;
        });
    }

    [Fact]
    public void SharesSplitARangeInOrder()
    {
        var starts = new List<(int, int)>();
        for (int i = 0; i < 3; i++)
        {
            var m = new TeamMember(i, 3, null);
            starts.Add((m.Start(10), m.End(10)));
        }
        Assert.Equal([(0, 3), (3, 6), (6, 10)], starts);
    }

    [Fact]
    public void TheSettingRejectsZero() => Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.MaxThreads = 0);

    private static Sequential Model(int units, ulong seed) =>
        new Sequential(3,
                       [new Lstm(units, returnSequences: true), new Lstm(units, returnSequences: true),
                        new Dense(1, Activation.Sigmoid)], flatten: true);

    // Forward outputs and, after a few training steps, every parameter: bit for bit on one and on two threads.
    // Units 128 at batch 1, 64 at batch 2 and 33 at batch 8 are above the layers' threading threshold (33: unequal unit
    // slices);
    // batch 16 x 8 steps puts the weight-gradient products above GemmPacked's; 64 x 64 splits the gate backward by
    // rows,
    // and the models of 128 and 64 units split Adam's update.
    [Trait("Category", "Kernels")]
    [Theory, InlineData(128, 1), InlineData(64, 2), InlineData(33, 8), InlineData(40, 16), InlineData(64, 64)]
    public void TwoThreadsGiveBitIdenticalResults(int units, int batch)
    {
        const int steps = 8;
        var rng = new RandomSource(11);
        var x = new float[batch * steps * 3];
        var y = new float[batch * steps];
        for (int i = 0; i < x.Length; i++) x[i] = rng.Uniform(-1.5f, 1.5f);
        for (int i = 0; i < y.Length; i++) y[i] = rng.NextFloat() < 0.5f ? 1f : 0f;
        (float[] Output, float[] Parameters) Run()
        {
            var model = Model(units, 5);
            model.Initialize(5);
            var adam = new Adam(0.01f);
            for (int s = 0; s < 3; s++) model.TrainStep(x, y, batch, steps, new BinaryCrossEntropy(), adam);
            var output = new float[batch * steps];
            model.Forward(output, x, batch, steps);
            return (output, model.Parameters);
        }
        var one = ThreadSetting.With(1, Run);
        var two = ThreadSetting.With(2, Run);
        Assert.Equal(one.Output, two.Output);
        Assert.Equal(one.Parameters, two.Parameters);
        Assert.NotEqual(Model(units, 5).Parameters, two.Parameters); // training moved them
    }
}
