using Demo.Study;

namespace Demo.Sharding;

/// <summary>A finished replicate of <c>demo study</c> in a work directory.</summary>
public sealed record StudyItemJson(string SettingsHash, int Item, double Loss, double ConstantLoss,
                                   double TrainSeconds, List<RunJson> Runs) : IWorkItem
{
    public static StudyItemJson Of(string hash, ReplicateResult r) =>
        new(hash, r.Index, r.Loss, r.ConstantLoss, r.TrainSeconds, r.Runs.Select(RunJson.Of).ToList());

    public ReplicateResult ToReplicate() =>
        new(Item, Loss, ConstantLoss, TrainSeconds, Runs.Select(x => x.ToRun(null)).ToArray());
}
