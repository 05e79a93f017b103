using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Engine.Threading;

/// <summary>
/// A fixed team of threads for fine-grained data parallelism inside one kernel call: the caller is member 0 and
/// Count - 1 dedicated background threads are the others. <see cref="Run{T}"/> hands them a job and returns when
/// all members have finished it; inside a job, <see cref="TeamMember.Barrier"/> synchronises the members (a
/// recurrent layer's time loop uses one per step). Waits spin briefly on per-member counters, each on its own
/// cache lines (a barrier costs a cache-line transfer, well under a microsecond, and allocates nothing), then
/// yield (barriers) or block (an idle worker). Jobs are structs handed over by address, so running one allocates
/// nothing. An exception on any member aborts the others at their next barrier and is rethrown on the caller.
/// The engine's kernels share one team through <see cref="Parallelism"/>; a team runs one job at a time.
/// </summary>
internal sealed unsafe class WorkerTeam : IDisposable
{
    // Spin this long before yielding (barrier, join) or blocking (idle worker): a step of W3 takes a few µs, and
    // the gaps between jobs of one forward pass (a Dense head, a transpose) a few tens of µs.
    private static readonly long YieldAfter = Stopwatch.Frequency / 20_000;   // 50 µs
    private static readonly long BlockAfter = Stopwatch.Frequency / 5_000;    // 200 µs
    // A wait this long means a member lost its core (a time slice is milliseconds; waking a blocked worker, ~0.1 ms).
    private static readonly long StallAfter = Stopwatch.Frequency / 1_000;    // 1 ms

    [StructLayout(LayoutKind.Explicit, Size = 128)]
    // 128 bytes: its own line and no shared adjacent-line prefetch
    private struct Counter { [FieldOffset(64)] public long Value; }

    private readonly Counter[] _arrived; // barriers passed in the current job, per member
    private readonly Counter[] _done;    // the last job each worker finished
    private readonly Thread[] _threads;
    private readonly object _gate = new();
    // the current job's number; a worker starts a job when this passes its last one
    private long _job;
    private int _sleepers;               // workers blocked on _gate
    private int _running;                // 1 while a job runs
    private volatile bool _disposed;
    private volatile int _faulted;
    private volatile int _stalled;
    private long _jobStart;              // Stopwatch ticks when the running job started
    private Exception? _fault;
    private delegate*<void*, TeamMember, void> _invoke;
    private void* _work;

