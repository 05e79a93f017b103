using Engine.Models;
using Engine.Random;

namespace Engine.Importance;

/// <summary>
/// Forward or backward stepwise selection with retraining (Gevrey et al. 2003, methods 6 and 7). Each subset of
/// inputs is trained from scratch by the context's <see cref="ImportanceContext.Retrain"/> (the engine's own trainer,
/// with whatever schedule the caller chose) and scored by its loss on the evaluation set. The empty subset is the
/// best constant predictor: each output unit predicted as its mean evaluation target (<see cref="ConstantLoss"/>).
/// Forward: add the input with the
/// lowest loss; score = drop in loss at entry; order of entry. Backward: remove the input whose removal costs least;
/// score = rise in loss at removal; order of removal. Each subset trains <see cref="Restarts"/> times (restart k with
/// seed <c>new RandomSource(Seed).Fork(mask).Fork(k).NextUInt64()</c>): the search follows the mean loss, and the
/// score is the mean of the paired loss differences with SD, SE and 95% interval over restarts. All trainings of a
/// step run in parallel. Cost: Restarts x F(F+1)/2 trainings either way.
/// With <see cref="ImportanceContext.Groups"/> the search adds and removes units (bit u of the mask: unit u): a feature
/// group trains on the union of its members' columns; a lag window (<see cref="FeatureGroups.Lags"/>, a last-step
/// model) by <see cref="ImportanceContext.RetrainMasked"/>, on every column with the removed windows' cells set to 0
/// before the last step, in training and in evaluation (<see cref="LagMaskBatchSource.Zero"/>); the subset without
/// any unit is the constant predictor only when the windows cover every lag (else a network trained on the lags
/// outside them). A model with sequence outputs cannot take lag windows (<see cref="SequenceNote"/>).
/// Cost: Restarts x U(U+1)/2 trainings.
/// </summary>
public sealed class RetrainingStepwise(bool forward) : IImportanceMethod
{
    public string Name => forward ? "forward-stepwise" : "backward-stepwise";
    public ImportanceNeeds Needs => ImportanceNeeds.Targets | ImportanceNeeds.Retraining;
    public ImportanceRanking Ranking => forward ? ImportanceRanking.EntryOrder : ImportanceRanking.RemovalOrder;
    public bool ScoresGroups => true;

    /// <summary>Whether this is forward selection (else backward elimination).</summary>
    public bool IsForward => forward;

    /// <summary>Independent trainings per subset (a relu LSTM sometimes fails to train; several restarts show
    /// it).</summary>
    public int Restarts { get; init; } = 3;

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        var groups = context.Groups;
        bool windows = groups is { HasLagWindows: true };
        if (windows && context.Model.OutputsSequence) throw new InvalidOperationException(SequenceNote(Name));
        string missing = $"{Name} retrains the network on subsets of the inputs: give the context a " +
                         $"{(windows ? "RetrainMasked" : "Retrain")} callback";
        var retrain = windows ? null : context.Retrain ?? throw new InvalidOperationException(missing);
        var masked = windows ? context.RetrainMasked ?? throw new InvalidOperationException(missing) : null;
        var units = FeatureGroups.UnitsOf(context);
        int features = context.Features, count = context.Count, steps = context.Steps;
        var root = new RandomSource(context.Seed);
        Check.Positive(Restarts, nameof(Restarts));
        int restarts = Restarts;
        double constantLoss = ConstantLoss(context.RequireTargets(Name), context.Loss, context.Model.OutputUnits);
        // Without any unit: the constant predictor, unless some cells stay visible (lags outside every window).
        bool emptyIsConstant = true;
        if (windows)
        {
            var seen = new float[steps * features];
            Array.Fill(seen, 1f);
            LagMaskBatchSource.Zero(seen, 1, steps, features, groups!.Removed(0));
            emptyIsConstant = !seen.Contains(1f);
        }
        double[][] Loss(ulong[] masks)
        {
            var losses = ModelTasks.Map(masks.Length * restarts, context.Threads, task =>
                Train(masks[task / restarts], task % restarts));
            return Enumerable.Range(0, masks.Length).Select(j =>
                losses.AsSpan(j * restarts, restarts).ToArray()).ToArray();
        }
        double Train(ulong mask, int restart)
        {
            if (mask == 0 && emptyIsConstant) return constantLoss;
            ulong seed = root.Fork(mask).Fork((ulong)restart).NextUInt64();
            if (masked is not null)
            {
                var removed = groups!.Removed(mask);
                var x = (float[])context.Inputs.Clone();
                LagMaskBatchSource.Zero(x, count, steps, features, removed);
                return Series.Loss(Checked(masked(removed, seed), features, context), x, context);
            }
            var subset = StepwiseSearch.Members(mask, units.Length).SelectMany(u => units[u]).Order().ToArray();
            return Series.Loss(Checked(retrain!(subset, seed), subset.Length, context),
                               Series.SelectFeatures(context.Inputs, features, subset), context);
        }
        var (scores, ranks, order) = forward ? StepwiseSearch.Forward(units.Length, Loss)
                                             : StepwiseSearch.Backward(units.Length, Loss);
        return ImportanceResult.FromRanks(Name, scores, ranks) with
        {
            ScoreMeaning =
                forward ? $"drop in {context.Loss.Name} at entry" : $"rise in {context.Loss.Name} at removal",
            Order = order,
            Groups = groups,
        };
    }

    /// <summary>
    /// Why a model with sequence outputs cannot take lag windows here: a window moves with the output step, so each
    /// output would need its own masked copy of the inputs, and one retrained network reads one input in one pass
    /// (the trainer has no loss on one output step of a copy).
    /// </summary>
    internal static string SequenceNote(string name) =>
        $"{name} skipped: a lag window moves with each output step, and a retrained network reads one input for " +
        "every step (only a last-step model can be retrained without a window)";

    // The retrained model, checked against what the subset and the context need.
    private static Sequential Checked(Sequential model, int inputs, ImportanceContext context)
    {
        if (model.InputFeatures != inputs || model.OutputsPerSeries(context.Steps) != context.OutputsPerSeries)
            throw new InvalidOperationException($"the retrainer returned a model with {model.InputFeatures} " +
                                                $"inputs and {model.OutputsPerSeries(context.Steps)} outputs per " +
                                                $"series; expected {inputs} and {context.OutputsPerSeries}");
        return model;
    }

    /// <summary>
    /// The loss of the best constant predictor, each output unit predicted as its mean target: targets are rows of
    /// <paramref name="units"/> (the model's <see cref="Sequential.OutputUnits"/>: a softmax head's classes, k
    /// regression targets), and <c>L(m, y)</c> with <c>m_c = (float)(sum_r y_rc / R)</c> in every row, the sums in
    /// double (what a network that learned nothing reaches: for a softmax head the class frequencies, not 1/K).
    /// </summary>
    internal static double ConstantLoss(float[] targets, Losses.ILoss loss, int units = 1)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(loss);
        Check.Positive(units, nameof(units));
        var means = new double[units];
        for (int j = 0; j < targets.Length; j++) means[j % units] += targets[j];
        int rows = targets.Length / units;
        var prediction = new float[targets.Length];
        for (int j = 0; j < prediction.Length; j++) prediction[j] = (float)(means[j % units] / rows);
        return loss.Value(prediction, targets);
    }
}
