namespace Demo.Data;

/// <summary>One epoch of the training history kept in the model file.</summary>
public sealed record EpochLoss(int Epoch, float Loss, float? ValidationLoss)
{
    /// <summary>The training metrics by Keras name (accuracy, auc; mae, r2_score); absent in older files.</summary>
    public Dictionary<string, float>? Metrics { get; init; }

    /// <summary>The validation metrics by name; absent without validation and in older files.</summary>
    public Dictionary<string, float>? ValidationMetrics { get; init; }

    /// <summary>The record of one epoch's result.</summary>
    public static EpochLoss Of(Engine.Training.EpochResult e) =>
        new(e.Epoch, e.Loss, float.IsNaN(e.ValidationLoss) ? null : e.ValidationLoss)
        {
            Metrics = ByName(e.Metrics), ValidationMetrics = ByName(e.ValidationMetrics),
        };

    private static Dictionary<string, float>? ByName(IReadOnlyList<Engine.Metrics.MetricValue> metrics) =>
        metrics.Count == 0 ? null : metrics.ToDictionary(m => m.Name, m => (float)m.Value);
}
