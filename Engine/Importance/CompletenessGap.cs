namespace Engine.Importance;

/// <summary>Integrated gradients' completeness check: how far the attributions' sums are from F(x) - F(x').</summary>
/// <param name="Gap">
/// The relative gap <c>sum_n |sum_{t,i} A[n, t, i] - (F(x_n) - F(x'_n))| / sum_n |F(x_n) - F(x'_n)|</c> (0 when both
/// sums are 0).
/// </param>
/// <param name="Difference">The denominator's mean, <c>mean_n |F(x_n) - F(x'_n)|</c>.</param>
/// <param name="Intervals">The trapezoid rule's intervals the attributions were computed with.</param>
/// <param name="Tolerance">The gap aimed at.</param>
public sealed record CompletenessGap(double Gap, double Difference, int Intervals, double Tolerance)
{
    /// <summary>True when the gap is within <see cref="Tolerance"/>; false when the cap on intervals stopped the
    /// search.</summary>
    public bool Converged => Gap <= Tolerance;

    /// <summary>One line: the gap in percent, the intervals, and whether the cap was hit.</summary>
    public string Describe() => Converged
        ? $"completeness gap {100 * Gap:0.###}% of |F(x) - F(x')| at {Intervals} intervals"
        : $"completeness gap {100 * Gap:0.###}% of |F(x) - F(x')| at the cap of {Intervals} intervals: " +
          $"not below {100 * Tolerance:0.###}%";
}
