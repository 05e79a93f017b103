using Engine.Models;

namespace Engine.Importance;

/// <summary>
/// Sundararajan et al.'s (2017) integrated gradients for the series' summed output F(x) = sum_p y_p(x):
/// <c>A[n, t, i] = (x - x')[n, t, i] * integral_0^1 dF/dx[n, t, i](x' + a (x - x')) da</c>, the integral by the
/// trapezoid rule on <see cref="Steps"/> intervals. The baseline x' is every feature's training mean at every step
/// (<see cref="ZeroBaseline"/>: zeros). Completeness: sum_{t,i} A[n, t, i] = F(x_n) - F(x'_n) up to the quadrature
/// error. The time map is <c>M[t, i] = mean_n |A[n, t, i]|</c>; the score is <c>sum_t M[t, i]</c>.
/// Cost: (Steps + 1) forward + backward passes over the set, spread over threads, summed in step order.
/// </summary>
public sealed class IntegratedGradients : IImportanceMethod
{
    public string Name => "integrated-gradients";

    /// <summary>Intervals of the trapezoid rule.</summary>
    public int Steps { get; init; } = 32;

    /// <summary>Use a zero baseline instead of the training means.</summary>
    public bool ZeroBaseline { get; init; }

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        int features = context.Features, steps = context.Steps, count = context.Count;
        var baseline = Baseline(context);
        var a = Attributions(context.Model, context.Inputs, baseline, count, steps, Steps, context.Threads);
        var timeMap = new double[steps, features];
        for (int n = 0; n < count; n++)
            for (int t = 0; t < steps; t++)
                for (int i = 0; i < features; i++) timeMap[t, i] += Math.Abs(a[(n * steps + t) * features + i]);
        PartialDerivatives.Scale(timeMap, 1.0 / count);
        var scores = new double[features];
        for (int t = 0; t < steps; t++)
            for (int i = 0; i < features; i++) scores[i] += timeMap[t, i];
        return ImportanceResult.FromScores(Name, scores) with
        {
            ScoreMeaning = ZeroBaseline ? "mean sum |attribution|, zero baseline" : "mean sum |attribution|, mean baseline",
            TimeMap = timeMap,
        };
    }

    /// <summary>The baseline series (N, T, F): the means (or zeros) at every step.</summary>
    public float[] Baseline(ImportanceContext context)
    {
        var baseline = new float[context.Inputs.Length];
        if (ZeroBaseline) return baseline;
        var means = context.Means();
        for (int j = 0; j < baseline.Length; j++) baseline[j] = means[j % means.Length];
        return baseline;
    }

    /// <summary>
    /// Attributions A (N, T, F) of the summed output of each series, from <paramref name="baseline"/> to
    /// <paramref name="inputs"/>, trapezoid rule on <paramref name="intervals"/> intervals.
    /// </summary>
    public static double[] Attributions(Sequential model, float[] inputs, float[] baseline, int count, int steps, int intervals, int threads = 1)
    {
        Check.Positive(intervals, nameof(intervals));
        if (baseline.Length != inputs.Length) throw new ArgumentException($"baseline has {baseline.Length} values but inputs have {inputs.Length}: they must match", nameof(baseline));
        var ones = new float[model.OutputsPerSeries(steps)];
        Array.Fill(ones, 1f);
        var gradients = ModelTasks.Map(model, intervals + 1, threads, (clone, k) =>
        {
            float alpha = (float)k / intervals;
            var x = new float[inputs.Length];
            for (int j = 0; j < x.Length; j++) x[j] = baseline[j] + alpha * (inputs[j] - baseline[j]);
            var g = new float[x.Length];
            Series.InputGradient(g, clone, x, count, steps, ones);
            return g;
        });
        var a = new double[inputs.Length];
        for (int k = 0; k <= intervals; k++)
        {
            double w = (k == 0 || k == intervals ? 0.5 : 1.0) / intervals;
            var g = gradients[k];
            for (int j = 0; j < a.Length; j++) a[j] += w * g[j];
        }
        for (int j = 0; j < a.Length; j++) a[j] *= (double)inputs[j] - baseline[j];
        return a;
    }
}
