using Engine.Models;
using Engine.Random;

namespace Engine.Importance;

/// <summary>
/// Sundararajan et al.'s (2017) integrated gradients for the series' summed output F(x) = sum_p y_p(x):
/// <c>A[n, t, i] = (x - x')[n, t, i] * integral_0^1 dF/dx[n, t, i](x' + a (x - x')) da</c>, the integral by the
/// trapezoid rule on m intervals. The baseline x' is <see cref="From"/>: every feature's training mean at every step
/// (default), its zero, or noise around the mean. Completeness: sum_{t,i} A[n, t, i] = F(x_n) - F(x'_n) up to the
/// quadrature error; the method starts at m = <see cref="Steps"/> and, while the relative gap
/// (<see cref="CompletenessGap.Gap"/>) exceeds <see cref="Tolerance"/>, raises m to
/// m' = m 2^ceil(log2(gap / tolerance) / 2) (the trapezoid rule's error on a smooth integrand falls as 1/m^2; a
/// kinked one, relu, takes more rounds), at least 2m and at most <see cref="MaxSteps"/>. The points of m intervals
/// are among those of m': only the new points are computed, their gradients added to the sums kept from before.
/// <see cref="ImportanceResult.Completeness"/> reports the gap and m, and the note says when the cap stopped it.
/// The time map is <c>M[t, i] = mean_n |A[n, t, i]|</c>; the score is <c>sum_t M[t, i]</c>. For sequence outputs
/// the lag map (<see cref="LagMap"/>) is <c>L[k, i] = sum_{tau - t = k} mean_n |A_tau[n, t, i]|</c>, A_tau the
/// attributions of output step tau's outputs at the final m.
/// Cost: one forward and one input-gradient backward pass (no weight gradients) over the set per integration point
/// (m + 1 points at the final m, whatever the rounds before), plus two predictions for the gap; with the lag map,
/// per point one forward and a backward pass per output step, each stopped at its step on a causal model (the
/// forward passes are shared: per block of 256 series and integration point one forward pass serves a group of
/// output steps, as many as fit in 4M doubles of buffers per worker: 14 for 48 steps x 12 features). The series run
/// in blocks of 256 (the batches of a pass over the set) spread over threads; each block adds its points in a fixed
/// order, so the results do not depend on the thread count. The lag map is summed per block, then over the blocks
/// in order.
/// </summary>
public sealed class IntegratedGradients : IImportanceMethod
{
    // Integration points are summed in this many fixed chunks (per series: each chunk's sum, then the chunks in order).
    private const int Chunks = 8;

    public string Name => "integrated-gradients";
    public ImportanceNeeds Needs => ImportanceNeeds.None;
    public ImportanceRanking Ranking => ImportanceRanking.ByValue;

    /// <summary>Intervals of the trapezoid rule to start with.</summary>
    public int Steps { get; init; } = 32;

    /// <summary>The most intervals the search for completeness may reach (the cap).</summary>
    public int MaxSteps { get; init; } = 512;

    /// <summary>The relative completeness gap to reach (0.01: 1% of |F(x) - F(x')|).</summary>
    public double Tolerance { get; init; } = 0.01;

    /// <summary>The baseline: training means (default), zeros, or noise.</summary>
    public IntegratedGradientsBaseline From { get; init; }

    /// <summary>
    /// With <see cref="IntegratedGradientsBaseline.Zero"/>: each feature's zero as the model sees it (for inputs
    /// standardised as (x - mean) / sd, -mean / sd); null: 0.
    /// </summary>
    public IReadOnlyList<float>? ZeroPoint { get; init; }

