namespace Engine.Losses;

/// <summary>Mean squared error: <c>L = mean((p - y)^2)</c>, <c>dL/dp = 2 (p - y) / count</c>.</summary>
public sealed class MeanSquaredError : ILoss
{
    public string Name => "mean_squared_error";

    public float Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> dPrediction)
    {
        Check.SameLength(prediction, target, nameof(prediction), nameof(target));
        Check.SameLength(prediction, dPrediction, nameof(prediction), nameof(dPrediction));
        double sum = 0;
        float scale = 2f / prediction.Length;
        for (int i = 0; i < prediction.Length; i++)
        {
            float d = prediction[i] - target[i];
            sum += d * d;
            dPrediction[i] = scale * d;
        }
        return (float)(sum / prediction.Length);
    }

    public float Value(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        Check.SameLength(prediction, target, nameof(prediction), nameof(target));
        double sum = 0;
        for (int i = 0; i < prediction.Length; i++) { float d = prediction[i] - target[i]; sum += d * d; }
        return (float)(sum / prediction.Length);
    }
}
