using Engine.Losses;

namespace Engine.Metrics;

/// <summary>
/// The metrics reported beside each loss, in the order they print: binary cross-entropy gets
/// <see cref="BinaryAccuracy"/> and <see cref="RocAuc"/>, mean squared error <see cref="MeanAbsoluteError"/> and
/// <see cref="RSquared"/>. Named MetricSets, not Metrics: inside the engine's namespaces that would mean the namespace.
/// </summary>
public static class MetricSets
{
    /// <summary>New instances of the metrics for <paramref name="loss"/> (an AUC keeps buffers).</summary>
    public static IReadOnlyList<IMetric> For(ILoss loss) => loss switch
    {
        BinaryCrossEntropy => [new BinaryAccuracy(), new RocAuc()],
        MeanSquaredError => [new MeanAbsoluteError(), new RSquared()],
        _ => throw new ArgumentException($"no metrics for the loss '{loss?.Name}'", nameof(loss)),
    };

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
