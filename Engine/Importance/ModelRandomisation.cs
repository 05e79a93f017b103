using Engine.Random;

namespace Engine.Importance;

/// <summary>
/// Adebayo et al.'s (2018) model-randomisation sanity check. The inner method (default partial derivatives) runs on
/// R copies of the model whose every weight is re-drawn from the initialiser (full, not cascading, randomisation;
/// copy r seeded by <c>new RandomSource(Seed).Fork(r).NextUInt64()</c>). Each copy's |scores| become shares summing
/// to 1; the score is the mean share over copies, with SD, SE and 95% interval. A method that explains the model,
/// not the data or its own structure, gives flat shares here (about 1/F each) where the trained model's are not;
/// the note gives the trained model's shares and the mean Spearman correlation between trained and random ranks.
/// Cost: R + 1 runs of the inner method.
/// </summary>
public sealed class ModelRandomisation : IImportanceMethod
{
    public string Name => "model-randomisation";
    public ImportanceNeeds Needs => Inner.Needs;
    public ImportanceRanking Ranking => ImportanceRanking.ByValue;

    /// <summary>The method checked (any method that needs no retraining).</summary>
    public IImportanceMethod Inner { get; init; } = new PartialDerivatives();

    /// <summary>Randomised networks; null: the context's <see cref="ImportanceContext.Repeats"/>.</summary>
    public int? Networks { get; init; }

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        int features = context.Features, networks = Networks ?? context.Repeats;
        Check.Positive(networks, nameof(Networks));
        var root = new RandomSource(context.Seed);
        var trained = Shares(Inner.Compute(context));
        // Each worker's clone is re-drawn for network r (the next rent restores the trained parameters), and the inner
        // method's own workers come from the pool of that clone, so repeated runs reuse both.
        var random = ModelTasks.Map(context.Model, networks, context.Threads, (worker, r) =>
        {
            worker.Model.Initialize(root.Fork((ulong)r).NextUInt64());
            return Shares(Inner.Compute(context with { Model = worker.Model, Threads = 1 }));
        });
        var stats = new SampleStatistics[features];
        for (int i = 0; i < features; i++)
            stats[i] = ImportanceStatistics.Summarise(random.Select(s => s[i]).ToArray());
        var rho = random.Select(s =>
            ImportanceStatistics.Spearman(trained, s)).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
        return ImportanceResult.FromScores(Name, stats.Select(s => s.Mean).ToArray(), stats) with
        {
            ScoreMeaning = $"{Inner.Name} share on randomised weights",
            RandomisedModel = true,
            TrainedShares = trained,
            Note = $"model-randomisation ({Inner.Name}): trained shares {string.Join(", ", trained.Select(F3))}; "
                 + $"randomised (mean of {networks}) {string.Join(", ", stats.Select(s => F3(s.Mean)))}; "
                 + $"mean Spearman(trained, randomised) = "
                 + rho.ToString("F2", System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private static string F3(double v) => v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture);

    private static double[] Shares(ImportanceResult result) =>
        ImportanceStatistics.Shares(result.Scores.Select(Math.Abs).ToArray());
}
