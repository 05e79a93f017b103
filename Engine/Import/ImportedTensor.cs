namespace Engine.Import;

/// <summary>A weight array of an imported layer, in Keras' layout and gate order.</summary>
public sealed record ImportedTensor(string Name, int[] Shape, float[] Data);
