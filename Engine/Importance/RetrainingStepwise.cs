using Engine.Random;

namespace Engine.Importance;

/// <summary>
/// Forward or backward stepwise selection with retraining (Gevrey et al. 2003, methods 6 and 7). Each subset of
/// inputs is trained from scratch by the context's <see cref="ImportanceContext.Retrain"/> (the engine's own trainer,
/// with whatever schedule the caller chose) and scored by its loss on the evaluation set. The empty subset is the
/// best constant predictor: every output predicted as the mean evaluation target. Forward: add the input with the
/// lowest loss; score = drop in loss at entry; order of entry. Backward: remove the input whose removal costs least;
/// score = rise in loss at removal; order of removal. Each subset trains <see cref="Restarts"/> times (restart k with
/// seed <c>new RandomSource(Seed).Fork(mask).Fork(k).NextUInt64()</c>): the search follows the mean loss, and the
/// score is the mean of the paired loss differences with SD, SE and 95% interval over restarts. All trainings of a
/// step run in parallel. Cost: Restarts x F(F+1)/2 trainings either way.
/// </summary>
public sealed class RetrainingStepwise(bool forward) : IImportanceMethod
{
    public string Name => forward ? "forward-stepwise" : "backward-stepwise";
    public ImportanceNeeds Needs => ImportanceNeeds.Targets | ImportanceNeeds.Retraining;
    public ImportanceRanking Ranking => forward ? ImportanceRanking.EntryOrder : ImportanceRanking.RemovalOrder;

    /// <summary>Whether this is forward selection (else backward elimination).</summary>
    public bool IsForward => forward;

    /// <summary>Independent trainings per subset (a relu LSTM sometimes fails to train; several restarts show
    /// it).</summary>
    public int Restarts { get; init; } = 3;

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        var retrain = context.Retrain
            ?? throw new InvalidOperationException($"{Name} retrains the network on subsets of the inputs: give the " +
                                                   $"context a Retrain callback");
        int features = context.Features;
        var root = new RandomSource(context.Seed);
        Check.Positive(Restarts, nameof(Restarts));
        int restarts = Restarts;
        double constantLoss = ConstantLoss(context.RequireTargets(Name), context.Loss);
        double[][] Loss(ulong[] masks)
        {
            var losses = ModelTasks.Map(masks.Length * restarts, context.Threads, task =>
                Train(masks[task / restarts], task % restarts));
            return Enumerable.Range(0, masks.Length).Select(j =>
                losses.AsSpan(j * restarts, restarts).ToArray()).ToArray();
        }
        double Train(ulong mask, int restart)
        {
            if (mask == 0) return constantLoss;
            var subset = StepwiseSearch.Members(mask, features);
            var model = retrain(subset, root.Fork(mask).Fork((ulong)restart).NextUInt64());
            if (model.InputFeatures != subset.Length
                || model.OutputsPerSeries(context.Steps) != context.OutputsPerSeries)
                throw new InvalidOperationException($"the retrainer returned a model with {model.InputFeatures} " +
                                                    $"inputs and {model.OutputsPerSeries(context.Steps)} outputs per " +
                                                    $"series; expected {subset.Length} and {context.OutputsPerSeries}");
            return Series.Loss(model, Series.SelectFeatures(context.Inputs, features, subset), context);
        }
        var (scores, ranks, order) = forward ? StepwiseSearch.Forward(features,
                                                                      Loss) : StepwiseSearch.Backward(features, Loss);
        return ImportanceResult.FromRanks(Name, scores, ranks) with
        {
            ScoreMeaning =
                forward ? $"drop in {context.Loss.Name} at entry" : $"rise in {context.Loss.Name} at removal",
            Order = order,
        };
    }

    /// <summary>The loss of predicting the mean evaluation target everywhere (the model with no inputs).</summary>
    /// <summary>
    /// The loss of the best constant predictor, every output predicted as the mean target: <c>L(m 1, y)</c> with
    /// <c>m = (float)(sum y / n)</c>, the sum in double (what a network that learned nothing reaches).
    /// </summary>
    internal static double ConstantLoss(float[] targets, Losses.ILoss loss)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(loss);
        double mean = 0;
        foreach (var y in targets) mean += y;
        var prediction = new float[targets.Length];
        Array.Fill(prediction, (float)(mean / prediction.Length));
        return loss.Value(prediction, targets);
    }
}
