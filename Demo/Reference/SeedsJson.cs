namespace Demo.Reference;

/// <summary>
/// <c>demo --seeds N --json</c>: the published Keras run, the thresholds of the modes, each mode's count and share
/// (95% Wilson interval), and every training (seed, final loss, effects of x1..x3, mode).
/// </summary>
public sealed record SeedsJson(SeedsPublished Published, SeedsThresholds Thresholds, List<SeedsMode> Modes,
    List<SeedsRun> Runs)
{
    public static SeedsJson Of(IReadOnlyList<SeedRun> runs) => new(
        new(ReferenceSeeds.PublishedLoss, ReferenceSeeds.PublishedEffects),
        new(ReferenceSeeds.ConvergedLoss, ReferenceSeeds.DeadLoss),
        Enum.GetValues<TrainingMode>().Select(m =>
        {
            var (share, low, high) = ReferenceSeeds.Share(runs, m);
            return new SeedsMode(ReferenceSeeds.Name(m), runs.Count(r => r.Mode == m), share, low, high);
        }).ToList(),
        runs.Select(r => new SeedsRun(r.Seed, r.FinalLoss, r.Effects, ReferenceSeeds.Name(r.Mode)))
            .ToList());
}
