namespace Engine.Importance;

/// <summary>
/// A variable-importance method: from a trained model and an evaluation set, a score and a rank per input
/// feature (see <see cref="ImportanceResult"/>). Methods are stateless apart from their options, so one
/// instance may be used for many contexts; each call is deterministic for a given <see cref="ImportanceContext.Seed"/>,
/// whatever <see cref="ImportanceContext.Threads"/> is.
/// </summary>
public interface IImportanceMethod
{
    /// <summary>The CLI name (connection-weights, garson, ...).</summary>
    string Name { get; }

    /// <summary>What the method needs from the context besides the model and the inputs.</summary>
    ImportanceNeeds Needs { get; }

    /// <summary>How its ranks follow from its scores (and how results across networks are ranked).</summary>
    ImportanceRanking Ranking { get; }

    /// <summary>
    /// Whether <see cref="Compute"/> scores the context's <see cref="ImportanceContext.Groups"/> itself (a group's
    /// features perturbed together, one score per unit); otherwise it scores features and
    /// <see cref="Scored(ImportanceContext)"/> sums them into the groups.
    /// </summary>
    bool ScoresGroups => false;

    /// <summary>Scores every input feature of <see cref="ImportanceContext.Model"/>.</summary>
    ImportanceResult Compute(ImportanceContext context);

    /// <summary>
    /// The result by the context's units: <see cref="Compute"/> when there are no groups or the method scores them;
    /// else the per-feature result of the context without groups, summed by <see cref="FeatureGroups.Sum"/>.
    /// </summary>
    ImportanceResult Scored(ImportanceContext context) =>
        context.Groups is not { } groups || ScoresGroups ? Compute(context)
        : groups.Sum(Compute(context with { Groups = null }), Ranking);
}