    /// <summary>Starts <paramref name="threads"/> - 1 background threads (none for one thread).</summary>
    public WorkerTeam(int threads)
    {
        Check.Positive(threads, nameof(threads));
        Count = threads;
        _arrived = new Counter[threads];
        _done = new Counter[threads];
        _threads = new Thread[threads - 1];
        for (int i = 1; i < threads; i++)
        {
            int index = i;
            _threads[i - 1] = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"Engine worker {i}" };
            _threads[i - 1].Start();
        }
    }

    /// <summary>Members of every job: the caller and the team's threads.</summary>
    public int Count { get; }

    /// <summary>
    /// Whether a member of the last job waited over a millisecond (and over a quarter of the job's time) at a barrier
    /// or for the others to finish: a sign that another process holds one of the cores, where barriers cost time
    /// slices (<see cref="Parallelism"/> then runs calls on one thread for a while).
    /// </summary>
    public bool Stalled => _stalled != 0;

    /// <summary>
    /// Runs <paramref name="work"/> on every member (the caller as member 0) and returns when all have finished.
    /// The first exception thrown by a member is rethrown here, after every member has stopped.
    /// Not reentrant: one job at a time per team.
    /// </summary>
    public void Run<T>(T work) where T : struct, ITeamWork
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Count == 1) { work.Execute(TeamMember.Alone); return; }
        if (Interlocked.Exchange(ref _running, 1) != 0)
            throw new InvalidOperationException("this team is already running a job");
        try
        {
            for (int m = 0; m < Count; m++) _arrived[m].Value = 0;
            _fault = null;
            _faulted = 0;
            _stalled = 0;
            _jobStart = Stopwatch.GetTimestamp();
            _invoke = &Invoke<T>;
            _work = Unsafe.AsPointer(ref work); // a by-value parameter: on this frame's stack, which does not move
            long job = Interlocked.Increment(ref _job); // a full fence: the job's fields are visible before its number
            if (Volatile.Read(ref _sleepers) > 0) lock (_gate) Monitor.PulseAll(_gate);
            try { work.Execute(new TeamMember(0, Count, this)); }
            catch (Exception e) { Fault(e); }
            for (int m = 1; m < Count; m++) Wait(ref _done[m].Value, job, abortable: false);
            _work = null;
            if (_fault is { } fault) ExceptionDispatchInfo.Throw(fault);
        }
        finally { Volatile.Write(ref _running, 0); }
    }

    private static void Invoke<T>(void* work, TeamMember member) where T : struct, ITeamWork =>
        Unsafe.AsRef<T>(work).Execute(member);

    internal void Barrier(int member)
    {
        long passed = _arrived[member].Value + 1;
        // a release: this member's writes before the barrier are visible after it
        Volatile.Write(ref _arrived[member].Value, passed);
        for (int m = 0; m < Count; m++)
            if (m != member) Wait(ref _arrived[m].Value, passed, abortable: true);
    }

    // Spins until location >= value, then yields between checks; an abortable wait throws once another member failed.
    private void Wait(ref long location, long value, bool abortable)
    {
        if (Volatile.Read(ref location) >= value) return;
        long start = Stopwatch.GetTimestamp();
        bool yielding = false;
        for (int i = 1; Volatile.Read(ref location) < value; i++)
        {
            if (abortable && _faulted != 0) throw new TeamAbortedException();
            if (!yielding && (i & 63) == 0) yielding = Stopwatch.GetTimestamp() - start > YieldAfter;
            if (yielding) Thread.Yield(); // the other member may be waiting for this core
            else Thread.SpinWait(1);
        }
        // A stall is a wait over a millisecond that is also over a quarter of the job so far: in a long job (a W2
        // product of 10 ms) a millisecond of imbalance or of a preempted virtual CPU is normal, while a core shared
        // with another process makes the wait about as long as the work.
        long now = Stopwatch.GetTimestamp(), waited = now - start;
        if (yielding && waited > StallAfter && 4 * waited > now - Volatile.Read(ref _jobStart)) _stalled = 1;
    }

    private void Fault(Exception e)
    {
        if (e is not TeamAbortedException) Interlocked.CompareExchange(ref _fault, e, null);
        _faulted = 1;
    }

    private void WorkerLoop(int index)
    {
        long seen = 0;
        while (true)
        {
            seen = WaitForJob(seen);
            if (_disposed) return;
            try { _invoke(_work, new TeamMember(index, Count, this)); }
            catch (Exception e) { Fault(e); }
            Volatile.Write(ref _done[index].Value, seen);
        }
    }

    // Spins for a while for the next job, then blocks until Run or Dispose pulses the gate.
    private long WaitForJob(long seen)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; Volatile.Read(ref _job) == seen; i++)
        {
            if ((i & 63) == 0 && Stopwatch.GetTimestamp() - start > BlockAfter)
            {
                lock (_gate)
                {
                    // a full fence: Run either sees the sleeper or this sees the job
                    Interlocked.Increment(ref _sleepers);
                    while (Volatile.Read(ref _job) == seen) Monitor.Wait(_gate);
                    Interlocked.Decrement(ref _sleepers);
                }
                break;
            }
            Thread.SpinWait(1);
        }
        return Volatile.Read(ref _job);
    }

    /// <summary>Stops the team's threads (after a running job) and waits for them to exit.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Interlocked.Increment(ref _job);
        lock (_gate) Monitor.PulseAll(_gate);
        foreach (var t in _threads) t.Join();
    }

    /// <summary>Thrown inside the other members when one member failed, to unwind them from a barrier.</summary>
    private sealed class TeamAbortedException : Exception
    {
        public TeamAbortedException() : base("another member of the team failed") { }
    }
}
