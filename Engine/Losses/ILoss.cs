namespace Engine.Losses;

/// <summary>A loss averaged over every element of the prediction (Keras: mean over outputs, then over the
/// batch).</summary>
public interface ILoss
{
    /// <summary>Keras' name: binary_crossentropy, mean_squared_error, categorical_crossentropy.</summary>
    string Name { get; }

    /// <summary>Returns the mean loss and writes its gradient with respect to each prediction into
    /// <paramref name="dPrediction"/>.</summary>
    float Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> dPrediction);

    /// <summary>Returns the mean loss only.</summary>
    float Value(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target);

    /// <summary>How many consecutive outputs one term of the loss covers together: 1 for a loss of each output alone
    /// (the default), a row of class probabilities for categorical cross-entropy. A part of a prediction whose loss
    /// is asked alone must be whole rows.</summary>
    int RowWidth => 1;

    /// <summary>
    /// For predictions p = sigmoid(z) given by their logits z: when the loss has a stable form fused with the sigmoid,
    /// writes dL/dz into <paramref name="dLogits"/>, sets <paramref name="value"/> to the mean loss and returns true;
    /// otherwise returns false and writes nothing.
    /// </summary>
    bool TryComputeFromLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, Span<float> dLogits,
                              out float value)
    {
        value = 0;
        return false;
    }

    /// <summary>
    /// For predictions p = softmax(z) over rows of <paramref name="classes"/> logits z: when the loss has a stable
    /// form fused with the softmax, writes dL/dz into <paramref name="dLogits"/>, sets <paramref name="value"/> to the
    /// mean loss and returns true; otherwise returns false and writes nothing.
    /// </summary>
    bool TryComputeFromSoftmaxLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, Span<float> dLogits,
                                     int classes, out float value)
    {
        value = 0;
        return false;
    }
}
