namespace Engine.Metrics;

/// <summary>One metric's value, named (<see cref="IMetric.Name"/>).</summary>
public readonly record struct MetricValue(string Name, double Value);
