namespace Demo.Sharding;

public sealed record CompletenessJson(double Gap, double Difference, int Intervals, double Tolerance);
