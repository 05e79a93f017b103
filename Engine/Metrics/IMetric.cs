namespace Engine.Metrics;

/// <summary>
/// A quality measure of predictions against targets, computed over all the pairs at once (an epoch's collected
/// training predictions, or a whole validation set), as Keras reports it beside the loss.
/// </summary>
public interface IMetric
{
    /// <summary>Keras' name, as Keras prints it: <c>accuracy</c>, <c>auc</c>, <c>mae</c>, <c>r2_score</c>.</summary>
    string Name { get; }

    /// <summary>The metric over every pair (prediction[i], target[i]); NaN where it is undefined.</summary>
    double Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target);
}
