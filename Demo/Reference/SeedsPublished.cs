namespace Demo.Reference;

public sealed record SeedsPublished(double FinalLoss, double[] Effects);
