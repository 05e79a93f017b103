namespace Demo.Study;

/// <summary>The study's outcome: the settings, each replicate and each method's summary (in the order of the
/// methods).</summary>
public sealed record StudyResult(StudySettings Settings, IReadOnlyList<ReplicateResult> Replicates,
                                 IReadOnlyList<MethodSummary> Methods, double Seconds)
{
    /// <summary>
    /// Where the inputs act, averaged over replicates, from the maps of one method: <paramref name="method"/>'s
    /// <paramref name="map"/> (e.g. connection-weights' gate scores (4, F), partial-derivatives' lag map (T, F)), each
    /// replicate's |map| divided by its row sums so that each row gives the inputs' shares (comparable across networks
    /// whose weights differ in scale); null when the method did not run or has no such map.
    /// </summary>
    public double[,]? MeanShares(string method, Func<Engine.Importance.ImportanceResult, double[,]?> map)
    {
        int m = Methods.ToList().FindIndex(x => x.Name == method);
        if (m < 0 || Replicates.Any(r => map(r.Runs[m].Result) is null)) return null;
        var first = map(Replicates[0].Runs[m].Result)!;
        int rows = first.GetLength(0), cols = first.GetLength(1);
        var mean = new double[rows, cols];
        foreach (var r in Replicates)
        {
            var a = map(r.Runs[m].Result)!;
            for (int i = 0; i < rows; i++)
            {
                double sum = 0;
                for (int j = 0; j < cols; j++) sum += Math.Abs(a[i, j]);
                if (sum > 0) for (int j = 0; j < cols; j++) mean[i, j] += Math.Abs(a[i, j]) / sum / Replicates.Count;
            }
        }
        return mean;
    }
}
