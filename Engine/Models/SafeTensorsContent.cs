namespace Engine.Models;

/// <summary>The content of a safetensors file: tensors in file order and the string-to-string metadata.</summary>
internal sealed record SafeTensorsContent(IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string,
                                          string> Metadata);
