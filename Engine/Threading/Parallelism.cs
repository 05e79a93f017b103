namespace Engine.Threading;

/// <summary>
/// The engine's thread setting: how many threads one kernel call (a large matrix product, a recurrent layer's
/// time loop) may use. Default 1. The extra threads come from one shared <see cref="WorkerTeam"/>; a call that
/// finds it busy (another model on another thread, or a kernel inside a job) runs on its own thread. Every
/// threaded kernel gives each output element to one thread, computed in the same order, so results do not
/// depend on this setting. Two jobs in a row in which a thread waited over a millisecond (another process holds a
/// core) make calls run on one thread for the next 100 ms (longer when it keeps happening). Parallel work over many
/// models (the importance methods) is better split over model clones and leaves this at 1.
/// </summary>
internal static class Parallelism
{
    private static int s_maxThreads = 1;
    private static int s_busy;            // 1 while a lease holds the shared team
    private static WorkerTeam? s_team;
    private static long s_aloneUntil;     // Stopwatch ticks: until then, calls run on one thread
    private static int s_strikes;         // stalled jobs in a row
    // After jobs that stalled (a member waited over a millisecond: another process holds a core), calls run on their
    // own thread for a while before the team is tried again: with a barrier per step, a member that loses its core for
    // a time slice stalls the others, and a W3 call on two busy cores took ~20 ms instead of ~0.8 ms on one thread.
    // One stalled job is not enough: the host of a virtual machine preempts a virtual CPU now and then on a quiet guest
    // (W3 with two threads: 0.47 ms with no fallback, 0.52-0.75 ms when a single stall sent calls to one thread), while
    // a busy core stalls nearly every job. A fallback that follows soon after the last one doubles the time alone.
    private const int StrikesToFallBack = 2;
    private static readonly long AloneFirst = System.Diagnostics.Stopwatch.Frequency / 10;  // 100 ms
    private static readonly long AloneLongest = System.Diagnostics.Stopwatch.Frequency * 2; // 2 s
    private static long s_window = AloneFirst; // declared after AloneFirst: static initialisers run in text order

    /// <summary>Threads a kernel call may use (at least 1; default 1).</summary>
    public static int MaxThreads
    {
        get => s_maxThreads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "at least one thread");
            s_maxThreads = value;
            // Let an idle team of another size go now rather than at the next lease.
            if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return;
            if (s_team is { } team && team.Count != value) { team.Dispose(); s_team = null; }
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>
    /// The shared team for one call, sized by <see cref="MaxThreads"/>, or a lease of one thread (no team) when the
    /// setting is 1 or the team is in use. Dispose the lease to hand the team back.
    /// </summary>
    internal static TeamLease Lease()
    {
        int want = s_maxThreads;
        if (want <= 1 || System.Diagnostics.Stopwatch.GetTimestamp() < Volatile.Read(ref s_aloneUntil)
            || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return default;
        var team = s_team;
        if (team is null || team.Count != want)
        {
            team?.Dispose();
            s_team = team = new WorkerTeam(want);
        }
        return new TeamLease(team);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the shared team when it has more than one member free for this call; false when
    /// the call should run on its own thread instead (setting 1, team busy, or one-thread period after stalls).
    /// </summary>
    internal static bool TryRun<T>(T work) where T : struct, ITeamWork
    {
        using var lease = Lease();
        if (lease.Count == 1) return false;
        lease.Run(work);
        return true;
    }

    /// <summary>Whether a stalled job sends calls to one thread for a while (tests of thread-count independence turn it
    /// off).</summary>
    internal static bool AloneAfterStalls { get; set; } = true;

    /// <summary>Ends a period of one-thread calls after a stall now.</summary>
    internal static void ClearStall()
    {
        s_strikes = 0;
        s_window = AloneFirst;
        Volatile.Write(ref s_aloneUntil, 0);
    }

    internal static void Release(WorkerTeam team)
    {
        // Only the lease holder gets here (s_busy is 1), so the fallback state needs no other lock.
        if (!team.Stalled || !AloneAfterStalls) s_strikes = 0;
        else if (++s_strikes >= StrikesToFallBack)
        {
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            bool again = now - Volatile.Read(ref s_aloneUntil) < s_window; // the last time alone ended recently
            s_window = again ? Math.Min(2 * s_window, AloneLongest) : AloneFirst;
            s_strikes = 0;
            Volatile.Write(ref s_aloneUntil, now + s_window);
        }
        Volatile.Write(ref s_busy, 0);
    }
}
