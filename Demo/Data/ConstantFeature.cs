namespace Demo.Data;

/// <summary>A feature column left out of training because it holds <paramref name="Value"/> on every row.</summary>
public sealed record ConstantFeature(string Name, float Value);
