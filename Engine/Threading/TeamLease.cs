namespace Engine.Threading;

/// <summary>The shared <see cref="WorkerTeam"/> held for one call (or none: one thread).</summary>
internal readonly struct TeamLease(WorkerTeam? team) : IDisposable
{
    /// <summary>Members a job run through this lease has.</summary>
    public int Count => team?.Count ?? 1;

    /// <summary>Runs the job on the team, or alone on this thread.</summary>
    public void Run<T>(T work) where T : struct, ITeamWork
    {
        if (team is null) work.Execute(TeamMember.Alone);
        else team.Run(work);
    }

    public void Dispose()
    {
        if (team is not null) Parallelism.Release(team);
    }
}
