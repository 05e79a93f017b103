namespace Engine.Import;

/// <summary>One layer of an imported network, in Keras terms: its class name (LSTM, GRU, Bidirectional, Dense,
/// Dropout, SpatialDropout1D, Flatten, TimeDistributed, InputLayer), its name, its Keras config object (units,
/// activation, recurrent_activation, return_sequences, reset_after, use_bias, merge_mode, layer (nested config) ...),
/// and its weights: kernel (In, G*H), recurrent_kernel (H, G*H), bias (G*H) or, for GRU with reset_after, (2, 3H);
/// Keras gate order (LSTM i, f, c, o; GRU z, r, h); Bidirectional: "forward_layer/kernel", "backward_layer/kernel", ...
/// TimeDistributed(Dense): the inner Dense's kernel and bias.</summary>
public sealed record ImportedLayer(string ClassName, string Name, System.Text.Json.Nodes.JsonObject Config,
                                   IReadOnlyList<ImportedTensor> Weights);
