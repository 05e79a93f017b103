namespace Engine.Metrics;

/// <summary>
/// The area under the ROC curve, exactly, by the rank-sum (Mann-Whitney U) formula with tied scores given their
/// average rank: with the n pairs sorted by prediction, ranks 1..n, a group of equal predictions at ranks a..b each
/// ranked (a + b) / 2, R_1 the sum of the positives' ranks, n_1 positives (y = 1) and n_0 negatives (y = 0):
/// <c>AUC = (R_1 - n_1 (n_1 + 1) / 2) / (n_1 n_0)</c>, the probability that a random positive scores above a random
/// negative, ties counting one half. NaN when one class is absent. Targets must be 0 or 1. (Keras' <c>AUC</c>
/// approximates this with 200 thresholds; this is the value it approaches.) Sorts a copy in buffers kept by the
/// instance: no allocation once they have grown to the largest n.
/// </summary>
public sealed class RocAuc : IMetric
{
    private float[] _scores = [], _labels = [];

    public string Name => "auc";

    public double Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        Check.SameLength(prediction, target, nameof(prediction), nameof(target));
        int n = prediction.Length;
        if (_scores.Length < n) { _scores = new float[n]; _labels = new float[n]; }
        long positives = 0;
        for (int i = 0; i < n; i++)
        {
            float y = target[i];
            if (y != 0f && y != 1f)
                throw new ArgumentException($"AUC needs 0/1 targets; target {i} is {y}", nameof(target));
            if (float.IsNaN(prediction[i]))
                throw new ArgumentException($"prediction {i} is NaN", nameof(prediction));
            if (y == 1f) positives++;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        prediction.CopyTo(_scores);
        target.CopyTo(_labels);
        Array.Sort(_scores, _labels, 0, n);
        // Ranks are half-integers and their sums stay below 2^53: the double sums are exact, whatever the order of
        // equal scores the sort left.
        double rankSum = 0;
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && _scores[end] == _scores[start]) end++;
            double rank = (start + 1 + end) / 2.0; // the average of ranks start+1 .. end
            int groupPositives = 0;
            for (int i = start; i < end; i++) if (_labels[i] == 1f) groupPositives++;
            rankSum += groupPositives * rank;
            start = end;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
