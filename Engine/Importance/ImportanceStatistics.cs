namespace Engine.Importance;

/// <summary>The statistics every method shares: summaries of repeats, ranks, shares and rank correlation.</summary>
internal static class ImportanceStatistics
{
    /// <summary>The normal quantile of a two-sided 95% interval.</summary>
    public const double Z95 = 1.96;

    /// <summary>Mean, sample SD (divisor n - 1), SE = SD / sqrt(n) and n; SD and SE are NaN when n = 1.</summary>
    public static SampleStatistics Summarise(ReadOnlySpan<double> samples)
    {
        int n = samples.Length;
        if (n == 0) throw new ArgumentException("at least one sample is needed", nameof(samples));
        double mean = 0;
        foreach (var s in samples) mean += s;
        mean /= n;
        if (n == 1) return new SampleStatistics(mean, double.NaN, double.NaN, 1);
        double ss = 0;
        foreach (var s in samples) ss += (s - mean) * (s - mean);
        double sd = Math.Sqrt(ss / (n - 1));
        return new SampleStatistics(mean, sd, sd / Math.Sqrt(n), n);
    }

    /// <summary>
    /// Competition ranks ("1224"): rank 1 = largest score (largest |score| when <paramref name="byMagnitude"/>);
    /// equal scores share the best rank; NaN ranks last.
    /// </summary>
    public static int[] Ranks(ReadOnlySpan<double> scores, bool byMagnitude = false)
    {
        var keys = new double[scores.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            double s = byMagnitude ? Math.Abs(scores[i]) : scores[i];
            keys[i] = double.IsNaN(s) ? double.NegativeInfinity : s;
        }
        var ranks = new int[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            int above = 0;
            for (int j = 0; j < keys.Length; j++) if (keys[j] > keys[i]) above++;
            ranks[i] = above + 1;
        }
        return ranks;
    }

    /// <summary>x_i / sum x (all zero when the sum is zero).</summary>
    public static double[] Shares(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (var v in values) sum += v;
        var shares = new double[values.Length];
        if (sum != 0) for (int i = 0; i < shares.Length; i++) shares[i] = values[i] / sum;
        return shares;
    }

    /// <summary>
    /// One method's results on K networks (trained from different seeds) combined: each feature's score is the mean
    /// over networks with SD, SE and 95% interval across networks, ranked by that mean (by |mean| when
    /// <paramref name="byMagnitude"/>); the note gives each feature's mean rank and how often it ranked last.
    /// Maps are averaged over networks; stepwise orders and curves (per network) are dropped.
    /// </summary>
    public static ImportanceResult AcrossNetworks(IReadOnlyList<ImportanceResult> results, bool byMagnitude = false)
    {
        if (results.Count == 0) throw new ArgumentException("at least one result is needed", nameof(results));
        int features = results[0].Features.Count;
        if (results.Any(r => r.Features.Count != features || r.Method != results[0].Method))
            throw new ArgumentException($"results must all be of method {results[0].Method} with {features} features",
                                        nameof(results));
        var stats = new SampleStatistics[features];
        for (int i = 0; i < features; i++) stats[i] = Summarise(results.Select(r => r.Features[i].Score).ToArray());
        var meanRanks = Enumerable.Range(0, features).Select(i =>
            results.Average(r => (double)r.Features[i].Rank)).ToArray();
        var last = Enumerable.Range(0, features).Select(i =>
            results.Count(r => r.Features[i].Rank == features
                          && r.Features.Count(f => f.Rank == features) == 1)).ToArray();
        var combined = ImportanceResult.FromScores(results[0].Method, stats.Select(s => s.Mean).ToArray(),
                                                   results.Count > 1 ? stats : null, byMagnitude);
        return combined with
        {
            ScoreMeaning = results[0].ScoreMeaning + $", mean of {results.Count} networks",
            TimeMap = MeanMap(results.Select(r => r.TimeMap)),
            LagMap = MeanMap(results.Select(r => r.LagMap)),
            GateScores = MeanMap(results.Select(r => r.GateScores)),
            RandomisedModel = results[0].RandomisedModel,
            TrainedShares = results.Any(r => r.TrainedShares is null) ? null
                : Enumerable.Range(0, features).Select(i => results.Average(r => r.TrainedShares![i])).ToArray(),
            Groups = results[0].Groups,
            Completeness = results.Select(r => r.Completeness).MaxBy(c => c?.Gap ?? double.NegativeInfinity),
            Note = $"{results[0].Method} over {results.Count} networks: mean rank {string.Join(", " +
                   $"", meanRanks.Select(r => r.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}; "
                 + $"strictly last in {string.Join(", ", last)} of {results.Count}",
        };
    }

    // Element-wise mean of maps that every result has; null when any lacks one.
    private static double[,]? MeanMap(IEnumerable<double[,]?> maps)
    {
        var list = maps.ToList();
        if (list.Any(m => m is null)) return null;
        var mean = new double[list[0]!.GetLength(0), list[0]!.GetLength(1)];
        foreach (var m in list)
            for (int i = 0; i < mean.GetLength(0); i++)
                for (int j = 0; j < mean.GetLength(1); j++) mean[i, j] += m![i, j] / list.Count;
        return mean;
    }

    /// <summary>Spearman's rank correlation of two score vectors (Pearson correlation of their average ranks); NaN when
    /// either is constant.</summary>
    public static double Spearman(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"a has {a.Length} values but b has {b.Length}: they must match", nameof(b));
        var ra = AverageRanks(a);
        var rb = AverageRanks(b);
        double ma = ra.Average(), mb = rb.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        return saa == 0 || sbb == 0 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>Mid ranks in ascending order of value (1 = smallest); ties share the mean of their positions.</summary>
    internal static double[] AverageRanks(ReadOnlySpan<double> values)
    {
        var ranks = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int below = 0, equal = 0;
            for (int j = 0; j < values.Length; j++)
            {
                if (values[j] < values[i]) below++;
                else if (values[j] == values[i]) equal++;
            }
            ranks[i] = below + (equal + 1) / 2.0;
        }
        return ranks;
    }
}
