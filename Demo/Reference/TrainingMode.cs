namespace Demo.Reference;

/// <summary>How one training of the reference experiment ended (<see cref="ReferenceSeeds.Classify"/>).</summary>
public enum TrainingMode
{
    /// <summary>Final loss below <see cref="ReferenceSeeds.ConvergedLoss"/>: learned x1 x2 &lt; 0.25.</summary>
    Converged,

    /// <summary>Between the two: the output follows x1 and x2, the loss well above the converged runs'.</summary>
    PartiallyTrained,

    /// <summary>Final loss at least <see cref="ReferenceSeeds.DeadLoss"/>: no better than a constant.</summary>
    Dead,
}
