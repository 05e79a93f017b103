using System.Numerics;
using System.Runtime.CompilerServices;

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
        float scale = 1f / prediction.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Inside the clip pc = p, so the vector form needs no clamp; outside (and for NaN) the mask gives 0.
            var s = new Vector<float>(scale);
            var lo = new Vector<float>(Epsilon);
            var hi = new Vector<float>(1f - Epsilon);
            for (; i <= prediction.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var p = new Vector<float>(prediction[i..]);
                var y = new Vector<float>(target[i..]);
                var inside = Vector.GreaterThan(p, lo) & Vector.LessThan(p, hi);
                Vector.ConditionalSelect(inside, s * (p - y) / (p * (Vector<float>.One - p)),
                                         Vector<float>.Zero).CopyTo(dPrediction[i..]);
            }
        }
        for (; i < prediction.Length; i++)
        {
            float p = prediction[i], y = target[i];
            dPrediction[i] = p > Epsilon && p < 1f - Epsilon ? scale * (p - y) / (p * (1f - p)) : 0f;
        }
        return Value(prediction, target);
    }

    public float Value(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        Check.SameLength(prediction, target, nameof(prediction), nameof(target));
        double sum = 0;
        for (int i = 0; i < prediction.Length; i++)
            sum -= Term(Math.Clamp(prediction[i], Epsilon, 1f - Epsilon), target[i]);
        return (float)(sum / prediction.Length);
    }

    // y ln pc + (1 - y) ln(1 - pc) with one log for a 0/1 target: both logs are finite and negative inside the clip, so
    // the
    // other product is a signed zero that leaves the sum's bits unchanged.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Term(float pc, float y) =>
        y == 1f ? MathF.Log(pc) : y == 0f ? MathF.Log(1f - pc) : y * MathF.Log(pc) + (1f - y) * MathF.Log(1f - pc);

    /// <summary>The fused form: <see cref="ComputeFromLogits"/>; always true.</summary>
    public bool TryComputeFromLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, Span<float> dLogits,
                                     out float value)
    {
        value = ComputeFromLogits(logits, target, dLogits);
        return true;
    }

    /// <summary>The fused sigmoid + BCE on logits z: returns the mean loss, writes dL/dz.</summary>
    internal static float ComputeFromLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, Span<float> dLogits)
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
