namespace Engine.Import;

/// <summary>A weight array of an imported layer, in Keras' layout and gate order.</summary>
public sealed record ImportedTensor(string Name, int[] Shape, float[] Data);

/// <summary>One layer of an imported network, in Keras terms: its class name (LSTM, GRU, Bidirectional, Dense,
/// Dropout, SpatialDropout1D, Flatten, TimeDistributed, InputLayer), its name, its Keras config object (units,
/// activation, recurrent_activation, return_sequences, reset_after, use_bias, merge_mode, layer (nested config) ...),
/// and its weights: kernel (In, G*H), recurrent_kernel (H, G*H), bias (G*H) or, for GRU with reset_after, (2, 3H);
/// Keras gate order (LSTM i, f, c, o; GRU z, r, h); Bidirectional: "forward_layer/kernel", "backward_layer/kernel", ...
/// TimeDistributed(Dense): the inner Dense's kernel and bias.</summary>
public sealed record ImportedLayer(string ClassName, string Name, System.Text.Json.Nodes.JsonObject Config,
                                   IReadOnlyList<ImportedTensor> Weights);

/// <summary>An imported network: source format ("keras3", "keras3-h5", "keras2-h5", "onnx"), the producer's version
/// (Keras' keras_version or the ONNX producer), the input steps (null when the model accepts any length) and
/// features, the layers in order, and the SHA-256 and file name of the source.</summary>
public sealed record ImportedModel(string Format, string? SourceVersion, int? Steps, int Features,
                                   IReadOnlyList<ImportedLayer> Layers, string SourceName, string SourceSha256);
