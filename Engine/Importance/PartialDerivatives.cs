using Engine.Models;

namespace Engine.Importance;

/// <summary>
/// Dimopoulos' partial derivatives (PaD) by backpropagation through time. For each output p of a series (step tau,
/// unit o) one backward pass gives the Jacobian slice <c>J[n, p, t, i] = d y_{n,p} / d x_{n,t,i}</c> for every series
/// at once (series are independent, so a one-hot dOutput per series suffices). Then
/// <c>SSD_i = sum_{n,p,t} J^2</c> and the score is the share <c>SSD_i / sum_i' SSD_i'</c>. The time map is
/// <c>M[t, i] = sum_{n,p} J^2 / sum SSD</c> (by input step); for sequence outputs the lag map is the same sum over
/// lag k = tau - t (a causal LSTM gives no weight to k &lt; 0). Cost: OutputsPerSeries forward + backward passes,
/// spread over threads (one clone each), reduced in output order.
/// </summary>
public sealed class PartialDerivatives : IImportanceMethod
{
    public string Name => "partial-derivatives";
    public ImportanceNeeds Needs => ImportanceNeeds.None;
    public ImportanceRanking Ranking => ImportanceRanking.ByValue;

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        int features = context.Features, steps = context.Steps, outputs = context.OutputsPerSeries, units = context.Model.OutputUnits;
        bool sequence = context.Model.OutputsSequence;
        // Per output p: (T, F) sums of J^2 by input step, and (T, F) by lag.
        var perOutput = ModelTasks.Map(context.Model, outputs, context.Threads, (worker, p) =>
        {
            var jacobian = worker.Gradient(context.Inputs.Length);
            worker.InputGradient(jacobian, context.Inputs, context.Count, steps, worker.OneHot(outputs, p));
            var byStep = new double[steps * features];
            for (int n = 0; n < context.Count; n++)
                for (int t = 0; t < steps; t++)
                    for (int i = 0; i < features; i++)
                    {
                        double d = jacobian[(n * steps + t) * features + i];
                        byStep[t * features + i] += d * d;
                    }
            return byStep;
        });
        var timeMap = new double[steps, features];
        var lagMap = sequence ? new double[steps, features] : null;
        var ssd = new double[features];
        for (int p = 0; p < outputs; p++)
        {
            int tau = p / units;
            for (int t = 0; t < steps; t++)
                for (int i = 0; i < features; i++)
                {
                    double v = perOutput[p][t * features + i];
                    timeMap[t, i] += v;
                    ssd[i] += v;
                    if (lagMap is not null && tau >= t) lagMap[tau - t, i] += v;
                }
        }
        double total = ssd.Sum();
        if (total > 0)
        {
            Scale(timeMap, 1 / total);
            if (lagMap is not null) Scale(lagMap, 1 / total);
        }
        return ImportanceResult.FromScores(Name, ImportanceStatistics.Shares(ssd)) with
        {
            ScoreMeaning = "share of sum (dy/dx)^2",
            TimeMap = timeMap,
            LagMap = lagMap,
        };
    }

    /// <summary>
    /// <c>J[n, t, i] = d y_{n,output} / d x_{n,t,i}</c>, (N, T, F), for output <paramref name="output"/> of each series
    /// (index tau * O + o for sequence outputs). Runs forward and backward on a clone of <paramref name="model"/>.
    /// </summary>
    public static float[] Jacobian(Sequential model, ReadOnlySpan<float> inputs, int count, int steps, int output)
    {
        int outputs = model.OutputsPerSeries(steps);
        if ((uint)output >= (uint)outputs) throw new ArgumentOutOfRangeException(nameof(output), output, $"output must be in [0, {outputs})");
        var jacobian = new float[inputs.Length];
        var worker = ModelWorker.Rent(model);
        worker.InputGradient(jacobian, inputs, count, steps, worker.OneHot(outputs, output));
        worker.Return();
        return jacobian;
    }

    internal static void Scale(double[,] m, double factor)
    {
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++) m[i, j] *= factor;
    }
}
