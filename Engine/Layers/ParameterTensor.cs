namespace Engine.Layers;

/// <summary>A named tensor inside a layer's slice of the model's flat parameter buffer.</summary>
/// <param name="Name">Keras' name: kernel, recurrent_kernel, bias.</param>
/// <param name="Offset">Offset from the start of the layer's slice.</param>
/// <param name="Shape">Shape, row-major.</param>
internal sealed record ParameterTensor(string Name, int Offset, int[] Shape)
{
    /// <summary>Number of elements.</summary>
    public int Length => Shape.Aggregate(1, (a, b) => a * b);
}
