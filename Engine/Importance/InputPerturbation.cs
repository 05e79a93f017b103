using Engine.Models;
using Engine.Random;

namespace Engine.Importance;

/// <summary>
/// Input perturbation (Scardi &amp; Harding), the reference demo's method. Noise (default): for each feature i and
/// repeat r, add N(0, sigma^2) noise to x[., ., i] at every step of every series, predict, and score
/// <c>sqrt(mean((f(x') - f(x))^2))</c>, the RMS change of every output; the score is the mean over repeats.
/// Repeat 0 of feature i draws from <c>new RandomSource(Seed).Fork(i)</c>, exactly as the reference did, and repeat
/// r &gt; 0 from <c>...Fork(i).Fork(r)</c>. Scaling variant (<see cref="Scale"/> set): x_i &lt;- x_i (1 + p), same
/// score, deterministic (one evaluation). With <see cref="TimeResolved"/>, the same perturbation of one step t of
/// feature i at a time gives the time map <c>M[t, i]</c> = mean over repeats of the RMS output change, and for sequence
/// outputs the lag map <c>L[k, i]</c> = mean over t of the RMS change of the outputs at step t + k (an occlusion map
/// with noise); cell (t, i), repeat r draws from <c>new RandomSource(Seed ^ RandomStreams.PerturbationMaps).Fork((t F +
/// i) R + r)</c>; its passes resume at step t from the unperturbed pass's states (<see cref="Sequential.PredictFrom"/>:
/// the same numbers, bit for bit).
/// With <see cref="ImportanceContext.Groups"/>, i (and the maps' columns) run over the units: every member of unit i
/// is perturbed at once, each with its own noise drawn from the unit's stream, member after member. A lag-window unit
/// (<see cref="FeatureGroups.Lags"/>) perturbs only its window's cells, placed before each output step
/// (<see cref="FeatureGroups.Predict"/>), each cell with the draw it gets when the whole unit is perturbed; no maps.
/// Cost: F x R predictions (plus T x F x R for the maps), spread over threads (U for F with groups).
/// </summary>
public sealed class InputPerturbation : IImportanceMethod
{
    public string Name => "input-perturbation";
    public ImportanceNeeds Needs => ImportanceNeeds.None;
    public ImportanceRanking Ranking => ImportanceRanking.ByValue;
    public bool ScoresGroups => true;

    /// <summary>SD of the Gaussian noise.</summary>
    public float Sigma { get; init; } = 0.2f;

    /// <summary>When set, the scaling variant with this p (0.1 to 0.5 in the literature) replaces the noise.</summary>
    public float? Scale { get; init; }

    /// <summary>Noise draws per feature; null: the context's <see cref="ImportanceContext.Repeats"/>.</summary>
    public int? Repeats { get; init; }

