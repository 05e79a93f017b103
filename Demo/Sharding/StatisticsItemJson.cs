namespace Demo.Sharding;

public sealed record StatisticsItemJson(double Mean, double Sd, double Se, int Count);
