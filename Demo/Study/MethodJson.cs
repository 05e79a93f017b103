namespace Demo.Study;

public sealed record MethodJson(string Name, StatisticsJson Similarity, double[] CorrectByFeature,
                                StatisticsJson Spearman, double? IrrelevantLast, double[] MeanRank, double Seconds);
