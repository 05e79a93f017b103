namespace Engine.Importance;

/// <summary>
/// How far m rankings of the same n inputs agree. A ranking is a rank per input, 1 = most important; ties share a
/// rank (competition ranks "1224", as <see cref="ImportanceStatistics.Ranks"/> gives them) and are turned into mid
/// ranks ("1 2.5 2.5 4") before any statistic.
/// </summary>
internal static class ImportanceAgreement
{
    /// <summary>Mid ranks: tied inputs share the mean of the positions they occupy (1 = most important).</summary>
    public static double[] MidRanks(IReadOnlyList<int> ranks) =>
        ImportanceStatistics.AverageRanks(ranks.Select(r => (double)r).ToArray());

    /// <summary>The mean mid rank of each input over the rankings (the consensus: the smallest is the most
    /// important).</summary>
    public static double[] MeanRanks(IReadOnlyList<IReadOnlyList<int>> rankings)
    {
        int n = Check(rankings);
        var mean = new double[n];
        foreach (var r in rankings)
        {
            var mid = MidRanks(r);
            for (int j = 0; j < n; j++) mean[j] += mid[j] / rankings.Count;
        }
        return mean;
    }

    /// <summary>
    /// Kendall's coefficient of concordance with the correction for ties (Kendall &amp; Babington Smith 1939;
    /// Siegel &amp; Castellan 1988, eq. 9.16): with R_j the sum over the m rankings of input j's mid rank,
    /// <c>S = sum_j (R_j - m (n + 1) / 2)^2</c> and per ranking <c>T_i = sum over its groups of tied inputs of
    /// (t^3 - t)</c>, <c>W = 12 S / (m^2 (n^3 - n) - m sum_i T_i)</c>. 1 = every ranking the same, 0 = no
    /// agreement. NaN when it is undefined: fewer than two rankings or inputs, or every ranking ties every input.
    /// </summary>
    public static double KendallW(IReadOnlyList<IReadOnlyList<int>> rankings)
    {
        int n = Check(rankings), m = rankings.Count;
        if (m < 2 || n < 2) return double.NaN;
        var sums = new double[n];
        double ties = 0;
        foreach (var r in rankings)
        {
            var mid = MidRanks(r);
            for (int j = 0; j < n; j++) sums[j] += mid[j];
            foreach (var group in r.GroupBy(x => x)) ties += Math.Pow(group.Count(), 3) - group.Count();
        }
        double centre = m * (n + 1) / 2.0, s = 0;
        foreach (var sum in sums) s += (sum - centre) * (sum - centre);
        double denominator = (double)m * m * ((double)n * n * n - n) - m * ties;
        return denominator > 0 ? 12 * s / denominator : double.NaN;
    }

    /// <summary>Spearman's rho between every two rankings (<see cref="ImportanceStatistics.Spearman"/>: Pearson's
    /// correlation of the mid ranks), symmetric with 1 on the diagonal; NaN where a ranking ties every input.</summary>
    public static double[,] SpearmanMatrix(IReadOnlyList<IReadOnlyList<int>> rankings)
    {
        Check(rankings);
        int m = rankings.Count;
        var rho = new double[m, m];
        var values = rankings.Select(r => r.Select(x => (double)x).ToArray()).ToArray();
        for (int a = 0; a < m; a++)
            for (int b = a; b < m; b++)
                rho[a, b] = rho[b, a] = a == b && values[a].Distinct().Count() > 1 ? 1
                    : ImportanceStatistics.Spearman(values[a], values[b]);
        return rho;
    }

    private static int Check(IReadOnlyList<IReadOnlyList<int>> rankings)
    {
        if (rankings.Count == 0) throw new ArgumentException("at least one ranking is needed", nameof(rankings));
        int n = rankings[0].Count;
        if (rankings.Any(r => r.Count != n))
            throw new ArgumentException($"every ranking must rank the same {n} inputs", nameof(rankings));
        return n;
    }
}
