namespace Engine.Models;

/// <summary>One tensor's entry in a safetensors header: name, shape and byte range in the data section.</summary>
public sealed record TensorEntry(string Name, int[] Shape, long Begin, long End)
{
    /// <summary>Number of F32 values.</summary>
    public int Count => (int)((End - Begin) / 4);
}
