namespace Engine.Importance;

/// <summary>
/// What a method found: per feature a score and rank, and where the method gives them, a time map, a lag map,
/// a gate-resolved table, the order of entry or removal, or Lek's curves.
/// </summary>
public sealed record ImportanceResult(string Method, IReadOnlyList<FeatureImportance> Features)
{
    /// <summary>What the score measures, in a few words (for tables).</summary>
    public string ScoreMeaning { get; init; } = "";

    /// <summary>(T, F) importance by input step t, where the method sees time.</summary>
    public double[,]? TimeMap { get; init; }

    /// <summary>(T, F) importance by lag k = output step - input step (sequence outputs only).</summary>
    public double[,]? LagMap { get; init; }

    /// <summary>(4, F) scores per gate block i, f, c, o of the first LSTM layer.</summary>
    public double[,]? GateScores { get; init; }

    /// <summary>Stepwise methods: feature indices in order of entry (forward) or removal (backward).</summary>
    public int[]? Order { get; init; }

    /// <summary>Lek's profiles, one per feature.</summary>
    public IReadOnlyList<SensitivityCurve>? Curves { get; init; }

    /// <summary>Integrated gradients: how complete its attributions are, and at how many intervals.</summary>
    public CompletenessGap? Completeness { get; init; }

    /// <summary>A one-line remark (e.g. the sanity check's verdict).</summary>
    public string? Note { get; init; }

    /// <summary>
    /// True when the scores are those of networks with randomised weights (model-randomisation's sanity check), not of
    /// the model: the chance level a ranking method should beat. Reports leave such a result out of a consensus.
    /// </summary>
    public bool RandomisedModel { get; init; }

    /// <summary>With <see cref="RandomisedModel"/>: the checked method's shares of |score| on the trained model, per
    /// unit (the scores are its shares on the randomised networks); else null.</summary>
    internal double[]? TrainedShares { get; init; }

    /// <summary>
    /// The grouping the scores are by (<see cref="FeatureGroups"/>): then each <see cref="FeatureImportance.Feature"/>
    /// and each map column is a unit index into <see cref="FeatureGroups.Names"/>; null: by feature.
    /// </summary>
    public FeatureGroups? Groups { get; init; }

    /// <summary>The scores in feature order.</summary>
    public double[] Scores => Features.Select(f => f.Score).ToArray();

    /// <summary>The ranks in feature order.</summary>
    public int[] Ranks => Features.Select(f => f.Rank).ToArray();

    /// <summary>A result ranked by score (largest first; by magnitude when <paramref name="byMagnitude"/>).</summary>
    internal static ImportanceResult FromScores(string method, double[] scores, SampleStatistics[]? statistics = null,
                                              bool byMagnitude = false)
    {
        var ranks = ImportanceStatistics.Ranks(scores, byMagnitude);
        return new ImportanceResult(method,
                                    scores.Select((s, i) =>
                                        new FeatureImportance(i, s, ranks[i], statistics?[i])).ToArray());
    }

    /// <summary>A result ranked by the given ranks (stepwise order); the score is each feature's mean, statistics kept
    /// when repeated.</summary>
    internal static ImportanceResult FromRanks(string method, SampleStatistics[] scores, int[] ranks) =>
        new(method,
            scores.Select((s, i) => new FeatureImportance(i, s.Mean, ranks[i], s.Count > 1 ? s : null)).ToArray());
}
