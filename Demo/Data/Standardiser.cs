namespace Demo.Data;

/// <summary>Per-feature standardisation with the training data's mean and SD (population SD; a constant feature gets SD
/// 1).</summary>
public static class Standardiser
{
    /// <summary>Mean and SD of each feature over all series and steps of (N, T, F) inputs.</summary>
    public static (float[] Mean, float[] Sd) Fit(float[] inputs, int features) =>
        Fit(inputs.Length / features, features, (r, j) => inputs[r * features + j]);

    /// <summary>
    /// Mean and SD of each feature over <paramref name="rows"/> rows whose cells <paramref name="cell"/> gives (row,
    /// feature): mean_j = sum_r x_rj / rows and sd_j = sqrt(sum_r (x_rj - mean_j)^2 / rows), summed in double in row
    /// order; an SD of at most 1e-12 becomes 1.
    /// </summary>
    public static (float[] Mean, float[] Sd) Fit(long rows, int features, Func<long, int, float> cell)
    {
        var sum = new double[features];
        var sq = new double[features];
        for (long r = 0; r < rows; r++)
            for (int j = 0; j < features; j++) sum[j] += cell(r, j);
        var mean = new float[features];
        for (int j = 0; j < features; j++) mean[j] = (float)(sum[j] / rows);
        for (long r = 0; r < rows; r++)
            for (int j = 0; j < features; j++) { double d = cell(r, j) - mean[j]; sq[j] += d * d; }
        var sd = new float[features];
        for (int j = 0; j < features; j++)
        {
            float s = (float)Math.Sqrt(sq[j] / rows);
            sd[j] = s > 1e-12f ? s : 1f;
        }
        return (mean, sd);
    }

    /// <summary>x' = (x - mean) / sd in place, feature by feature.</summary>
    public static void Apply(Span<float> inputs, ReadOnlySpan<float> mean, ReadOnlySpan<float> sd)
    {
        int f = mean.Length;
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (inputs[i] - mean[i % f]) / sd[i % f];
    }
}
