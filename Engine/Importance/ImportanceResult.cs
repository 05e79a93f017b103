namespace Engine.Importance;

/// <summary>
/// Statistics of a repeated estimate (noise draws, permutations, retrainings, networks), as ML.NET's permutation
/// importance reports them: mean, sample SD (n - 1), SE = SD / sqrt(n), n, and the 95% interval mean ± 1.96 SE.
/// SD and SE are NaN when n = 1.
/// </summary>
public readonly record struct SampleStatistics(double Mean, double Sd, double Se, int Count)
{
    /// <summary>Lower end of the 95% interval, mean - 1.96 SE.</summary>
    public double Ci95Low => Mean - ImportanceStatistics.Z95 * Se;

    /// <summary>Upper end of the 95% interval, mean + 1.96 SE.</summary>
    public double Ci95High => Mean + ImportanceStatistics.Z95 * Se;
}

/// <summary>
/// One feature's importance: its 0-based index, score, rank (1 = most important), statistics when repeated, and a
/// p-value where a method tests the score (connection-weights-test), else null.
/// </summary>
public sealed record FeatureImportance(int Feature, double Score, int Rank, SampleStatistics? Statistics = null,
                                       double? P = null);

/// <summary>Lek's profile of one feature: the swept values, the output curve at each level of the other inputs, and
/// their median.</summary>
/// <param name="Feature">0-based feature index.</param>
/// <param name="Values">The swept values of the feature (points).</param>
/// <param name="Levels">Curves per level of the other features (5 levels: min, Q1, median, Q3, max) x points.</param>
/// <param name="Median">Median over the levels at each point; the score is its range.</param>
public sealed record SensitivityCurve(int Feature, double[] Values, double[][] Levels, double[] Median);

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
    public static ImportanceResult FromScores(string method, double[] scores, SampleStatistics[]? statistics = null,
                                              bool byMagnitude = false)
    {
        var ranks = ImportanceStatistics.Ranks(scores, byMagnitude);
        return new ImportanceResult(method,
                                    scores.Select((s, i) =>
                                        new FeatureImportance(i, s, ranks[i], statistics?[i])).ToArray());
    }

    /// <summary>A result ranked by the given ranks (stepwise order); the score is each feature's mean, statistics kept
    /// when repeated.</summary>
    public static ImportanceResult FromRanks(string method, SampleStatistics[] scores, int[] ranks) =>
        new(method,
            scores.Select((s, i) => new FeatureImportance(i, s.Mean, ranks[i], s.Count > 1 ? s : null)).ToArray());
}
