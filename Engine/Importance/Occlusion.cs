namespace Engine.Importance;

/// <summary>
/// Occlusion of one step x feature cell (Captum's Occlusion with a 1 x 1 window): for every cell (t, i), replace
/// x[n, t, i] by the baseline b_i (the training mean of feature i, or 0 with <see cref="ZeroBaseline"/>) in every
/// series n at once, predict, and measure per series the change in its loss,
/// <c>D[n, t, i] = L_n(x') - L_n(x)</c> (L_n = the loss averaged over series n's outputs; for categorical
/// cross-entropy over its rows of class probabilities, each row's loss <c>-sum_j y_j ln p_j</c> taken whole, since a
/// softmax row's probabilities move together). Then
/// <c>TimeMap[t, i] = mean_n |D[n, t, i]|</c> and the score is <c>S_i = sum_t TimeMap[t, i]</c>. For sequence outputs
/// the lag map is <c>LagMap[k, i] = mean over t of mean_n |L_{n,t+k}(x') - L_{n,t+k}(x)|</c>, with L_{n,tau} the loss
/// of
/// step tau's outputs of series n. The note gives the RMS output change, <c>sqrt(mean((f(x') - f(x))^2))</c> over every
/// output, summed over steps per feature. Deterministic (no draws); cells run in parallel and are reduced in cell
/// order. A cell's pass resumes at its step t from the unoccluded pass's states
/// (<see cref="Models.Sequential.PredictFrom"/>: the same numbers, bit for bit; a model that cannot resume runs full
/// passes). With <see cref="ImportanceContext.Groups"/>, i runs over the units: cell (t, u) replaces every member of
/// unit u at step t, and the maps have a column per unit. A lag-window unit (<see cref="FeatureGroups.Lags"/>) is
/// occluded as one block placed before every output step (<see cref="FeatureGroups.Predict"/>): its score is
/// <c>mean_n |L_n(x') - L_n(x)|</c>, without maps. Cost: T x F (or T x U) predictions over the set.
/// </summary>
public sealed class Occlusion : IImportanceMethod
{
    public string Name => "occlusion";
    public ImportanceNeeds Needs => ImportanceNeeds.Targets;
    public ImportanceRanking Ranking => ImportanceRanking.ByValue;
    public bool ScoresGroups => true;

    /// <summary>Occlude with 0 instead of the training means.</summary>
    public bool ZeroBaseline { get; init; }

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        var units = FeatureGroups.UnitsOf(context);
        int features = context.Features, steps = context.Steps, count = context.Count,
        outputs = context.OutputsPerSeries;
        bool sequence = context.Model.OutputsSequence;
        int groups = sequence ? steps : 1, width = outputs / groups;
        var baseline = ZeroBaseline ? new float[features] : context.Means();
        var loss = context.Loss;
        bool windows = context.Groups is { HasLagWindows: true };
        // The unoccluded pass, recorded so that a cell's (or a window's) pass resumes at its first step (the same
        // numbers; null: the model cannot resume, and each runs a full pass).
        var (y, recorded) = ModelWorker.Unperturbed(context, record: true);
        var targets = context.RequireTargets(Name);
        // The loss's rows: a categorical loss is over a whole row of class probabilities (the softmax couples them),
        // every other loss over one output alone. Group g of series n holds width / row of them.
        int row = loss.RowWidth, rows = width / row;
        var reference = new double[y.Length / row];
        for (int r = 0; r < reference.Length; r++) reference[r] = RowLoss(loss, y, targets, r, row);
        // One occluded prediction: mean_n |D|, the lag profile by output group, and the RMS output change.
        (double Effect, double[] ByGroup, double Rms) Measure(ReadOnlySpan<float> occluded)
        {
            double effect = 0, squares = 0;
            var byGroup = new double[groups];
            for (int n = 0; n < count; n++)
            {
                double series = 0;
                for (int g = 0; g < groups; g++)
                {
                    double group = 0;
                    for (int k = 0; k < rows; k++)
                    {
                        int r = (n * outputs + g * width) / row + k;
                        group += RowLoss(loss, occluded, targets, r, row) - reference[r];
                    }
                    for (int j = n * outputs + g * width; j < n * outputs + (g + 1) * width; j++)
                    {
                        double d = occluded[j] - y[j];
                        squares += d * d;
                    }
                    series += group;
                    byGroup[g] += Math.Abs(group / rows) / count;
                }
                effect += Math.Abs(series / (groups * rows)) / count;
            }
            return (effect, byGroup, Math.Sqrt(squares / y.Length));
        }
        void Occlude(Span<float> x, int unit, int from, int to)
        {
            for (int n = 0; n < count; n++)
                for (int t = from; t < to; t++)
                    foreach (int i in units[unit]) x[(n * steps + t) * features + i] = baseline[i];
        }
        if (windows)
        {
            // A window occluded as one block, before every output step: no per-step cells, no maps.
            var blocks = ModelTasks.Map(context.Model, units.Length, context.Threads, (worker, u) =>
                Measure(FeatureGroups.Predict(worker, context, [u], Occlude, y, recorded)));
            return ImportanceResult.FromScores(Name, [.. blocks.Select(b => b.Effect)]) with
            {
                ScoreMeaning = $"mean |change in {loss.Name}|, window = {(ZeroBaseline ? "0" : "mean")}",
                Groups = context.Groups,
                Note = $"occlusion: RMS output change {Join(blocks.Select(b => b.Rms))}",
            };
        }
        // Per cell (t, i): one step of unit i occluded.
        var cells = ModelTasks.Map(context.Model, steps * units.Length, context.Threads, (worker, cell) =>
        {
            int t = cell / units.Length;
            var x = worker.CopyOf(context.Inputs);
            Occlude(x, cell % units.Length, t, t + 1);
            return Measure(worker.PredictFrom(x, count, steps, recorded, t));
        });
        var timeMap = new double[steps, units.Length];
        var lagMap = sequence ? new double[steps, units.Length] : null;
        var scores = new double[units.Length];
        var rms = new double[units.Length];
        for (int cell = 0; cell < cells.Length; cell++)
        {
            int t = cell / units.Length, i = cell % units.Length;
            timeMap[t, i] = cells[cell].Effect;
            rms[i] += cells[cell].Rms;
            if (lagMap is null) continue;
            for (int k = 0; t + k < steps; k++) lagMap[k, i] += cells[cell].ByGroup[t + k] / (steps - k);
        }
        for (int t = 0; t < steps; t++)
            for (int i = 0; i < units.Length; i++) scores[i] += timeMap[t, i];
        return ImportanceResult.FromScores(Name, scores) with
        {
            ScoreMeaning = $"sum over steps of mean |change in {loss.Name}|, cell = {(ZeroBaseline ? "0" : "mean")}",
            TimeMap = timeMap,
            LagMap = lagMap,
            Groups = context.Groups,
            Note = $"occlusion: RMS output change summed over steps {Join(rms)}",
        };
    }

    private static string Join(IEnumerable<double> values) =>
        string.Join(", ", values.Select(r => r.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)));

    // The loss of row r (outputs r w..r w + w - 1) on its own, so that series and steps can be regrouped: one output
    // (w = 1) for an elementwise loss, a row of class probabilities for a categorical one.
    private static double RowLoss(Losses.ILoss loss, ReadOnlySpan<float> prediction, ReadOnlySpan<float> targets,
                                  int r, int w) =>
        loss.Value(prediction.Slice(r * w, w), targets.Slice(r * w, w));
}
