namespace Engine.Importance;

/// <summary>
/// One feature's importance: its 0-based index, score, rank (1 = most important), statistics when repeated, and a
/// p-value where a method tests the score (connection-weights-test), else null.
/// </summary>
public sealed record FeatureImportance(int Feature, double Score, int Rank, SampleStatistics? Statistics = null,
                                       double? P = null);
