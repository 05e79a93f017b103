namespace Engine.Tests.Reference;

/// <summary>The scalar losses the gradient checks differentiate, in double precision.</summary>
public enum LossKind
{
    /// <summary>L = sum_k w_k p_k with fixed random weights w: every output gets its own gradient.</summary>
    WeightedSum,
    /// <summary>L = mean((p - y)^2).</summary>
    MeanSquaredError,
    /// <summary>L = -mean(y ln p + (1 - y) ln(1 - p)), p clipped to [1e-7, 1 - 1e-7] in float32, as Keras
    /// does.</summary>
    BinaryCrossEntropy,
}

public static class ReferenceLoss
{
    /// <summary>Keras' clip bounds for probabilities, 1e-7 and 1 - 1e-7, as float32 holds them.</summary>
    public const double ClipLow = 1e-7f, ClipHigh = 1f - 1e-7f;

    /// <summary>
    /// Whether float32 resolves these probabilities well enough for BCE's gradient (y - p) / (p (1 - p)):
    /// near 1, float32 keeps 1 - p to only 6e-8 absolute, so 1 - p below 1e-3 (or p at the clip bounds) is
    /// not a fair comparison between the float engine and the double reference. Near 0 the gradient divides by p,
    /// which turns the float error of p and of dp/dw (absolute, from the O(1) terms a small state is the difference
    /// of) into a relative one: a sigmoid GRU's state p = 6e-6 put the engine at 1.014 times the tolerance (FsCheck
    /// replay (9238384379770803113,6887306564715551173,55) of GruTests' property), so p must be at least
    /// <see cref="MinResolved"/> (16 times that margin), or below the clip (where the gradient is 0 in both).
    /// </summary>
    public static bool WellConditioned(double[] p) =>
        p.All(v => v < 1 - 1e-3 && (v > MinResolved || v < ClipLow * (1 - 1e-3)));

    /// <summary>The smallest probability the BCE gradient check compares (see <see cref="WellConditioned"/>).</summary>
    public const double MinResolved = 1e-4;

    /// <summary>The loss of prediction p against y (for <see cref="LossKind.WeightedSum"/>, y holds the
    /// weights).</summary>
    public static double Value(LossKind kind, double[] p, double[] y)
    {
        double sum = 0;
        for (int k = 0; k < p.Length; k++)
        {
            switch (kind)
            {
                case LossKind.WeightedSum:
                    sum += y[k] * p[k];
                    break;
                case LossKind.MeanSquaredError:
                    sum += (p[k] - y[k]) * (p[k] - y[k]) / p.Length;
                    break;
                default:
                    double pc = Math.Clamp(p[k], ClipLow, ClipHigh);
                    sum -= (y[k] * Math.Log(pc) + (1 - y[k]) * Math.Log(1 - pc)) / p.Length;
                    break;
            }
        }
        return sum;
    }

    /// <summary>BCE on logits z, without clipping: mean(max(z, 0) - z y + ln(1 + e^-|z|)) = BCE(sigmoid(z), y)
    /// exactly.</summary>
    public static double BinaryCrossEntropyFromLogits(double[] z, double[] y)
    {
        double sum = 0;
        for (int k = 0; k < z.Length; k++)
            sum += Math.Max(z[k], 0) - z[k] * y[k] + Math.Log(1 + Math.Exp(-Math.Abs(z[k])));
        return sum / z.Length;
    }
}
