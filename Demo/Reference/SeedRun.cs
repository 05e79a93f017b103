namespace Demo.Reference;

/// <summary>One training of the sweep: seed, last epoch's mean training loss, the three perturbation effects.</summary>
public sealed record SeedRun(ulong Seed, float FinalLoss, double[] Effects)
{
    public TrainingMode Mode => ReferenceSeeds.Classify(FinalLoss);
}
