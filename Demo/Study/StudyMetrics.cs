using Engine.Importance;

namespace Demo.Study;

/// <summary>
/// How well one estimated ranking matches the true one. Ranks are 1-based, 1 = most important, ties share a rank
/// (competition ranks, as <see cref="ImportanceStatistics.Ranks"/> gives them).
/// </summary>
public static class StudyMetrics
{
    /// <summary>
    /// Olden's similarity for one network: the share of inputs whose estimated rank equals the true rank,
    /// (1/F) sum_j [est_j = true_j]. Its mean over K networks equals the mean over inputs of the share of networks
    /// that rank input j correctly, the per-variable "percent correct" averaged over variables. Perfect = 1; a
    /// reversed ranking of F inputs scores 1/F when F is odd (the middle one) and 0 when F is even.
    /// </summary>
    public static double Similarity(ReadOnlySpan<int> estimated, ReadOnlySpan<int> truth)
    {
        Check(estimated, truth);
        int hits = 0;
        for (int j = 0; j < truth.Length; j++) if (estimated[j] == truth[j]) hits++;
        return (double)hits / truth.Length;
    }

    /// <summary>
    /// Spearman's rank correlation of the estimated and true ranks; 0 when the estimate ties every input (a network
    /// that ignores its inputs ranks nothing: no information, not a NaN that would poison the mean).
    /// </summary>
    public static double Spearman(ReadOnlySpan<int> estimated, ReadOnlySpan<int> truth)
    {
        Check(estimated, truth);
        var a = new double[estimated.Length];
        var b = new double[truth.Length];
        for (int j = 0; j < a.Length; j++) { a[j] = estimated[j]; b[j] = truth[j]; }
        double rho = ImportanceStatistics.Spearman(a, b);
        return double.IsNaN(rho) ? 0 : rho;
    }

    /// <summary>Whether every one of the <paramref name="irrelevant"/> inputs ranks strictly below every other
    /// input.</summary>
    public static bool IrrelevantLast(ReadOnlySpan<int> estimated, IReadOnlyCollection<int> irrelevant)
    {
        if (irrelevant.Count == 0 || irrelevant.Count >= estimated.Length) return false;
        int worstRelevant = 0, bestIrrelevant = int.MaxValue;
        for (int j = 0; j < estimated.Length; j++)
        {
            if (irrelevant.Contains(j)) bestIrrelevant = Math.Min(bestIrrelevant, estimated[j]);
            else worstRelevant = Math.Max(worstRelevant, estimated[j]);
        }
        return bestIrrelevant > worstRelevant;
    }

    private static void Check(ReadOnlySpan<int> estimated, ReadOnlySpan<int> truth)
    {
        if (estimated.Length != truth.Length || truth.Length == 0)
            throw new ArgumentException($"the estimated ranking has {estimated.Length} inputs and the true one " +
                                        $"{truth.Length}: they must match and not be empty");
    }
}
