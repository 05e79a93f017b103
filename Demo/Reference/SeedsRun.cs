namespace Demo.Reference;

public sealed record SeedsRun(ulong Seed, float FinalLoss, double[] Effects, string Mode);
