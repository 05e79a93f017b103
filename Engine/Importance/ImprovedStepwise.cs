namespace Engine.Importance;

/// <summary>
/// Gevrey et al.'s (2003) improved stepwise methods: one trained network, inputs removed without retraining,
/// backward elimination (remove the input whose removal raises the loss least, repeat on the rest). Method a
/// (improved-stepwise-1): remove input i by zeroing row i of the first layer's input kernel in all its gate blocks,
/// computed as the same x[., ., i] = 0 at every step. Method b (improved-stepwise-2): replace x[., ., i] by feature i's
/// training
/// mean at every step. Score = rise in loss at removal; order of removal; rank = F - removal index.
/// On inputs centred to mean 0 the two coincide. Cost: F(F+1)/2 predictions.
/// </summary>
public sealed class ImprovedStepwise(bool useMeans) : IImportanceMethod
{
    public string Name => useMeans ? "improved-stepwise-2" : "improved-stepwise-1";
    public ImportanceNeeds Needs => ImportanceNeeds.Targets;
    public ImportanceRanking Ranking => ImportanceRanking.RemovalOrder;

    /// <summary>Method b (replace by the mean) rather than a (zero the weights).</summary>
    public bool UsesMeans => useMeans;

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        context.RequireTargets(Name);
        int features = context.Features;
        var means = context.Means();
        // Zeroing row i of the first layer's input kernel(s) is x[., ., i] = 0: it is done on the input, so any first
        // layer (a Bidirectional's two kernels, a Dropout before the recurrent layer) is handled alike.
        double[][] Loss(ulong[] masks) => ModelTasks.Map(context.Model, masks.Length, context.Threads, (worker, j) =>
        {
            ulong mask = masks[j];
            var x = worker.CopyOf(context.Inputs);
            for (int i = 0; i < features; i++)
                if ((mask & StepwiseSearch.Bit(i)) == 0)
                {
                    float value = useMeans ? means[i] : 0f;
                    for (int cell = i; cell < x.Length; cell += features) x[cell] = value;
                }
            return new[] { worker.Loss(x, context) };
        });
        var (scores, ranks, order) = StepwiseSearch.Backward(features, Loss);
        return ImportanceResult.FromRanks(Name, scores, ranks) with
        {
            ScoreMeaning = $"rise in {context.Loss.Name} at removal ({(useMeans ? "x = mean" : "weights = 0")})",
            Order = order,
        };
    }
}
