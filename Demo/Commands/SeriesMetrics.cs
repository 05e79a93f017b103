namespace Demo.Commands;

/// <summary>The loss and the metrics by Keras name over some series.</summary>
public sealed record SeriesMetrics(int Series, float Loss, Dictionary<string, float> Metrics);
