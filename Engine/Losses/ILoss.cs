namespace Engine.Losses;

/// <summary>A loss averaged over every element of the prediction (Keras: mean over outputs, then over the batch).</summary>
public interface ILoss
{
    /// <summary>Keras' name: binary_crossentropy, mean_squared_error.</summary>
    string Name { get; }

    /// <summary>Returns the mean loss and writes its gradient with respect to each prediction into <paramref name="dPrediction"/>.</summary>
    float Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> dPrediction);

    /// <summary>Returns the mean loss only.</summary>
    float Value(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target);
}
