using Engine.Models;

namespace Engine.Importance;

/// <summary>
/// Sundararajan et al.'s (2017) integrated gradients for the series' summed output F(x) = sum_p y_p(x):
/// <c>A[n, t, i] = (x - x')[n, t, i] * integral_0^1 dF/dx[n, t, i](x' + a (x - x')) da</c>, the integral by the
/// trapezoid rule on <see cref="Steps"/> intervals. The baseline x' is every feature's training mean at every step
/// (<see cref="ZeroBaseline"/>: zeros). Completeness: sum_{t,i} A[n, t, i] = F(x_n) - F(x'_n) up to the quadrature
/// error. The time map is <c>M[t, i] = mean_n |A[n, t, i]|</c>; the score is <c>sum_t M[t, i]</c>. For sequence
/// outputs A is the sum over output steps tau of the attributions A_tau of each step's outputs, and the lag map is
/// <c>L[k, i] = sum_{tau - t = k} mean_n |A_tau[n, t, i]|</c>.
/// Cost: (Steps + 1) forward + backward passes over the set per output step (one group for a last-step output),
/// spread over threads in a fixed number of chunks of integration points, summed in chunk order.
/// </summary>
public sealed class IntegratedGradients : IImportanceMethod
{
    // Integration points are summed in this many fixed chunks, whatever the thread count, so sums are reproducible.
    private const int Chunks = 8;

    public string Name => "integrated-gradients";
    public ImportanceNeeds Needs => ImportanceNeeds.None;
    public ImportanceRanking Ranking => ImportanceRanking.ByValue;

    /// <summary>Intervals of the trapezoid rule.</summary>
    public int Steps { get; init; } = 32;

    /// <summary>Use a zero baseline instead of the training means.</summary>
    public bool ZeroBaseline { get; init; }

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        Check.Positive(Steps, nameof(Steps));
        int features = context.Features, steps = context.Steps, count = context.Count, per = steps * features;
        var model = context.Model;
        bool sequence = model.OutputsSequence;
        int groups = sequence ? steps : 1, units = model.OutputUnits;
        var baseline = Baseline(context);
        var total = new double[context.Inputs.Length];
        var lagMap = sequence ? new double[steps, features] : null;
        // Buffers reused over the output steps: weights, attributions, the chunks' partial sums.
        var weights = new float[context.OutputsPerSeries];
        var a = new double[context.Inputs.Length];
        var partial = new double[Math.Min(Chunks, Steps + 1)][];
        for (int tau = 0; tau < groups; tau++)
        {
            // Output weights: the outputs of step tau (a sequence output) or every output.
            if (sequence) { Array.Clear(weights); weights.AsSpan(tau * units, units).Fill(1f); }
            else Array.Fill(weights, 1f);
            Attributions(a, partial, model, context.Inputs, baseline, count, steps, Steps, weights, context.Threads);
            for (int j = 0; j < a.Length; j++) total[j] += a[j];
            if (lagMap is null) continue;
            for (int n = 0; n < count; n++)
                for (int t = 0; t <= tau; t++)
                    for (int i = 0; i < features; i++) lagMap[tau - t, i] += Math.Abs(a[n * per + t * features + i]) / count;
        }
        var timeMap = new double[steps, features];
        for (int n = 0; n < count; n++)
            for (int t = 0; t < steps; t++)
                for (int i = 0; i < features; i++) timeMap[t, i] += Math.Abs(total[n * per + t * features + i]) / count;
        var scores = new double[features];
        for (int t = 0; t < steps; t++)
            for (int i = 0; i < features; i++) scores[i] += timeMap[t, i];
        return ImportanceResult.FromScores(Name, scores) with
        {
            ScoreMeaning = ZeroBaseline ? "mean sum |attribution|, zero baseline" : "mean sum |attribution|, mean baseline",
            TimeMap = timeMap,
            LagMap = lagMap,
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
    /// Attributions A (N, T, F) of each series' weighted output sum_p w_p y_p (<paramref name="outputWeights"/>, one
    /// per output of a series; null: all ones) from <paramref name="baseline"/> to <paramref name="inputs"/>, by the
    /// trapezoid rule on <paramref name="intervals"/> intervals. The result does not depend on <paramref name="threads"/>.
    /// </summary>
    public static double[] Attributions(Sequential model, float[] inputs, float[] baseline, int count, int steps, int intervals,
                                        float[]? outputWeights = null, int threads = 1)
    {
        Check.Positive(intervals, nameof(intervals));
        if (baseline.Length != inputs.Length) throw new ArgumentException($"baseline has {baseline.Length} values but inputs have {inputs.Length}: they must match", nameof(baseline));
        int outputs = model.OutputsPerSeries(steps);
        if (outputWeights is not null && outputWeights.Length != outputs)
            throw new ArgumentException($"output weights must hold {outputs} values (one per output of a series), but have {outputWeights.Length}", nameof(outputWeights));
        if (outputWeights is null) { outputWeights = new float[outputs]; Array.Fill(outputWeights, 1f); }
        var a = new double[inputs.Length];
        Attributions(a, new double[Math.Min(Chunks, intervals + 1)][], model, inputs, baseline, count, steps, intervals, outputWeights, threads);
        return a;
    }

    // a = the attributions, as above. partial holds one sum per chunk of integration points (allocated on first use,
    // reused after, so a run over many output steps allocates them once); they are added in chunk order. One thread
    // runs the chunks in that order anyway, so it adds each into a as soon as it is done, from one worker buffer.
    private static void Attributions(double[] a, double[]?[] partial, Sequential model, float[] inputs, float[] baseline, int count, int steps,
                                     int intervals, float[] outputWeights, int threads)
    {
        int chunks = partial.Length;
        Array.Clear(a);
        if (threads <= 1 || chunks <= 1)
        {
            var worker = ModelWorker.Rent(model);
            var sum = worker.Sums(inputs.Length);
            for (int c = 0; c < chunks; c++)
            {
                Chunk(sum, worker, c);
                for (int j = 0; j < a.Length; j++) a[j] += sum[j];
            }
            worker.Return();
        }
        else
        {
            ModelTasks.For(model, chunks, threads, (worker, c) => Chunk(partial[c] ??= new double[inputs.Length], worker, c));
            foreach (var sum in partial)
                for (int j = 0; j < a.Length; j++) a[j] += sum![j];
        }
        for (int j = 0; j < a.Length; j++) a[j] *= (double)inputs[j] - baseline[j];

        // sum = the trapezoid-weighted gradients at the integration points k = c, c + chunks, ...
        void Chunk(Span<double> sum, ModelWorker worker, int c)
        {
            sum.Clear();
            var x = worker.Inputs(inputs.Length);
            var g = worker.Gradient(inputs.Length);
            for (int k = c; k <= intervals; k += chunks)
            {
                float alpha = (float)k / intervals;
                for (int j = 0; j < x.Length; j++) x[j] = baseline[j] + alpha * (inputs[j] - baseline[j]);
                worker.InputGradient(g, x, count, steps, outputWeights);
                double w = (k == 0 || k == intervals ? 0.5 : 1.0) / intervals;
                for (int j = 0; j < sum.Length; j++) sum[j] += w * g[j];
            }
        }
    }
}
