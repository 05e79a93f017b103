using Engine.Losses;

namespace Engine.Metrics;

/// <summary>
/// The metrics reported beside each loss, in the order they print: binary cross-entropy gets
/// <see cref="BinaryAccuracy"/> and <see cref="RocAuc"/>, mean squared error <see cref="MeanAbsoluteError"/> and
/// <see cref="RSquared"/>, categorical cross-entropy <see cref="CategoricalAccuracy"/>. Named MetricSets, not Metrics:
/// inside the engine's namespaces that would mean the namespace.
/// </summary>
public static class MetricSets
{
    /// <summary>New instances of the metrics for <paramref name="loss"/> (an AUC keeps buffers).</summary>
    public static IReadOnlyList<IMetric> For(ILoss loss) => loss switch
    {
        BinaryCrossEntropy => [new BinaryAccuracy(), new RocAuc()],
        MeanSquaredError => [new MeanAbsoluteError(), new RSquared()],
        CategoricalCrossEntropy c => [new CategoricalAccuracy(c.Classes)],
        _ => throw new ArgumentException($"no metrics for the loss '{loss?.Name}'", nameof(loss)),
    };

    /// <summary>
    /// The metrics of each output when a model has several (<paramref name="outputNames"/>, one per output; none for
    /// one output), named <c>metric[output]</c>: for categorical cross-entropy each class's recall
    /// (<see cref="ClassRecall"/>, <c>recall[rain]</c>), otherwise <see cref="For"/>'s metrics over each output's
    /// column (<see cref="OutputMetric"/>: <c>mae[a]</c>, <c>r2_score[a]</c>, <c>mae[b]</c>, ...).
    /// </summary>
    public static IReadOnlyList<IMetric> PerOutput(ILoss loss, IReadOnlyList<string> outputNames)
    {
        ArgumentNullException.ThrowIfNull(outputNames);
        int k = outputNames.Count;
        if (k < 2) return [];
        if (loss is CategoricalCrossEntropy c)
        {
            if (c.Classes != k)
                throw new ArgumentException($"{k} class names for {c.Classes} classes", nameof(outputNames));
            return [.. outputNames.Select((name, j) => new ClassRecall(k, j, $"recall[{name}]"))];
        }
        return [.. outputNames.SelectMany((name, j) =>
            For(loss).Select(m => (IMetric)new OutputMetric(m, k, j, $"{m.Name}[{name}]")))];
    }

    /// <summary>Each metric of <paramref name="metrics"/> over the pairs, in order.</summary>
    public static MetricValue[] Compute(IReadOnlyList<IMetric> metrics, ReadOnlySpan<float> prediction,
        ReadOnlySpan<float> target)
    {
        var values = new MetricValue[metrics.Count];
        for (int k = 0; k < values.Length; k++)
            values[k] = new MetricValue(metrics[k].Name, metrics[k].Compute(prediction, target));
        return values;
    }
}
