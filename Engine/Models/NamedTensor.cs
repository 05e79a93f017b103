namespace Engine.Models;

/// <summary>One F32 tensor of a safetensors file.</summary>
/// <param name="Name">Tensor name, e.g. layers.0.kernel.</param>
/// <param name="Shape">Shape, row-major.</param>
/// <param name="Data">Values, row-major; length = product of <paramref name="Shape"/>.</param>
public sealed record NamedTensor(string Name, int[] Shape, float[] Data);
