namespace Engine.Metrics;

/// <summary>
/// The area under the ROC curve, exactly, by the Mann-Whitney U statistic: with n_1 positives (y = 1) and n_0
/// negatives (y = 0), <c>U = sum over (positive, negative) pairs of [p_pos &gt; p_neg] + 1/2 [p_pos = p_neg]</c> and
/// <c>AUC = U / (n_1 n_0)</c>, the probability that a random positive scores above a random negative, ties counting
/// one half. This is the rank-sum form (R_1 - n_1 (n_1 + 1) / 2) / (n_1 n_0) with tied scores at their average rank.
/// NaN when one class is absent. Targets must be 0 or 1. (Keras' <c>AUC</c> approximates this with 200 thresholds;
/// this is the value it approaches.) Memory: a sorted copy of the smaller class's scores only (at most n / 2 floats),
/// in a buffer kept by the instance (no allocation once it has grown); each score of the other class counts the
/// copy's scores below and equal to it by binary search, O(n log n) in all.
/// </summary>
public sealed class RocAuc : IMetric
{
    private float[] _scores = [];

    public string Name => "auc";

    public double Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        long positives = CheckPairs(prediction, target, 0), negatives = prediction.Length - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        bool positivesSorted = positives <= negatives;
        float sortedClass = positivesSorted ? 1f : 0f;
        int m = (int)Math.Min(positives, negatives);
        if (_scores.Length < m) _scores = new float[m];
        var sorted = _scores.AsSpan(0, m);
        for (int i = 0, k = 0; i < prediction.Length; i++) if (target[i] == sortedClass) sorted[k++] = prediction[i];
        sorted.Sort();
        long twiceU = 0;
        for (int i = 0; i < prediction.Length; i++)
            if (target[i] != sortedClass) twiceU += TwiceWins(sorted, prediction[i], positivesSorted);
        return FromTwiceU(twiceU, positives, negatives);
    }

    /// <summary>The AUC of the positives' and the negatives' scores (each class's in any order; the smaller is
    /// sorted in place), as <see cref="Compute"/> gives it for the pairs, bit for bit.</summary>
    internal static double FromClasses(Span<float> positives, Span<float> negatives)
    {
        if (positives.IsEmpty || negatives.IsEmpty) return double.NaN;
        bool positivesSorted = positives.Length <= negatives.Length;
        var sorted = positivesSorted ? positives : negatives;
        sorted.Sort();
        long twiceU = 0;
        foreach (float score in positivesSorted ? negatives : positives)
            twiceU += TwiceWins(sorted, score, positivesSorted);
        return FromTwiceU(twiceU, positives.Length, negatives.Length);
    }

    /// <summary>Throws unless the pairs have 0/1 targets and predictions that are not NaN (pair i is named
    /// <paramref name="first"/> + i); returns the positives.</summary>
    internal static long CheckPairs(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, long first)
    {
        Check.SameLength(prediction, target, nameof(prediction), nameof(target));
        long positives = 0;
        for (int i = 0; i < prediction.Length; i++)
        {
            float y = target[i];
            if (y != 0f && y != 1f)
                throw new ArgumentException($"AUC needs 0/1 targets; target {first + i} is {y}", nameof(target));
            if (float.IsNaN(prediction[i]))
                throw new ArgumentException($"prediction {first + i} is NaN", nameof(prediction));
            if (y == 1f) positives++;
        }
        return positives;
    }

    // 2U in a long: each pair adds 2 (the positive wins), 1 (a tie) or 0; exact, and so is U = 2U / 2 in double (below
    // 2^53), whatever the order of equal scores.
    private static double FromTwiceU(long twiceU, long positives, long negatives) =>
        twiceU / 2.0 / ((double)positives * negatives);

    // Twice the wins of the pairs of one score of the other class with every sorted score: a negative's score loses to
    // the sorted positives above it; a positive's wins over the sorted negatives below it; ties count 1.
    private static long TwiceWins(ReadOnlySpan<float> sorted, float score, bool positivesSorted)
    {
        int below = FirstNotBelow(sorted, score), atOrBelow = FirstAbove(sorted, score, below);
        return 2L * (positivesSorted ? sorted.Length - atOrBelow : below) + (atOrBelow - below);
    }

    // The first index whose score is not below x (m when every score is).
    private static int FirstNotBelow(ReadOnlySpan<float> sorted, float x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    // The first index at or after from whose score is above x.
    private static int FirstAbove(ReadOnlySpan<float> sorted, float x, int from)
    {
        int lo = from, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
