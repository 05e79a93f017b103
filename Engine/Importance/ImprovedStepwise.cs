namespace Engine.Importance;

/// <summary>
/// Gevrey et al.'s (2003) improved stepwise methods: one trained network, inputs removed without retraining,
/// backward elimination (remove the input whose removal raises the loss least, repeat on the rest). Method a
/// (improved-stepwise-1): remove input i by zeroing row i of the first layer's kernel in all four gate blocks, the
/// same as x[., ., i] = 0 at every step. Method b (improved-stepwise-2): replace x[., ., i] by feature i's training
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
        var original = context.Model.Parameters;
        double[][] Loss(ulong[] masks) => ModelTasks.Map(context.Model, masks.Length, context.Threads, (worker, j) =>
        {
            ulong mask = masks[j];
            if (useMeans)
            {
                var x = worker.CopyOf(context.Inputs);
                for (int i = 0; i < features; i++)
                    if ((mask & StepwiseSearch.Bit(i)) == 0)
                        for (int cell = i; cell < x.Length; cell += features) x[cell] = means[i];
                return new[] { worker.Loss(x, context) };
            }
            var model = worker.Model;
            original.CopyTo(model.Parameters, 0);
            var kernel = model.Tensor(0, "kernel"); // (F, width): width = 4H for an LSTM, O for a Dense layer
            int width = kernel.Length / features;
            for (int i = 0; i < features; i++)
                if ((mask & StepwiseSearch.Bit(i)) == 0) kernel.Slice(i * width, width).Clear();
            return new[] { worker.Loss(context.Inputs, context) };
        });
        var (scores, ranks, order) = StepwiseSearch.Backward(features, Loss);
        return ImportanceResult.FromRanks(Name, scores, ranks) with
        {
            ScoreMeaning = $"rise in {context.Loss.Name} at removal ({(useMeans ? "x = mean" : "weights = 0")})",
            Order = order,
        };
    }
}
