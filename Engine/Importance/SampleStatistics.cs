namespace Engine.Importance;

/// <summary>
/// Statistics of a repeated estimate (noise draws, permutations, retrainings, networks), as ML.NET's permutation
/// importance reports them: mean, sample SD (n - 1), SE = SD / sqrt(n), n, and the 95% interval mean ± 1.96 SE.
/// SD and SE are NaN when n = 1.
/// </summary>
public readonly record struct SampleStatistics(double Mean, double Sd, double Se, int Count)
{
    /// <summary>Lower end of the 95% interval, mean - 1.96 SE.</summary>
    public double Ci95Low => Mean - ImportanceStatistics.Z95 * Se;

    /// <summary>Upper end of the 95% interval, mean + 1.96 SE.</summary>
    public double Ci95High => Mean + ImportanceStatistics.Z95 * Se;
}
