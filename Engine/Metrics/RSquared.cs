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
        Check.SameLength(prediction, target, nameof(prediction), nameof(target));
        if (prediction.Length == 0) return double.NaN;
        double mean = 0;
        for (int i = 0; i < target.Length; i++) mean += target[i];
        mean /= target.Length;
        double residual = 0, total = 0;
        for (int i = 0; i < target.Length; i++)
        {
            double e = (double)target[i] - prediction[i], d = target[i] - mean;
            residual += e * e;
            total += d * d;
        }
        return total > 0 ? 1 - residual / total : double.NaN;
    }
}
