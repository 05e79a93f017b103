namespace Engine.Metrics;

/// <summary>Keras' <c>mae</c>: <c>MAE = (1/n) sum_i |p_i - y_i|</c>, summed in double.</summary>
public sealed class MeanAbsoluteError : IMetric
{
    public string Name => "mae";

    public double Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        Check.SameLength(prediction, target, nameof(prediction), nameof(target));
        if (prediction.Length == 0) return double.NaN;
        double sum = 0;
        for (int i = 0; i < prediction.Length; i++) sum += Math.Abs((double)prediction[i] - target[i]);
        return sum / prediction.Length;
    }
}
