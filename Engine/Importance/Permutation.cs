using Engine.Random;

namespace Engine.Importance;

/// <summary>
/// Breiman's permutation importance over whole series: for feature i and repeat r, permute the series index of
/// x[., ., i] (each series keeps its own time order, only feature i moves between series) and score the rise in loss,
/// <c>L(x') - L(x)</c>. The score is the mean over <see cref="Repeats"/> permutations, with SD, SE and the 95%
/// interval. Permutation (i, r) is drawn from <c>new RandomSource(Seed).Fork(i * R + r)</c>. With
/// <see cref="ImportanceContext.Groups"/>, i runs over the units and a group's columns move together (the same
/// permutation of series for each member). Cost: F (or U) x R predictions, spread over threads.
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
        context.RequireTargets(Name);
        double reference = ModelWorker.Loss(context);
        var rises = ModelTasks.Map(context.Model, units.Length * repeats, context.Threads, (worker, task) =>
        {
            var members = units[task / repeats];
            var order = worker.Indices(count);
            for (int n = 0; n < count; n++) order[n] = n;
            root.Fork((ulong)task).Shuffle(order);
            var x = worker.CopyOf(context.Inputs);
            for (int n = 0; n < count; n++)
                for (int t = 0; t < steps; t++)
                    foreach (int i in members)
                        x[(n * steps + t) * features + i] = context.Inputs[(order[n] * steps + t) * features + i];
            return worker.Loss(x, context) - reference;
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
