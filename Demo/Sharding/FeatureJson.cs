namespace Demo.Sharding;

public sealed record FeatureJson(int Feature, double Score, int Rank, StatisticsItemJson? Statistics, double? P);
