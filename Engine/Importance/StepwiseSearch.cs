namespace Engine.Importance;

/// <summary>
/// The greedy searches the four stepwise methods share, over subsets of included features held as bit masks.
/// <c>loss(masks)</c> evaluates many subsets at once (in parallel) and must be deterministic per mask; it returns
/// per mask one loss per restart (K independent retrainings, or one for a deterministic evaluation). The search
/// follows the mean loss; a feature's score is the mean over restarts of the paired differences
/// (restart k of one subset against restart k of the other), with their statistics.
/// </summary>
internal static class StepwiseSearch
{
    /// <summary>The largest F a 64-bit mask holds with room to spare.</summary>
    public const int MaxFeatures = 62;

    /// <summary>
    /// Forward selection from the empty set: at each step add the feature whose subset has the lowest loss.
    /// Score = the drop in loss at its entry; rank = order of entry (1 = first in).
    /// </summary>
    public static (SampleStatistics[] Scores, int[] Ranks, int[] Order) Forward(int features, Func<ulong[],
                                                                                double[][]> loss)
    {
        CheckFeatures(features);
        var scores = new SampleStatistics[features];
        var ranks = new int[features];
        var order = new List<int>(features);
        ulong included = 0;
        var current = loss([0UL])[0];
        while (order.Count < features)
        {
            var candidates = Enumerable.Range(0, features).Where(i => (included & Bit(i)) == 0).ToArray();
            var losses = loss(candidates.Select(i => included | Bit(i)).ToArray());
            int best = ArgMin(losses);
            int feature = candidates[best];
            scores[feature] = Difference(current, losses[best]);
            current = losses[best];
            included |= Bit(feature);
            order.Add(feature);
            ranks[feature] = order.Count;
        }
        return (scores, ranks, order.ToArray());
    }

    /// <summary>
    /// Backward elimination from the full set: at each step remove the feature whose removal leaves the lowest loss
    /// (costs least). Score = the rise in loss at its removal (the last feature: its removal down to the empty set);
    /// rank = F - (removal index), so the first removed ranks last.
    /// </summary>
    public static (SampleStatistics[] Scores, int[] Ranks, int[] Order) Backward(int features, Func<ulong[],
                                                                                 double[][]> loss)
    {
        CheckFeatures(features);
        var scores = new SampleStatistics[features];
        var ranks = new int[features];
        var order = new List<int>(features);
        ulong included = (1UL << features) - 1;
        double[]? current = null;
        while (order.Count < features)
        {
            var candidates = Enumerable.Range(0, features).Where(i => (included & Bit(i)) != 0).ToArray();
            var masks = candidates.Select(i => included & ~Bit(i));
            // The first round also evaluates the full set, so both run in one parallel batch.
            bool first = current is null;
            var losses = loss((first ? masks.Prepend(included) : masks).ToArray());
            if (first) { current = losses[0]; losses = losses[1..]; }
            int best = ArgMin(losses);
            int feature = candidates[best];
            scores[feature] = Difference(losses[best], current!);
            current = losses[best];
            included &= ~Bit(feature);
            order.Add(feature);
            ranks[feature] = features - order.Count + 1;
        }
        return (scores, ranks, order.ToArray());
    }

    /// <summary>The feature indices in a mask, ascending.</summary>
    public static int[] Members(ulong mask, int features) =>
        Enumerable.Range(0, features).Where(i => (mask & Bit(i)) != 0).ToArray();

    public static ulong Bit(int i) => 1UL << i;

    // Lowest mean loss; ties go to the lowest feature index, so the search is deterministic.
    private static int ArgMin(double[][] losses)
    {
        int best = 0;
        for (int j = 1; j < losses.Length; j++) if (losses[j].Average() < losses[best].Average()) best = j;
        return best;
    }

    // Statistics of a[k] - b[k] over restarts k (a subset without restarts, e.g. the empty one, broadcasts).
    private static SampleStatistics Difference(double[] a, double[] b)
    {
        int n = Math.Max(a.Length, b.Length);
        var d = new double[n];
        for (int k = 0; k < n; k++) d[k] = a[Math.Min(k, a.Length - 1)] - b[Math.Min(k, b.Length - 1)];
        return ImportanceStatistics.Summarise(d);
    }

    private static void CheckFeatures(int features)
    {
        if (features < 1 || features > MaxFeatures)
            throw new ArgumentOutOfRangeException(nameof(features), features,
                                                  $"stepwise methods handle 1 to {MaxFeatures} features, not " +
                                                  $"{features}");
    }
}
