namespace Engine.Losses;

/// <summary>
/// Binary cross-entropy with Keras' semantics on probabilities: p is clipped to [eps, 1 - eps], eps = 1e-7,
/// <c>L = -mean(y ln p + (1 - y) ln(1 - p))</c>; the gradient is zero where the clip is active.
/// <see cref="ComputeFromLogits"/> is the fused, stable form for a sigmoid output:
/// <c>L = mean(max(z, 0) - z y + ln(1 + e^-|z|))</c>, <c>dL/dz = (sigmoid(z) - y) / count</c>.
/// </summary>
public sealed class BinaryCrossEntropy : ILoss
{
    /// <summary>Keras' backend epsilon.</summary>
    public const float Epsilon = 1e-7f;

    public string Name => "binary_crossentropy";

    public float Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> dPrediction)
    {
        Check.SameLength(prediction, target, nameof(prediction), nameof(target));
        Check.SameLength(prediction, dPrediction, nameof(prediction), nameof(dPrediction));
        double sum = 0;
        float scale = 1f / prediction.Length;
        for (int i = 0; i < prediction.Length; i++)
        {
            float p = prediction[i], y = target[i];
            float pc = Math.Clamp(p, Epsilon, 1f - Epsilon);
            sum -= y * MathF.Log(pc) + (1f - y) * MathF.Log(1f - pc);
            dPrediction[i] = p > Epsilon && p < 1f - Epsilon ? scale * (pc - y) / (pc * (1f - pc)) : 0f;
        }
        return (float)(sum / prediction.Length);
    }

    public float Value(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        Check.SameLength(prediction, target, nameof(prediction), nameof(target));
        double sum = 0;
        for (int i = 0; i < prediction.Length; i++)
        {
            float pc = Math.Clamp(prediction[i], Epsilon, 1f - Epsilon), y = target[i];
            sum -= y * MathF.Log(pc) + (1f - y) * MathF.Log(1f - pc);
        }
        return (float)(sum / prediction.Length);
    }

    /// <summary>The fused sigmoid + BCE on logits z: returns the mean loss, writes dL/dz.</summary>
    public static float ComputeFromLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, Span<float> dLogits)
    {
        Check.SameLength(logits, target, nameof(logits), nameof(target));
        Check.SameLength(logits, dLogits, nameof(logits), nameof(dLogits));
        double sum = 0;
        float scale = 1f / logits.Length;
        for (int i = 0; i < logits.Length; i++)
        {
            float z = logits[i], y = target[i];
            sum += MathF.Max(z, 0f) - z * y + MathF.Log(1f + MathF.Exp(-MathF.Abs(z)));
            dLogits[i] = scale * (1f / (1f + MathF.Exp(-z)) - y);
        }
        return (float)(sum / logits.Length);
    }
}
