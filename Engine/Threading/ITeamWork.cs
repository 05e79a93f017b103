namespace Engine.Threading;

/// <summary>Work a <see cref="WorkerTeam"/> runs once on every member, the caller being member 0.</summary>
internal interface ITeamWork
{
    /// <summary>Runs this member's share. Every member must call <see cref="TeamMember.Barrier"/> equally
    /// often.</summary>
    void Execute(TeamMember member);
}
