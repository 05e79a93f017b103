namespace Demo.Sharding;

public sealed record CurveJson(int Feature, double[] Values, double[][] Levels, double[] Median);
