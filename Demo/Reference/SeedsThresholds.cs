namespace Demo.Reference;

public sealed record SeedsThresholds(double ConvergedLoss, double DeadLoss);
