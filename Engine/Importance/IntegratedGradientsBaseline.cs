using Engine.Random;

namespace Engine.Importance;

/// <summary>Where integrated gradients' straight path starts (<see cref="IntegratedGradients.From"/>).</summary>
public enum IntegratedGradientsBaseline
{
    /// <summary>x'[n, t, i] = m_i, the training mean of feature i (<see cref="ImportanceContext.Means"/>).</summary>
    Mean,

    /// <summary>x'[n, t, i] = z_i, the model-input value of feature i's zero
    /// (<see cref="IntegratedGradients.ZeroPoint"/>; default 0).</summary>
    Zero,

    /// <summary>
    /// x'[n, t, i] = m_i + s_i e[n, t, i], e ~ N(0, 1) drawn from <see cref="RandomStreams.IntegratedGradientsNoise"/>,
    /// s_i the
    /// evaluation set's SD of feature i (n - 1): a random series with the data's mean and spread.
    /// </summary>
    Noise,
}