    /// <summary>
    /// For sequence outputs, also the lag map (on by default): it needs each output step's attributions apart, one
    /// backward pass per output step and integration point (T / 2 times the work of everything else on a causal
    /// model), at the number of intervals the search ended with. Off: <see cref="ImportanceResult.LagMap"/> is null
    /// and the scores and time map are unchanged.
    /// </summary>
    public bool LagMap { get; init; } = true;

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        var baseline = Baseline(context);
        var (total, gap) = Search(context.Model, context.Inputs, baseline, context.Count, context.Steps, null,
                                  context.Threads);
        int features = context.Features, steps = context.Steps, count = context.Count, per = steps * features;
        var timeMap = new double[steps, features];
        for (int n = 0; n < count; n++)
            for (int t = 0; t < steps; t++)
                for (int i = 0; i < features; i++) timeMap[t, i] += Math.Abs(total[n * per + t * features + i]) / count;
        var scores = new double[features];
        for (int t = 0; t < steps; t++)
            for (int i = 0; i < features; i++) scores[i] += timeMap[t, i];
        return ImportanceResult.FromScores(Name, scores) with
        {
            ScoreMeaning = $"mean sum |attribution|, {From.ToString().ToLowerInvariant()} baseline",
            TimeMap = timeMap,
            LagMap = context.Model.OutputsSequence && LagMap ? Lags(context, baseline, gap.Intervals) : null,
            Completeness = gap,
            Note = $"{Name}: {gap.Describe()}",
        };
    }

    /// <summary>
    /// The attributions A (N, T, F) of each series' weighted output sum_p w_p y_p (<paramref name="outputWeights"/>,
    /// one
    /// per output of a series) from <paramref name="baseline"/> to <paramref name="inputs"/>, with the step count
    /// raised as <see cref="Compute"/> raises it until the completeness gap of that output is within
    /// <see cref="Tolerance"/> (or m reaches <see cref="MaxSteps"/>): one prediction explained.
    /// </summary>
    public (double[] Attributions, CompletenessGap Gap) Explain(Sequential model, float[] inputs, float[] baseline,
                                                                int count, int steps,
                                                                float[] outputWeights, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Search(model, inputs, baseline, count, steps, outputWeights, threads);
    }

    // From Steps intervals on, the attributions at m intervals until the gap of F(x_n) = sum_p w_p y_{n,p} (w null:
    // all ones) is within the tolerance or m reaches MaxSteps; the attributions and gap of the last m tried. Each m is
    // a multiple of the one before (m 2^d, or the cap when that is one), so the gradient sums of the points already
    // computed are kept and only the new points are added (a cap that is not a multiple starts the sums afresh).
    private (double[] Attributions, CompletenessGap Gap) Search(Sequential model, float[] inputs, float[] baseline,
                                                                int count, int steps, float[]? outputWeights,
                                                                int threads)
    {
        Check.Positive(Steps, nameof(Steps));
        if (MaxSteps < Steps)
            throw new InvalidOperationException($"MaxSteps ({MaxSteps}) must be at least Steps ({Steps})");
        if (!(Tolerance >= 0)) throw new InvalidOperationException($"Tolerance must be >= 0, not {Tolerance}");
        var weights = CheckedWeights(model, inputs, baseline, count, steps, outputWeights);
        var f = ModelWorker.OutputSums(model, inputs, count, steps, outputWeights);
        var f0 = ModelWorker.OutputSums(model, baseline, count, steps, outputWeights);
        var sums = new double[inputs.Length];
        for (int intervals = Steps, done = 0; ;)
        {
            if (done > 0 && intervals % done != 0) { Array.Clear(sums); done = 0; }
            AddPoints(model, inputs, baseline, count, steps, weights, threads, sums, done, intervals);
            done = intervals;
            var a = Scaled(sums, inputs, baseline, intervals);
            var gap = Gap(a, f, f0, intervals);
            if (gap.Converged || intervals >= MaxSteps) return (a, gap);
            double doublings = Math.Ceiling(Math.Log2(gap.Gap / Tolerance) / 2);
            intervals = (int)Math.Min(MaxSteps, intervals * Math.Pow(2, Math.Clamp(doublings, 1, 30)));
        }

        CompletenessGap Gap(double[] total, double[] f, double[] f0, int intervals)
        {
            int per = total.Length / f.Length;
            double gap = 0, difference = 0;
            for (int n = 0; n < f.Length; n++)
            {
                double sum = 0;
                for (int j = 0; j < per; j++) sum += total[n * per + j];
                gap += Math.Abs(sum - (f[n] - f0[n]));
                difference += Math.Abs(f[n] - f0[n]);
            }
            return new CompletenessGap(gap == 0 ? 0 : gap / difference, difference / f.Length, intervals, Tolerance);
        }
    }

    // The lag map at m intervals: each output step tau's attributions A_tau from one backward pass per point,
    // L[k, i] = sum_{tau - t = k} mean_n |A_tau[n, t, i]|, summed per block of series, then over the blocks in order.
    private double[,] Lags(ImportanceContext context, float[] baseline, int intervals)
    {
        int features = context.Features, steps = context.Steps, count = context.Count, per = steps * features;
        int units = context.Model.OutputUnits, outputs = context.OutputsPerSeries;
        // Output weights, one set per output step tau: the outputs of step tau.
        var weights = new float[steps * outputs];
        for (int tau = 0; tau < steps; tau++) weights.AsSpan(tau * outputs + tau * units, units).Fill(1f);
        var lagParts = new double[(count + BlockSeries - 1) / BlockSeries][];
        StepAttributions(context.Model, context.Inputs, baseline, count, steps, intervals, weights, context.Threads,
                         BufferValues, (block, first, sets, _, b, a) =>
        {
            int length = b * per;
            var lag = lagParts[block] ??= new double[steps * features];
            for (int s = 0; s < sets; s++)
            {
                int tau = first + s;
                for (int n = 0; n < b; n++)
                    for (int t = 0; t <= tau; t++)
                        for (int i = 0; i < features; i++)
                            lag[(tau - t) * features
                                + i] += Math.Abs(a[s * length + n * per + t * features + i]) / count;
            }
        });
        var lagMap = new double[steps, features];
        foreach (var lag in lagParts)
            for (int k = 0; k < steps; k++)
                for (int i = 0; i < features; i++) lagMap[k, i] += lag[k * features + i];
        return lagMap;
    }

    /// <summary>The baseline series (N, T, F) of <see cref="From"/>.</summary>
    public float[] Baseline(ImportanceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int f = context.Features;
        var baseline = new float[context.Inputs.Length];
        switch (From)
        {
            case IntegratedGradientsBaseline.Zero:
                if (ZeroPoint is { } zero)
                {
                    if (zero.Count != f)
                        throw new ArgumentException($"ZeroPoint must hold F={f} values, but has {zero.Count}",
                                                    nameof(context));
                    for (int j = 0; j < baseline.Length; j++) baseline[j] = zero[j % f];
                }
                break;
            case IntegratedGradientsBaseline.Mean:
                var means = context.Means();
                for (int j = 0; j < baseline.Length; j++) baseline[j] = means[j % f];
                break;
            case IntegratedGradientsBaseline.Noise:
                var mean = context.Means();
                var sd = Deviations(context.Inputs, f);
                var random = new RandomSource(context.Seed).Fork(RandomStreams.IntegratedGradientsNoise);
                for (int j = 0; j < baseline.Length; j++) baseline[j] = mean[j % f] + sd[j % f] * random.NextGaussian();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(context), From, "unknown baseline");
        }
        return baseline;
    }

    // The sample SD (n - 1) of each feature over every series and step of (N, T, F) inputs; 0 for a single value.
    private static float[] Deviations(float[] inputs, int features)
    {
        long n = inputs.Length / features;
        var sum = new double[features];
        for (int j = 0; j < inputs.Length; j++) sum[j % features] += inputs[j];
        var squares = new double[features];
        for (int j = 0; j < inputs.Length; j++)
        {
            double d = inputs[j] - sum[j % features] / n;
            squares[j % features] += d * d;
        }
        return squares.Select(s => n > 1 ? (float)Math.Sqrt(s / (n - 1)) : 0f).ToArray();
    }

    /// <summary>
    /// Attributions A (N, T, F) of each series' weighted output sum_p w_p y_p (<paramref name="outputWeights"/>, one
    /// per output of a series; null: all ones) from <paramref name="baseline"/> to <paramref name="inputs"/>, by the
    /// trapezoid rule on <paramref name="intervals"/> intervals. The result does not depend on
    /// <paramref name="threads"/>.
    /// </summary>
    internal static double[] Attributions(Sequential model, float[] inputs, float[] baseline, int count, int steps,
                                        int intervals,
                                        float[]? outputWeights = null, int threads = 1)
    {
        Check.Positive(intervals, nameof(intervals));
        var weights = CheckedWeights(model, inputs, baseline, count, steps, outputWeights);
        var sums = new double[inputs.Length];
        AddPoints(model, inputs, baseline, count, steps, weights, threads, sums, 0, intervals);
        return Scaled(sums, inputs, baseline, intervals);
    }

    // The output weights (one per output of a series; null: all ones) after checking the arguments' lengths.
    private static float[] CheckedWeights(Sequential model, float[] inputs, float[] baseline, int count, int steps,
                                          float[]? outputWeights)
    {
        if (baseline.Length != inputs.Length)
            throw new ArgumentException($"baseline has {baseline.Length} values but inputs have {inputs.Length}: " +
                                        $"they must match", nameof(baseline));
        int outputs = model.OutputsPerSeries(steps);
        if (outputWeights is not null && outputWeights.Length != outputs)
            throw new ArgumentException($"output weights must hold {outputs} values (one per output of a series), " +
                                        $"but have {outputWeights.Length}", nameof(outputWeights));
        if (outputWeights is not null) return outputWeights;
        var ones = new float[outputs];
        Array.Fill(ones, 1f);
        return ones;
    }

    // A[j] = (x - x')[j] S[j] / m: the trapezoid rule's attributions from the gradient sums S of m intervals.
    private static double[] Scaled(double[] sums, float[] inputs, float[] baseline, int intervals)
    {
        var a = new double[sums.Length];
        for (int j = 0; j < a.Length; j++) a[j] = ((double)inputs[j] - baseline[j]) * sums[j] / intervals;
        return a;
    }

    // Raises the trapezoid sums S[n, t, i] = sum_k c_k dF_n/dx[n, t, i](x' + (k / m)(x - x')) (c_k = 1/2 at k = 0 and
    // k = m, 1 between; F_n = sum_p w_p y_{n,p}) from `from` intervals (0: no point yet) to `to`, a multiple of it: the
    // points k / to that are not points of `from` intervals (the others are, at the same float alpha) are added. The
    // series run in blocks of BlockSeries, in parallel; a block adds its points in increasing k, one forward and one
    // input-gradient backward pass each, so S does not depend on the thread count.
    private static void AddPoints(Sequential model, float[] inputs, float[] baseline, int count, int steps,
                                  float[] weights, int threads, double[] sums, int from, int to)
    {
        int per = inputs.Length / count, stride = from == 0 ? 0 : to / from;
        ModelTasks.For(model, (count + BlockSeries - 1) / BlockSeries, threads, (worker, block) =>
        {
            int start = block * BlockSeries, b = Math.Min(BlockSeries, count - start), length = b * per,
            offset = start * per;
            var x = worker.Inputs(length);
            for (int k = from == 0 ? 0 : 1; k <= to; k++)
            {
                if (stride != 0 && k % stride == 0) continue;
                float alpha = (float)k / to;
                for (int j = 0; j < length; j++)
                    x[j] = baseline[offset + j] + alpha * (inputs[offset + j] - baseline[offset + j]);
                double c = k == 0 || k == to ? 0.5 : 1.0;
                worker.InputGradients(x, b, steps, weights, (_, _, _, g) =>
                {
                    var s = sums.AsSpan(offset, length);
                    for (int j = 0; j < s.Length; j++) s[j] += c * g[j];
                }, batchSize: b);
            }
        });
    }

    // The series run in blocks of BlockSeries (the batches of one forward pass: a series' gradients depend on the batch
    // size, so the blocks are those of a pass over the whole set), the weight sets in groups whose buffers (two per
    // set)
    // hold at most BufferValues doubles.
    private const int BlockSeries = 256;

    /// <summary>Doubles a worker's attribution buffers may hold (the output steps are taken in groups that
    /// fit).</summary>
    internal long BufferValues { get; init; } = DefaultBufferValues;

    private const long DefaultBufferValues = 1 << 22;

    /// <summary>Receives the attributions A (sets, b, T, F) of weight sets [first, first + sets) for series [start,
    /// start + b).</summary>
    private delegate void BlockDone(int block, int first, int sets, int start, int b, double[] attributions);

    // The attributions of several weighted output sums (rows of weights, (sets, OutputsPerSeries)) for the lag map,
    // block by block of series
    // and group by group of sets: per block, group and integration point one forward pass, shared by the group's
    // backward passes. Per series and set the sums run in a fixed order: integration points k = c, c + Chunks, ...
    // summed per chunk c, the chunks added in order, then times (x - x'). Blocks run in parallel (one worker each);
    // a block hands its groups' attributions to done in order, on the worker's thread.
    private static void StepAttributions(Sequential model, float[] inputs, float[] baseline, int count, int steps,
                                         int intervals,
                                     float[] weights, int threads, long bufferValues, BlockDone done)
    {
        int per = inputs.Length / count, outputs = model.OutputsPerSeries(steps), sets = weights.Length / outputs;
        int group = (int)Math.Clamp(bufferValues / (2L * Math.Min(BlockSeries, count) * per), 1, sets),
        chunks = Math.Min(Chunks, intervals + 1);
        ModelTasks.For(model, (count + BlockSeries - 1) / BlockSeries, threads, (worker, block) =>
        {
            int start = block * BlockSeries, b = Math.Min(BlockSeries, count - start), length = b * per,
            offset = start * per;
            var buffer =
                worker.Sums(2L * group * length > int.MaxValue ? throw new InvalidOperationException("a block of " +
                    "series is too large")
                                                                      : 2 * group * length);
            var x = worker.Inputs(length);
            for (int first = 0; first < sets; first += group)
            {
                int n = Math.Min(group, sets - first), size = n * length;
                var groupWeights = weights.AsSpan(first * outputs, n * outputs);
                double w = 0;
                Array.Clear(buffer, 0, size); // A (n, b, T, F), then the current chunk's sums, same layout
                for (int c = 0; c < chunks; c++)
                {
                    Array.Clear(buffer, size, size);
                    for (int k = c; k <= intervals; k += chunks)
                    {
                        float alpha = (float)k / intervals;
                        for (int j = 0; j < length; j++)
                            x[j] = baseline[offset + j] + alpha * (inputs[offset + j] - baseline[offset + j]);
                        w = (k == 0 || k == intervals ? 0.5 : 1.0) / intervals;
                        worker.InputGradients(x, b, steps, groupWeights, (set, _, _, g) =>
                        {
                            int sum = size + set * length;
                            for (int j = 0; j < length; j++) buffer[sum + j] += w * g[j];
                        }, batchSize: b);
                    }
                    for (int j = 0; j < size; j++) buffer[j] += buffer[size + j];
                }
                for (int set = 0; set < n; set++)
                    for (int j = 0; j < length; j++)
                        buffer[set * length + j] *= (double)inputs[offset + j] - baseline[offset + j];
                done(block, first, n, start, b, buffer);
            }
        });
    }
}