    /// <summary>Also perturb one step at a time for the time and lag maps.</summary>
    public bool TimeResolved { get; init; }

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        if (!(Sigma >= 0) || !float.IsFinite(Sigma))
            throw new InvalidOperationException($"{nameof(Sigma)} = {Sigma}: sigma must be a finite, non-negative " +
                                                $"number");
        if (Scale is { } p && !float.IsFinite(p))
            throw new InvalidOperationException($"{nameof(Scale)} = {p}: the scale p must be finite");
        var units = FeatureGroups.UnitsOf(context);
        int features = context.Features, repeats = Scale is null ? Repeats ?? context.Repeats : 1;
        Check.Positive(repeats, nameof(Repeats));
        var root = new RandomSource(context.Seed);
        bool windows = context.Groups is { HasLagWindows: true }, maps = TimeResolved && !windows;
        // The maps' and the windows' passes resume at their first step from this pass (null: full passes).
        var (baseline, recorded) = ModelWorker.Unperturbed(context, record: maps || windows);
        var effects = ModelTasks.Map(context.Model, units.Length * repeats, context.Threads, (worker, task) =>
        {
            int u = task / repeats, r = task % repeats;
            var noise = r == 0 ? root.Fork((ulong)u) : root.Fork((ulong)u).Fork((ulong)r);
            if (!windows)
            {
                var x = worker.CopyOf(context.Inputs);
                foreach (int i in units[u])
                {
                    if (Scale is { } scale) for (int cell = i; cell < x.Length; cell += features) x[cell] *= 1 + scale;
                    else AddNoise(x, i, features, Sigma, noise);
                }
                return Rms(worker.Predict(x, context.Count, context.Steps), baseline);
            }
            // A window's cells get the noise the whole unit would (drawn member after member, every cell), so a cell
            // keeps its draw whichever output step's window holds it.
            var delta = new float[context.Inputs.Length];
            if (Scale is null) foreach (int i in units[u]) AddNoise(delta, i, features, Sigma, noise);
            int steps = context.Steps;
            return Rms(FeatureGroups.Predict(worker, context, [u], (x, _, from, to) =>
            {
                for (int n = 0; n < context.Count; n++)
                    for (int t = from; t < to; t++)
                        foreach (int i in units[u])
                        {
                            int cell = (n * steps + t) * features + i;
                            if (Scale is { } scale) x[cell] *= 1 + scale;
                            else x[cell] += delta[cell];
                        }
            }, baseline, recorded), baseline);
        });
        var stats = new SampleStatistics[units.Length];
        for (int i = 0; i < units.Length; i++)
            stats[i] = ImportanceStatistics.Summarise(effects.AsSpan(i * repeats, repeats));
        var (timeMap, lagMap) = maps ? Maps(context, units, baseline, recorded, repeats) : (null, null);
        return ImportanceResult.FromScores(Name, stats.Select(s => s.Mean).ToArray(), repeats > 1 ? stats : null) with
        {
            ScoreMeaning = Scale is { } q ? $"RMS output change, x(1+{q})" : $"RMS output change, noise sd {Sigma}",
            TimeMap = timeMap,
            LagMap = lagMap,
            Groups = context.Groups,
        };
    }

    // Perturb x[., t, i] only, for every (t, i) and repeat; per task the mean square change of each output step's
    // outputs.
    // A task's pass resumes at its step t from the recorded unperturbed pass (the same numbers; null: full passes).
    private (double[,] Time, double[,]? Lag) Maps(ImportanceContext context, int[][] units, float[] baseline,
                                                  RecordedPass? recorded, int repeats)
    {
        int features = context.Features, cells = units.Length, steps = context.Steps, count = context.Count;
        int outputs = context.OutputsPerSeries, groups = context.Model.OutputsSequence ? steps : 1,
        width = outputs / groups;
        var root = new RandomSource(context.Seed ^ RandomStreams.PerturbationMaps);
        var squares = ModelTasks.Map(context.Model, steps * cells * repeats, context.Threads, (worker, task) =>
        {
            int cell = task / repeats, t = cell / cells;
            var x = worker.CopyOf(context.Inputs);
            var noise = root.Fork((ulong)task);
            for (int n = 0; n < count; n++)
                foreach (int i in units[cell % cells])
                {
                    int j = (n * steps + t) * features + i;
                    if (Scale is { } scale) x[j] *= 1 + scale;
                    else x[j] += Sigma * noise.NextGaussian();
                }
            var y = worker.PredictFrom(x, count, steps, recorded, t);
            var byGroup = new double[groups];
            for (int n = 0; n < count; n++)
                for (int o = 0; o < outputs; o++)
                {
                    double d = y[n * outputs + o] - baseline[n * outputs + o];
                    byGroup[o / width] += d * d / ((double)count * width);
                }
            return byGroup;
        });
        var time = new double[steps, cells];
        var lag = groups > 1 ? new double[steps, cells] : null;
        for (int task = 0; task < squares.Length; task++)
        {
            int cell = task / repeats, t = cell / cells, i = cell % cells;
            time[t, i] += Math.Sqrt(squares[task].Average()) / repeats;
            if (lag is null) continue;
            for (int k = 0; t + k < steps; k++) lag[k, i] += Math.Sqrt(squares[task][t + k]) / (repeats * (steps - k));
        }
        return (time, lag);
    }

    /// <summary>x[., ., i] += sigma N(0, 1), drawn in (series, step) order from <paramref name="noise"/>.</summary>
    internal static void AddNoise(Span<float> x, int feature, int features, float sigma, RandomSource noise)
    {
        for (int cell = feature; cell < x.Length; cell += features) x[cell] += sigma * noise.NextGaussian();
    }

    /// <summary>sqrt(mean((f(x) - baseline)^2)) over every output.</summary>
    internal static double RmsChange(Sequential model, ReadOnlySpan<float> x, ReadOnlySpan<float> baseline, int count,
                                     int steps) =>
        Rms(Series.Predict(model, x, count, steps), baseline);

    // sqrt(mean((prediction - baseline)^2)).
    private static double Rms(ReadOnlySpan<float> prediction, ReadOnlySpan<float> baseline)
    {
        double sum = 0;
        for (int j = 0; j < prediction.Length; j++) { double d = prediction[j] - baseline[j]; sum += d * d; }
        return Math.Sqrt(sum / prediction.Length);
    }
}
