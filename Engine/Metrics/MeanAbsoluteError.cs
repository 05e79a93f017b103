namespace Engine.Metrics;

/// <summary>Keras' <c>mae</c>: <c>MAE = (1/n) sum_i |p_i - y_i|</c>, summed in double.</summary>
public sealed class MeanAbsoluteError : IMetric
{
    public string Name => "mae";

    public double Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        double sum = Sum(prediction, target, 0);
        return prediction.Length == 0 ? double.NaN : sum / prediction.Length;
    }

    /// <summary><paramref name="sum"/> + sum_i |p_i - y_i|, added in order.</summary>
    internal static double Sum(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, double sum)
    {
        Check.SameLength(prediction, target, nameof(prediction), nameof(target));
        for (int i = 0; i < prediction.Length; i++) sum += Math.Abs((double)prediction[i] - target[i]);
        return sum;
    }
}
