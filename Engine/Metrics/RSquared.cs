namespace Engine.Metrics;

/// <summary>
/// The coefficient of determination, Keras' <c>r2_score</c> (R2Score, no sample weights, one output):
/// <c>R^2 = 1 - SS_res / SS_tot</c>, <c>SS_res = sum_i (y_i - p_i)^2</c>, <c>SS_tot = sum_i (y_i - ybar)^2</c>,
/// <c>ybar = (1/n) sum_i y_i</c>, in double (two passes). 1 is a perfect fit, 0 predicts no better than the targets'
/// mean, below 0 worse. NaN when SS_tot = 0 (constant targets: undefined).
/// </summary>
public sealed class RSquared : IMetric
{
    public string Name => "r2_score";

    public double Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        double residual = Residual(prediction, target, 0);
        return prediction.Length == 0 ? double.NaN : FromSums(residual, Total(target));
    }

    /// <summary><paramref name="sum"/> + SS_res, added in order.</summary>
    internal static double Residual(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, double sum)
    {
        Check.SameLength(prediction, target, nameof(prediction), nameof(target));
        for (int i = 0; i < target.Length; i++)
        {
            double e = (double)target[i] - prediction[i];
            sum += e * e;
        }
        return sum;
    }

    /// <summary>SS_tot of the targets (two passes: the mean, then the squares).</summary>
    internal static double Total(ReadOnlySpan<float> target)
    {
        double mean = 0;
        for (int i = 0; i < target.Length; i++) mean += target[i];
        mean /= target.Length;
        double total = 0;
        for (int i = 0; i < target.Length; i++)
        {
            double d = target[i] - mean;
            total += d * d;
        }
        return total;
    }

    /// <summary>1 - SS_res / SS_tot, NaN when SS_tot is 0.</summary>
    internal static double FromSums(double residual, double total) => total > 0 ? 1 - residual / total : double.NaN;
}
