namespace Engine.Importance;

/// <summary>
/// Lek's (1996) profile with constant sequences. Each feature i is swept over <see cref="Points"/> evenly spaced
/// values from its minimum to its maximum in the evaluation set, while every other feature is held at one of five
/// levels (its min, Q1, median, Q3, max over all series and steps); every input is constant over the T steps. The
/// curve value is the model's mean output over the series' outputs. At each point the median over the five levels
/// gives Lek's curve; the score is its range, <c>max - min</c>. The curves are returned for plotting.
/// Cost: F x Points x 5 single-series forward passes (one batch per feature).
/// </summary>
public sealed class SensitivityAnalysis : IImportanceMethod
{
    public string Name => "sensitivity-analysis";
    public ImportanceNeeds Needs => ImportanceNeeds.None;
    public ImportanceRanking Ranking => ImportanceRanking.ByValue;

    /// <summary>Points of the sweep (Lek: 12).</summary>
    public int Points { get; init; } = 12;

    /// <summary>The quantiles that fix the other inputs: min, Q1, median, Q3, max.</summary>
    public static readonly double[] Levels = [0, 0.25, 0.5, 0.75, 1];

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        if (Points < 2)
            throw new InvalidOperationException($"{nameof(Points)} = {Points}: a profile needs at least 2 points");
        int features = context.Features, steps = context.Steps, levels = Levels.Length, series = Points * levels;
        var quantiles = new double[features][]; // per feature: its value at each level
        for (int i = 0; i < features; i++)
        {
            var column = new double[context.Inputs.Length / features];
            for (int r = 0; r < column.Length; r++) column[r] = context.Inputs[r * features + i];
            Array.Sort(column);
            quantiles[i] = Levels.Select(q => Quantile(column, q)).ToArray();
        }
        var curves = ModelTasks.Map(context.Model, features, context.Threads, (worker, i) =>
        {
            double low = quantiles[i][0], high = quantiles[i][^1];
            var values = Enumerable.Range(0, Points).Select(p => low + (high - low) * p / (Points - 1)).ToArray();
            // series (level, point), each constant over steps; all written
            var x = worker.Inputs(series * steps * features);
            for (int l = 0; l < levels; l++)
                for (int p = 0; p < Points; p++)
                    for (int t = 0; t < steps; t++)
                        for (int j = 0; j < features; j++)
                            x[((l * Points + p) * steps + t) * features
                              + j] = (float)(j == i ? values[p] : quantiles[j][l]);
            var y = worker.Predict(x, series, steps);
            int outputs = y.Length / series;
            var byLevel = new double[levels][];
            for (int l = 0; l < levels; l++)
            {
                byLevel[l] = new double[Points];
                for (int p = 0; p < Points; p++)
                {
                    double sum = 0;
                    for (int o = 0; o < outputs; o++) sum += y[(l * Points + p) * outputs + o];
                    byLevel[l][p] = sum / outputs;
                }
            }
            var median = new double[Points];
            for (int p = 0; p < Points; p++)
            {
                var atPoint = byLevel.Select(c => c[p]).Order().ToArray();
                median[p] = Quantile(atPoint, 0.5);
            }
            return new SensitivityCurve(i, values, byLevel, median);
        });
        var scores = curves.Select(c => c.Median.Max() - c.Median.Min()).ToArray();
        return ImportanceResult.FromScores(Name, scores) with
        {
            ScoreMeaning = "range of the median profile",
            Curves = curves
        };
    }

    /// <summary>Linear-interpolation quantile (type 7) of sorted values.</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int low = (int)Math.Floor(position), high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}
