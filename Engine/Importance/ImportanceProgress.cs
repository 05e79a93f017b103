namespace Engine.Importance;

/// <summary>
/// How far the running method has got (<see cref="ImportanceContext.Progress"/>): work items finished out of those
/// announced so far, on network <see cref="Network"/> of <see cref="Networks"/>. A work item is one index of the
/// method's parallel loops (a feature and repeat, a cell, a block of series, a retraining, ...); a method announces
/// each loop as it starts it, so <see cref="Total"/> can grow while the method runs (the integrated-gradients search
/// adds a round, the stepwise searches a step).
/// </summary>
/// <param name="Method">The method's name.</param>
/// <param name="Network">The network's index, 0-based.</param>
/// <param name="Networks">The networks the method runs on.</param>
/// <param name="Done">Work items finished.</param>
/// <param name="Total">Work items announced.</param>
/// <param name="Elapsed">Time since the method started on this network.</param>
public sealed record ImportanceProgress(string Method, int Network, int Networks, long Done, long Total,
                                        TimeSpan Elapsed)
{
    /// <summary>Done / Total, 0 before anything is announced.</summary>
    public double Fraction => Total == 0 ? 0 : (double)Done / Total;

    /// <summary>
    /// The estimate of the time left for the work announced: Elapsed (Total - Done) / Done, the rate so far; null
    /// before the first item is done. Work not yet announced is not in it.
    /// </summary>
    public TimeSpan? Remaining => Done == 0 ? null : Elapsed * ((double)(Total - Done) / Done);
}
