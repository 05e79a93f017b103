namespace Engine.Models;

/// <summary>One row of a model summary.</summary>
/// <param name="Name">Keras-style name: lstm, lstm_1, dense, flatten.</param>
/// <param name="Type">Layer type: LSTM, Dense, Flatten.</param>
/// <param name="OutputShape">Output shape with None for the batch axis, e.g. (None, 10, 5).</param>
/// <param name="Parameters">Number of parameters.</param>
/// <param name="Details">Activations and options, e.g. relu / sigmoid, return_sequences.</param>
public sealed record SummaryRow(string Name, string Type, string OutputShape, int Parameters, string Details);
