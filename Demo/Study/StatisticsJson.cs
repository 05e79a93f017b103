namespace Demo.Study;

/// <summary>A mean over replicates: SD and SE null when undefined (one replicate), the 95% interval only from two
/// replicates on.</summary>
public sealed record StatisticsJson(double Mean, double? Sd, double? Se, int Count, double[]? Ci95);
