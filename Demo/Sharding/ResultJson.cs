using Engine.Importance;

namespace Demo.Sharding;

/// <summary>
/// An <see cref="ImportanceResult"/> as a work item stores it: every field the outputs read, doubles written
/// round-trip (shortest exact form; NaN and infinities by name), maps as rows. The grouping is not stored: it is the
/// command's own (<c>--groups</c>) and is set again on reading.
/// </summary>
public sealed record ResultJson(string Method, List<FeatureJson> Features, string ScoreMeaning, double[][]? TimeMap,
                                double[][]? LagMap, double[][]? GateScores, int[]? Order, List<CurveJson>? Curves,
                                CompletenessJson? Completeness, string? Note, bool RandomisedModel,
                                bool Grouped = false, double[]? TrainedShares = null)
{
    /// <summary>The stored form of <paramref name="r"/>.</summary>
    public static ResultJson Of(ImportanceResult r) => new(r.Method,
        r.Features.Select(f => new FeatureJson(f.Feature, f.Score, f.Rank,
            f.Statistics is { } s ? new StatisticsItemJson(s.Mean, s.Sd, s.Se, s.Count) : null, f.P)).ToList(),
        r.ScoreMeaning, Rows(r.TimeMap), Rows(r.LagMap), Rows(r.GateScores), r.Order,
        r.Curves?.Select(c => new CurveJson(c.Feature, c.Values, c.Levels, c.Median)).ToList(),
        r.Completeness is { } g ? new CompletenessJson(g.Gap, g.Difference, g.Intervals, g.Tolerance) : null,
        r.Note, r.RandomisedModel, r.Groups is not null, r.TrainedShares);

    /// <summary>The result back; one that was scored by groups gets the command's <paramref name="groups"/>.</summary>
    public ImportanceResult ToResult(FeatureGroups? groups) => new(Method,
        Features.Select(f => new FeatureImportance(f.Feature, f.Score, f.Rank,
            f.Statistics is { } s ? new SampleStatistics(s.Mean, s.Sd, s.Se, s.Count) : null, f.P)).ToArray())
    {
        ScoreMeaning = ScoreMeaning, TimeMap = Matrix(TimeMap), LagMap = Matrix(LagMap),
        GateScores = Matrix(GateScores), Order = Order,
        Curves = Curves?.Select(c => new SensitivityCurve(c.Feature, c.Values, c.Levels, c.Median)).ToArray(),
        Completeness =
            Completeness is { } g ? new CompletenessGap(g.Gap, g.Difference, g.Intervals, g.Tolerance) : null,
        Note = Note, RandomisedModel = RandomisedModel, Groups = Grouped ? groups : null,
        TrainedShares = TrainedShares,
    };

    private static double[][]? Rows(double[,]? a) => a is null ? null
        : Enumerable.Range(0, a.GetLength(0)).Select(i =>
            Enumerable.Range(0, a.GetLength(1)).Select(j => a[i, j]).ToArray()).ToArray();

    private static double[,]? Matrix(double[][]? rows)
    {
        if (rows is null) return null;
        int cols = rows.Length == 0 ? 0 : rows[0].Length;
        if (rows.Any(r => r.Length != cols)) throw new FormatException("a map's rows differ in length");
        var a = new double[rows.Length, cols];
        for (int i = 0; i < rows.Length; i++) for (int j = 0; j < cols; j++) a[i, j] = rows[i][j];
        return a;
    }
}
