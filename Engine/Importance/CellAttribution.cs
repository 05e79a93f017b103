using Engine.Models;
using Engine.Random;

namespace Engine.Importance;

/// <summary>
/// One prediction explained cell by cell: signed time x feature attributions A[t, i] of one series' weighted output
/// F(x) = sum_p w_p y_p(x) (w one-hot on the explained output) by changing one input cell (t, i) at a time and
/// measuring how F moves. A positive A[t, i] says the cell's value raised F. (Integrated gradients' version is
/// <see cref="IntegratedGradients.Explain"/>.)
/// </summary>
public static class CellAttribution
{
    /// <summary>
    /// Occlusion: <c>A[t, i] = F(x) - F(x with x[t, i] = b_i)</c>, b the baseline value of each feature (training means
    /// in the demo). One prediction of T F copies of the series.
    /// </summary>
    public static double[] Occlusion(Sequential model, ReadOnlySpan<float> series, int steps,
                                     IReadOnlyList<float> baseline,
                                     float[] outputWeights)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(baseline);
        int features = model.InputFeatures, per = steps * features;
        Shapes(model, series.Length, steps, outputWeights);
        if (baseline.Count != features)
            throw new ArgumentException($"baseline must hold F={features} values, but has {baseline.Count}",
                                        nameof(baseline));
        var copies = new float[(per + 1) * per]; // copy 0: the series itself; copy 1 + c: cell c occluded
        for (int c = 0; c <= per; c++)
        {
            series.CopyTo(copies.AsSpan(c * per, per));
            if (c > 0) copies[c * per + c - 1] = baseline[(c - 1) % features];
        }
        var f = ModelWorker.OutputSums(model, copies, per + 1, steps, outputWeights);
        var a = new double[per];
        for (int c = 0; c < per; c++) a[c] = f[0] - f[c + 1];
        return a;
    }

    /// <summary>
    /// Permutation: <c>A[t, i] = F(x_s) - (1/R) sum_r F(x_s with x_s[t, i] = x_{d_r}[t, i])</c> for series s of the set
    /// (N, T, F), the donors d_r drawn uniformly from the other series by <c>new RandomSource(seed).Fork(t F + i)</c>,
    /// r &lt; <paramref name="repeats"/>: how far the cell's own value moves F from what a typical value of that
    /// feature
    /// at that step gives. One prediction of T F R copies of the series.
    /// </summary>
    public static double[] Permutation(Sequential model, float[] inputs, int count, int steps, int series,
                                       float[] outputWeights,
                                       int repeats, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        int features = model.InputFeatures, per = steps * features;
        if (count < 2)
            throw new ArgumentException("permutation needs at least two series (donors of other values)",
                                        nameof(count));
        if ((long)count * per != inputs.Length)
            throw new ArgumentException($"inputs must hold (N={count}, T={steps}, F={features}) values",
                                        nameof(inputs));
        ArgumentOutOfRangeException.ThrowIfNegative(series);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(series, count);
        Check.Positive(repeats, nameof(repeats));
        Shapes(model, per, steps, outputWeights);
        var own = inputs.AsSpan(series * per, per);
        var copies = new float[(1 + (long)per * repeats) * per is var n
                               && n <= Array.MaxLength ? (int)n : throw new ArgumentException("too many cells x " +
                                   "repeats", nameof(repeats))];
        own.CopyTo(copies);
        for (int c = 0; c < per; c++)
        {
            var random = new RandomSource(seed).Fork((ulong)c);
            for (int r = 0; r < repeats; r++)
            {
                int copy = 1 + c * repeats + r, donor = random.NextInt(count - 1);
                if (donor >= series) donor++;
                own.CopyTo(copies.AsSpan(copy * per, per));
                copies[copy * per + c] = inputs[donor * per + c];
            }
        }
        var f = ModelWorker.OutputSums(model, copies, 1 + per * repeats, steps, outputWeights);
        var a = new double[per];
        for (int c = 0; c < per; c++)
        {
            double mean = 0;
            for (int r = 0; r < repeats; r++) mean += f[1 + c * repeats + r];
            a[c] = f[0] - mean / repeats;
        }
        return a;
    }

    private static void Shapes(Sequential model, int length, int steps, float[] outputWeights)
    {
        ArgumentNullException.ThrowIfNull(outputWeights);
        Check.Positive(steps, nameof(steps));
        if (length != steps * model.InputFeatures)
            throw new ArgumentException($"a series must hold (T={steps}, F={model.InputFeatures}) values, but has " +
                                        $"{length}", nameof(length));
        if (outputWeights.Length != model.OutputsPerSeries(steps))
            throw new ArgumentException($"output weights must hold {model.OutputsPerSeries(steps)} values, but have " +
                                        $"{outputWeights.Length}", nameof(outputWeights));
    }
}
