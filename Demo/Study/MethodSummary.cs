using Engine.Importance;

namespace Demo.Study;

/// <summary>
/// One method over the K replicates: Olden's similarity (mean share of inputs at their true rank) with its 95%
/// interval over replicates, the share of replicates ranking each input correctly, Spearman's rho of estimated and
/// true ranks, the share of replicates ranking the irrelevant inputs strictly last, each input's mean rank, and the
/// mean seconds per replicate. <paramref name="ChanceLevel"/>: the method ranks randomised networks
/// (<see cref="ImportanceResult.RandomisedModel"/>), so its row is the chance level.
/// </summary>
public sealed record MethodSummary(string Name, SampleStatistics Similarity, double[] CorrectByFeature,
                                   SampleStatistics Spearman,
                                   double IrrelevantLast, double[] MeanRank, double Seconds, bool ChanceLevel = false);
