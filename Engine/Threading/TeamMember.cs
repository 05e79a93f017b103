namespace Engine.Threading;

/// <summary>One member's view of a running job: its index, the team size and the team's barrier.</summary>
internal readonly struct TeamMember
{
    private readonly WorkerTeam? _team;

    internal TeamMember(int index, int count, WorkerTeam? team)
    {
        Index = index;
        Count = count;
        _team = team;
    }

    /// <summary>A lone member (no team): <see cref="Barrier"/> returns at once.</summary>
    public static TeamMember Alone => new(0, 1, null);

    /// <summary>This member's index, 0 .. Count-1 (0 is the calling thread).</summary>
    public int Index { get; }

    /// <summary>Members in the job.</summary>
    public int Count { get; }

    /// <summary>Start of this member's share of [0, total): floor(total Index / Count).</summary>
    public int Start(int total) => (int)((long)total * Index / Count);

    /// <summary>End (exclusive) of this member's share of [0, total): floor(total (Index + 1) / Count).</summary>
    public int End(int total) => (int)((long)total * (Index + 1) / Count);

    /// <summary>Waits until every member of the job has reached this barrier as often as this one; a no-op
    /// alone.</summary>
    public void Barrier() => _team?.Barrier(Index);
}
