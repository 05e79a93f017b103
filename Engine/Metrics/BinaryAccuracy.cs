namespace Engine.Metrics;

/// <summary>
/// Keras' <c>binary_accuracy</c> with threshold 0.5: the share of pairs whose thresholded prediction equals the
/// target, <c>accuracy = (1/n) sum_i [ (p_i &gt; 0.5 ? 1 : 0) == y_i ]</c>. A prediction of exactly 0.5 counts as 0,
/// as in Keras; a target other than 0 or 1 never matches.
/// </summary>
public sealed class BinaryAccuracy : IMetric
{
    /// <summary>Predictions above this count as class 1.</summary>
    public const float Threshold = 0.5f;

    public string Name => "accuracy";

    public double Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        int correct = Correct(prediction, target);
        return prediction.Length == 0 ? double.NaN : (double)correct / prediction.Length;
    }

    /// <summary>The pairs whose thresholded prediction equals the target.</summary>
    internal static int Correct(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        Check.SameLength(prediction, target, nameof(prediction), nameof(target));
        int correct = 0;
        for (int i = 0; i < prediction.Length; i++)
            if ((prediction[i] > Threshold ? 1f : 0f) == target[i]) correct++;
        return correct;
    }
}
