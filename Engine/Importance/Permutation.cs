using Engine.Random;

namespace Engine.Importance;

/// <summary>
/// Breiman's permutation importance over whole series: for feature i and repeat r, permute the series index of
/// x[., ., i] (each series keeps its own time order, only feature i moves between series) and score the rise in loss,
/// <c>L(x') - L(x)</c>. The score is the mean over <see cref="Repeats"/> permutations, with SD, SE and the 95%
/// interval. Permutation (i, r) is drawn from <c>new RandomSource(Seed).Fork(i * R + r)</c>. With
/// <see cref="ImportanceContext.Groups"/>, i runs over the units and a group's columns move together (the same
/// permutation of series for each member); a lag-window unit moves only its window's cells, placed before each output
/// step (<see cref="FeatureGroups.Predict"/>: T predictions per repeat for sequence outputs). Cost: F (or U) x R
/// predictions, spread over threads.
/// </summary>
public sealed class Permutation : IImportanceMethod
{
    public string Name => "permutation";
    public ImportanceNeeds Needs => ImportanceNeeds.Targets;
    public ImportanceRanking Ranking => ImportanceRanking.ByValue;
    public bool ScoresGroups => true;

    /// <summary>Permutations per feature; null: the context's <see cref="ImportanceContext.Repeats"/>.</summary>
    public int? Repeats { get; init; }

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        var units = FeatureGroups.UnitsOf(context);
        int features = context.Features, repeats = Repeats ?? context.Repeats, count = context.Count,
        steps = context.Steps;
        Check.Positive(repeats, nameof(Repeats));
        var root = new RandomSource(context.Seed);
        var targets = context.RequireTargets(Name);
        // lag windows: each output step's pass resumes at its window (the same numbers)
        var (y, recorded) = ModelWorker.Unperturbed(context, record: context.Groups is { HasLagWindows: true });
        double reference = context.Loss.Value(y, targets);
        var rises = ModelTasks.Map(context.Model, units.Length * repeats, context.Threads, (worker, task) =>
        {
            var order = worker.Indices(count);
            for (int n = 0; n < count; n++) order[n] = n;
            root.Fork((ulong)task).Shuffle(order);
            var shuffled = order.ToArray();
            var members = units[task / repeats];
            var permuted = FeatureGroups.Predict(worker, context, [task / repeats], (x, _, from, to) =>
            {
                for (int n = 0; n < count; n++)
                    for (int t = from; t < to; t++)
                        foreach (int i in members)
                            x[(n * steps + t) * features + i] =
                                context.Inputs[(shuffled[n] * steps + t) * features + i];
            }, y, recorded);
            return context.Loss.Value(permuted, targets) - reference;
        });
        var stats = new SampleStatistics[units.Length];
        for (int i = 0; i < units.Length; i++)
            stats[i] = ImportanceStatistics.Summarise(rises.AsSpan(i * repeats, repeats));
        return ImportanceResult.FromScores(Name, stats.Select(s => s.Mean).ToArray(), stats) with
        {
            ScoreMeaning = $"rise in {context.Loss.Name}",
            Groups = context.Groups,
        };
    }
}
