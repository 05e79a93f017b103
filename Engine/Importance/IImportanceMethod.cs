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

    /// <summary>Scores every input feature of <see cref="ImportanceContext.Model"/>.</summary>
    ImportanceResult Compute(ImportanceContext context);
}
