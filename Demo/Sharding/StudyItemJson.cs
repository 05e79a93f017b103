using Demo.Study;

namespace Demo.Sharding;

/// <summary>A finished replicate of <c>demo study</c> in a work directory.</summary>
public sealed record StudyItemJson(string SettingsHash, int Item, double Loss, double ConstantLoss,
                                   double TrainSeconds, List<RunJson> Runs, long Retrainings = 0,
                                   long RetrainingEpochs = 0) : IWorkItem
{
    public static StudyItemJson Of(string hash, ReplicateResult r) =>
        new(hash, r.Index, r.Loss, r.ConstantLoss, r.TrainSeconds, r.Runs.Select(RunJson.Of).ToList(), r.Retrainings,
            r.RetrainingEpochs);

    public ReplicateResult ToReplicate() =>
        new(Item, Loss, ConstantLoss, TrainSeconds, Runs.Select(x => x.ToRun(null)).ToArray())
        {
            Retrainings = Retrainings, RetrainingEpochs = RetrainingEpochs,
        };
}
