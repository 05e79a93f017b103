namespace Engine.Training;

/// <summary>A validation set held as arrays.</summary>
public sealed record ValidationSet(float[] Inputs, float[] Targets, int Count);
