using Engine.Models;

namespace Engine.Importance;

/// <summary>
/// Dimopoulos' partial derivatives (PaD) by backpropagation through time. For each output p of a series (step tau,
/// unit o) one backward pass gives the Jacobian slice <c>J[n, p, t, i] = d y_{n,p} / d x_{n,t,i}</c> for every series
/// at once (series are independent, so a one-hot dOutput per series suffices). Then
/// <c>SSD_i = sum_{n,p,t} J^2</c> and the score is the share <c>SSD_i / sum_i' SSD_i'</c>. The time map is
/// <c>M[t, i] = sum_{n,p} J^2 / sum SSD</c> (by input step); for sequence outputs the lag map is the same sum over
/// lag k = tau - t (a causal LSTM gives no weight to k &lt; 0). Cost: OutputsPerSeries backward passes and one forward
/// pass per thread (each thread takes a contiguous group of outputs and shares every batch's forward pass between them;
/// on a causal model an output's backward pass stops at its step), reduced in output order.
/// </summary>
public sealed class PartialDerivatives : IImportanceMethod
{
    public string Name => "partial-derivatives";
    public ImportanceNeeds Needs => ImportanceNeeds.None;
    public ImportanceRanking Ranking => ImportanceRanking.ByValue;

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        int features = context.Features, steps = context.Steps, outputs = context.OutputsPerSeries,
        units = context.Model.OutputUnits;
        bool sequence = context.Model.OutputsSequence;
        // Per output p: (T, F) sums of J^2 by input step, each over the series in order. The outputs are split into one
        // contiguous group per thread; a group shares each batch's forward pass between its outputs' backward passes. A
        // p's sums do not depend on the grouping, so the results do not depend on the thread count.
        var perOutput = new double[outputs][];
        for (int p = 0; p < outputs; p++) perOutput[p] = new double[steps * features];
        int groups = Math.Min(outputs, context.Threads);
        ModelTasks.For(context.Model, groups, context.Threads, (worker, group) =>
        {
            int first = (int)((long)group * outputs / groups), end = (int)((long)(group + 1) * outputs / groups);
            var oneHot = new float[(end - first) * outputs];
            for (int p = first; p < end; p++) oneHot[(p - first) * outputs + p] = 1;
            worker.InputGradients(context.Inputs, context.Count, steps, oneHot, (j, _, batch, jacobian) =>
            {
                var byStep = perOutput[first + j];
                for (int n = 0; n < batch; n++)
                    for (int t = 0; t < steps; t++)
                        for (int i = 0; i < features; i++)
                        {
                            double d = jacobian[(n * steps + t) * features + i];
                            byStep[t * features + i] += d * d;
                        }
            });
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
    internal static float[] Jacobian(Sequential model, ReadOnlySpan<float> inputs, int count, int steps, int output)
    {
        int outputs = model.OutputsPerSeries(steps);
        if ((uint)output >= (uint)outputs)
            throw new ArgumentOutOfRangeException(nameof(output), output, $"output must be in [0, {outputs})");
        var jacobian = new float[inputs.Length];
        var oneHot = new float[outputs];
        oneHot[output] = 1;
        int perIn = inputs.Length / count;
        var worker = ModelWorker.Rent(model);
        worker.InputGradients(inputs, count, steps, oneHot, (_, start, _, g) =>
            g.CopyTo(jacobian.AsSpan(start * perIn)));
        worker.Return();
        return jacobian;
    }

    internal static void Scale(double[,] m, double factor)
    {
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++) m[i, j] *= factor;
    }
}
