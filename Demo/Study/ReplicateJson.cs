namespace Demo.Study;

public sealed record ReplicateJson(int Index, double Loss, double ConstantLoss, double TrainSeconds, Dictionary<string,
                                   int[]> Ranks, long Retrainings, long RetrainingEpochs);
