using Engine.Importance;

namespace Demo.Study;

/// <summary>One replicate: its trained network's evaluation loss, the loss of the best constant prediction, and every
/// method's run.</summary>
public sealed record ReplicateResult(int Index, double Loss, double ConstantLoss, double TrainSeconds,
                                     IReadOnlyList<MethodRun> Runs);
