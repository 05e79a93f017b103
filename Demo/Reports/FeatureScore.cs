namespace Demo.Reports;

/// <summary>One feature's importance under one method, as a report shows it.</summary>
/// <param name="Ci95">The 95% interval (mean +/- 1.96 SE) where the method repeats something, else null.</param>
/// <param name="P">The p-value where the method tests the score (connection-weights-test), else null.</param>
public sealed record FeatureScore(string Name, double Score, int Rank, double? Sd = null, double? Se = null,
                                  int? Count = null, double[]? Ci95 = null, double? P = null);
