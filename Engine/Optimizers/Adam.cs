using Engine.Kernels;

namespace Engine.Optimizers;

/// <summary>
/// Adam with Keras' defaults (lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7) over a model's flat
/// parameter and gradient buffers. See <see cref="AdamUpdate"/> for the exact update.
/// </summary>
public sealed class Adam
{
    private float[] _m = [], _v = [];
    private double _beta1Power = 1, _beta2Power = 1;

    public Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f)
    {
        if (!(learningRate > 0) || !float.IsFinite(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learning rate must be positive and finite");
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1)");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1)");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive");
        LearningRate = learningRate; Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
    }

    public float LearningRate { get; }
    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }

    /// <summary>Number of updates applied.</summary>
    public long Iterations { get; private set; }

    /// <summary>Applies one update: parameters -= alpha_t m / (sqrt(v) + eps).</summary>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != gradients.Length)
            throw new ArgumentException($"parameters has {parameters.Length} elements but gradients has {gradients.Length}", nameof(gradients));
        if (_m.Length != parameters.Length)
        {
            if (Iterations > 0) throw new InvalidOperationException($"this optimizer was used with {_m.Length} parameters, now given {parameters.Length}");
            _m = new float[parameters.Length];
            _v = new float[parameters.Length];
        }
        Iterations++;
        _beta1Power *= Beta1;
        _beta2Power *= Beta2;
        float alpha = (float)(LearningRate * Math.Sqrt(1 - _beta2Power) / (1 - _beta1Power));
        AdamUpdate.Unchecked(parameters, _m, _v, gradients, alpha, Beta1, Beta2, Epsilon);
    }
}
