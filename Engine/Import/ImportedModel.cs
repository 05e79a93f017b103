namespace Engine.Import;

/// <summary>An imported network: source format ("keras3", "keras3-h5", "keras2-h5", "onnx"), the producer's version
/// (Keras' keras_version or the ONNX producer), the input steps (null when the model accepts any length) and
/// features, the layers in order, and the SHA-256 and file name of the source.</summary>
public sealed record ImportedModel(string Format, string? SourceVersion, int? Steps, int Features,
                                   IReadOnlyList<ImportedLayer> Layers, string SourceName, string SourceSha256);
