using Engine.Kernels;
using Engine.Threading;

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
        if (!(learningRate > 0) || !float.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate,
                                                  "learning rate must be positive and finite");
        if (!(beta1 >= 0 && beta1 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1)");
        if (!(beta2 >= 0 && beta2 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1)");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive");
        LearningRate = learningRate; Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
    }

    public float LearningRate { get; }
    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }

    /// <summary>Number of updates applied.</summary>
    internal long Iterations { get; private set; }

    /// <summary>Applies one update: parameters -= alpha_t m / (sqrt(v) + eps).</summary>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != gradients.Length)
            throw new ArgumentException($"parameters has {parameters.Length} elements but gradients has " +
                                        $"{gradients.Length}", nameof(gradients));
        if (_m.Length != parameters.Length)
        {
            if (Iterations > 0)
                throw new InvalidOperationException($"this optimizer was used with {_m.Length} parameters, now given " +
                                                    $"{parameters.Length}");
            _m = new float[parameters.Length];
            _v = new float[parameters.Length];
        }
        Iterations++;
        _beta1Power *= Beta1;
        _beta2Power *= Beta2;
        float alpha = (float)(LearningRate * Math.Sqrt(1 - _beta2Power) / (1 - _beta1Power));
        Update(parameters, _m, _v, gradients, alpha);
    }

    /// <summary>Updates of at least this many parameters are split between threads
    /// (<see cref="Parallelism.MaxThreads"/>).</summary>
    internal const int ThreadThreshold = 1 << 16;

    // Element-wise: each member updates a range starting at a multiple of 16, so every element takes the same vector
    // or scalar path as on one thread and the result does not depend on the thread count.
    private unsafe void Update(Span<float> parameters, Span<float> m, Span<float> v, ReadOnlySpan<float> gradients,
                               float alpha)
    {
        if (Parallelism.MaxThreads > 1 && parameters.Length >= ThreadThreshold)
            fixed (float* p = parameters, mp = m, vp = v, g = gradients)
                if (Parallelism.TryRun(new UpdateJob(p, mp, vp, g, parameters.Length, alpha, Beta1, Beta2, Epsilon)))
                    return;
        AdamUpdate.Unchecked(parameters, m, v, gradients, alpha, Beta1, Beta2, Epsilon);
    }

    private readonly unsafe struct UpdateJob(float* p, float* m, float* v, float* g, int length, float alpha,
                                             float beta1, float beta2, float epsilon) : ITeamWork
    {
        public void Execute(TeamMember member)
        {
            int blocks = (length + 15) / 16, start = member.Start(blocks) * 16,
            end = Math.Min(length, member.End(blocks) * 16);
            if (end <= start) return;
            int n = end - start;
            AdamUpdate.Unchecked(new Span<float>(p + start, n), new Span<float>(m + start, n),
                                 new Span<float>(v + start, n),
                                 new ReadOnlySpan<float>(g + start, n), alpha, beta1, beta2, epsilon);
        }
    }
}
