namespace Engine.Importance;

/// <summary>
/// The greedy searches the four stepwise methods share, over subsets of included features held as bit masks.
/// <c>loss(masks)</c> evaluates many subsets at once (in parallel) and must be deterministic per mask.
/// </summary>
internal static class StepwiseSearch
{
    /// <summary>The largest F a 64-bit mask holds with room to spare.</summary>
    public const int MaxFeatures = 62;

    /// <summary>
    /// Forward selection from the empty set: at each step add the feature whose subset has the lowest loss.
    /// Score = the drop in loss at its entry; rank = order of entry (1 = first in).
    /// </summary>
    public static (double[] Scores, int[] Ranks, int[] Order) Forward(int features, Func<ulong[], double[]> loss)
    {
        CheckFeatures(features);
        var scores = new double[features];
        var ranks = new int[features];
        var order = new List<int>(features);
        ulong included = 0;
        double current = loss([0UL])[0];
        while (order.Count < features)
        {
            var candidates = Enumerable.Range(0, features).Where(i => (included & Bit(i)) == 0).ToArray();
            var losses = loss(candidates.Select(i => included | Bit(i)).ToArray());
            int best = ArgMin(losses);
            int feature = candidates[best];
            scores[feature] = current - losses[best];
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
    public static (double[] Scores, int[] Ranks, int[] Order) Backward(int features, Func<ulong[], double[]> loss)
    {
        CheckFeatures(features);
        var scores = new double[features];
        var ranks = new int[features];
        var order = new List<int>(features);
        ulong included = features == 64 ? ulong.MaxValue : (1UL << features) - 1;
        double current = double.NaN;
        while (order.Count < features)
        {
            var candidates = Enumerable.Range(0, features).Where(i => (included & Bit(i)) != 0).ToArray();
            var masks = candidates.Select(i => included & ~Bit(i));
            // The first round also evaluates the full set, so both run in one parallel batch.
            bool first = double.IsNaN(current);
            var losses = loss((first ? masks.Prepend(included) : masks).ToArray());
            if (first) { current = losses[0]; losses = losses[1..]; }
            int best = ArgMin(losses);
            int feature = candidates[best];
            scores[feature] = losses[best] - current;
            current = losses[best];
            included &= ~Bit(feature);
            order.Add(feature);
            ranks[feature] = features - order.Count + 1;
        }
        return (scores, ranks, order.ToArray());
    }

    /// <summary>The feature indices in a mask, ascending.</summary>
    public static int[] Members(ulong mask, int features) => Enumerable.Range(0, features).Where(i => (mask & Bit(i)) != 0).ToArray();

    public static ulong Bit(int i) => 1UL << i;

    // Lowest loss; ties go to the lowest feature index, so the search is deterministic.
    private static int ArgMin(double[] losses)
    {
        int best = 0;
        for (int j = 1; j < losses.Length; j++) if (losses[j] < losses[best]) best = j;
        return best;
    }

    private static void CheckFeatures(int features)
    {
        if (features < 1 || features > MaxFeatures)
            throw new ArgumentOutOfRangeException(nameof(features), features, $"stepwise methods handle 1 to {MaxFeatures} features, not {features}");
    }
}
