namespace Engine.Losses;

/// <summary>
/// Categorical cross-entropy over rows of <see cref="Classes"/> class probabilities, with Keras' semantics on
/// probabilities: p clipped to [eps, 1 - eps], eps = 1e-7, <c>L = -(1/R) sum_r sum_j y_rj ln p_rj</c> over the
/// R = count / Classes rows (the mean over rows of each row's sum, as Keras' <c>categorical_crossentropy</c>; p is not
/// renormalised: a softmax head's rows already sum to 1), <c>dL/dp_rj = -y_rj / (R p_rj)</c>, zero where the clip is
/// active. <see cref="ComputeFromLogits"/> is the form fused with a softmax head, on its logits z, stable through
/// log-sum-exp: with m_r = max_j z_rj and <c>lse_r = m_r + ln sum_j e^(z_rj - m_r)</c>,
/// <c>L = (1/R) sum_r sum_j y_rj (lse_r - z_rj)</c>, <c>dL/dz_rj = (p_rj s_r - y_rj) / R</c> with p = softmax(z) and
/// s_r = sum_j y_rj, which is p - y for one-hot targets.
/// </summary>
public sealed class CategoricalCrossEntropy : ILoss
{
    /// <summary>Keras' backend epsilon.</summary>
    public const float Epsilon = 1e-7f;

    /// <summary>A loss over rows of <paramref name="classes"/> (at least 2) probabilities.</summary>
    public CategoricalCrossEntropy(int classes)
    {
        if (classes < 2)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "categorical cross-entropy needs at " +
                                                  "least 2 classes");
        Classes = classes;
    }

    /// <summary>K, the classes: the width of a row of predictions and targets.</summary>
    public int Classes { get; }

    /// <summary>A row of <see cref="Classes"/> probabilities: one term of the loss.</summary>
    public int RowWidth => Classes;

    public string Name => "categorical_crossentropy";

    public float Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> dPrediction)
    {
        Check.SameLength(prediction, dPrediction, nameof(prediction), nameof(dPrediction));
        float scale = 1f / Rows(prediction, target);
        for (int i = 0; i < prediction.Length; i++)
        {
            float p = prediction[i];
            dPrediction[i] = p > Epsilon && p < 1f - Epsilon ? -scale * target[i] / p : 0f;
        }
        return Value(prediction, target);
    }

    public float Value(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        int rows = Rows(prediction, target);
        double sum = 0;
        for (int i = 0; i < prediction.Length; i++)
            if (target[i] != 0f) sum -= target[i] * MathF.Log(Math.Clamp(prediction[i], Epsilon, 1f - Epsilon));
        return (float)(sum / rows);
    }

    /// <summary>The fused form: <see cref="ComputeFromLogits"/>, when the head's rows are <see cref="Classes"/>
    /// wide.</summary>
    public bool TryComputeFromSoftmaxLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> target,
                                            Span<float> dLogits, int classes, out float value)
    {
        if (classes != Classes)
            throw new ArgumentException($"the softmax head has {classes} outputs, the loss {Classes} classes",
                                        nameof(classes));
        value = ComputeFromLogits(logits, target, dLogits);
        return true;
    }

    /// <summary>The fused softmax + categorical cross-entropy on logits z (rows of <see cref="Classes"/>): returns
    /// the mean loss over rows, writes dL/dz. Allocates nothing.</summary>
    internal float ComputeFromLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, Span<float> dLogits)
    {
        Check.SameLength(logits, dLogits, nameof(logits), nameof(dLogits));
        int rows = Rows(logits, target), k = Classes;
        float scale = 1f / rows;
        double sum = 0;
        for (int r = 0; r < rows; r++)
        {
            var z = logits.Slice(r * k, k);
            var y = target.Slice(r * k, k);
            var dz = dLogits.Slice(r * k, k);
            float max = z[0];
            for (int j = 1; j < k; j++) max = MathF.Max(max, z[j]);
            float exps = 0f, targets = 0f;
            for (int j = 0; j < k; j++)
            {
                exps += dz[j] = MathF.Exp(z[j] - max);
                targets += y[j];
            }
            double lse = max + Math.Log(exps);
            for (int j = 0; j < k; j++)
            {
                if (y[j] != 0f) sum += y[j] * (lse - z[j]);
                dz[j] = scale * (dz[j] / exps * targets - y[j]);
            }
        }
        return (float)(sum / rows);
    }

    private int Rows(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        Check.SameLength(prediction, target, nameof(prediction), nameof(target));
        if (prediction.Length == 0 || prediction.Length % Classes != 0)
            throw new ArgumentException($"predictions hold {prediction.Length} values, not whole rows of " +
                                        $"{Classes} classes", nameof(prediction));
        return prediction.Length / Classes;
    }
}
