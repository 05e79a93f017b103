using Engine.Importance;

namespace Demo.Importance;

/// <summary>
/// Feature columns left out of training because they were constant (issue 12): every method's result gets them as
/// features of importance 0, ranked last (in the order the model file lists them), with zero columns in the time,
/// lag and gate maps, so every table, JSON document, map and report lists them.
/// </summary>
public static class ConstantFeatures
{
    /// <summary>How a constant feature's name is shown in tables and reports.</summary>
    public static string Label(string name) => $"{name} (constant, excluded)";

    /// <summary>
    /// Each run with <paramref name="count"/> features of score 0 appended after the model's F features: feature
    /// F + j gets rank F + j + 1 and no statistics (nothing was measured).
    /// </summary>
    public static IReadOnlyList<MethodRun> Append(IReadOnlyList<MethodRun> runs, int count) => count == 0 ? runs
        : runs.Select(run => run with { Result = Append(run.Result, count) }).ToList();

    private static ImportanceResult Append(ImportanceResult r, int count)
    {
        int f = r.Features.Count;
        return r with
        {
            Features = [.. r.Features, .. Enumerable.Range(f, count).Select(i => new FeatureImportance(i, 0, i + 1))],
            TimeMap = Widen(r.TimeMap, count),
            LagMap = Widen(r.LagMap, count),
            GateScores = Widen(r.GateScores, count),
        };
    }

    // (rows, F) -> (rows, F + count), the new columns 0.
    private static double[,]? Widen(double[,]? map, int count)
    {
        if (map is null) return null;
        var wide = new double[map.GetLength(0), map.GetLength(1) + count];
        for (int i = 0; i < map.GetLength(0); i++)
            for (int j = 0; j < map.GetLength(1); j++) wide[i, j] = map[i, j];
        return wide;
    }
}
