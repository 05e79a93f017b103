namespace Demo.Data;

/// <summary>Per-feature standardisation x' = (x - mean) / sd, with the training data's statistics.</summary>
public sealed record Normalisation(float[] Mean, float[] Sd);
