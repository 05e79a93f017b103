using Engine.Importance;

namespace Demo.Study;

/// <summary>One replicate: its trained network's evaluation loss, the loss of the best constant prediction, and every
/// method's run.</summary>
public sealed record ReplicateResult(int Index, double Loss, double ConstantLoss, double TrainSeconds,
                                     IReadOnlyList<MethodRun> Runs)
{
    /// <summary>Trainings by the stepwise methods' retrainer (both methods, every subset and restart).</summary>
    public long Retrainings { get; init; }

    /// <summary>Epochs those trainings ran (with early stopping, fewer than Retrainings x the retraining
    /// epochs).</summary>
    public long RetrainingEpochs { get; init; }
}
