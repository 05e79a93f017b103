namespace Engine.Importance;

/// <summary>
/// Gevrey et al.'s (2003) improved stepwise methods: one trained network, inputs removed without retraining,
/// backward elimination (remove the input whose removal raises the loss least, repeat on the rest). Method a
/// (improved-stepwise-1): remove input i by zeroing row i of the first layer's input kernel in all its gate blocks,
/// computed as the same x[., ., i] = 0 at every step. Method b (improved-stepwise-2): replace x[., ., i] by feature i's
/// training
/// mean at every step. Score = rise in loss at removal; order of removal; rank = F - removal index.
/// On inputs centred to mean 0 the two coincide. With <see cref="ImportanceContext.Groups"/> the search removes units:
/// every member of a group at once; a lag-window unit only its window's cells, placed before each output step
/// (<see cref="FeatureGroups.Predict"/>). Cost: F(F+1)/2 (or U(U+1)/2) predictions (times T for lag windows on
/// sequence outputs).
/// </summary>
public sealed class ImprovedStepwise(bool useMeans) : IImportanceMethod
{
    public string Name => useMeans ? "improved-stepwise-2" : "improved-stepwise-1";
    public ImportanceNeeds Needs => ImportanceNeeds.Targets;
    public ImportanceRanking Ranking => ImportanceRanking.RemovalOrder;
    public bool ScoresGroups => true;

    /// <summary>Method b (replace by the mean) rather than a (zero the weights).</summary>
    public bool UsesMeans => useMeans;

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        var targets = context.RequireTargets(Name);
        var units = FeatureGroups.UnitsOf(context);
        int features = context.Features, steps = context.Steps, count = context.Count;
        var means = context.Means();
        // The unperturbed predictions serve only lag windows (outputs no window reaches); without them the search's
        // full-set loss is the one prediction of the inputs, so none is made here (W4: +1 of F(F+1)/2 predictions).
        // With lag windows the pass is recorded: each output step's pass resumes at its windows (the same numbers).
        bool windows = context.Groups is { HasLagWindows: true };
        (float[] y, Models.RecordedPass? recorded) =
            windows ? ModelWorker.Unperturbed(context, record: true) : ([], null);
        // Zeroing row i of the first layer's input kernel(s) is x[., ., i] = 0: it is done on the input, so any first
        // layer (a Bidirectional's two kernels, a Dropout before the recurrent layer) is handled alike.
        void Remove(Span<float> x, int unit, int from, int to)
        {
            for (int n = 0; n < count; n++)
                for (int t = from; t < to; t++)
                    foreach (int i in units[unit]) x[(n * steps + t) * features + i] = useMeans ? means[i] : 0f;
        }
        double[][] Loss(ulong[] masks) => ModelTasks.Map(context.Model, masks.Length, context.Threads, (worker, j) =>
        {
            var removed = Enumerable.Range(0, units.Length).Where(u => (masks[j] & StepwiseSearch.Bit(u)) == 0)
                                    .ToArray();
            var prediction = FeatureGroups.Predict(worker, context, removed, Remove, y, recorded);
            return new[] { (double)context.Loss.Value(prediction, targets) };
        });
        var (scores, ranks, order) = StepwiseSearch.Backward(units.Length, Loss);
        string removal = useMeans ? "x = mean" : windows ? "x = 0" : "weights = 0";
        return ImportanceResult.FromRanks(Name, scores, ranks) with
        {
            ScoreMeaning = $"rise in {context.Loss.Name} at removal ({removal})",
            Order = order,
            Groups = context.Groups,
        };
    }
}
