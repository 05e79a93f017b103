namespace Engine.Kernels;

/// <summary>Activation functions, named as Keras names them.</summary>
public enum Activation
{
    /// <summary>y = x.</summary>
    Linear,
    /// <summary>y = max(x, 0).</summary>
    Relu,
    /// <summary>y = tanh(x).</summary>
    Tanh,
    /// <summary>y = 1 / (1 + exp(-x)).</summary>
    Sigmoid,
    /// <summary>Keras 2's hard sigmoid (Keras name hard_sigmoid): y = clip(0.2 x + 0.5, 0, 1).</summary>
    HardSigmoid,
    /// <summary>Keras 3's hard sigmoid (here named hard_sigmoid_keras3): y = clip(x / 6 + 1 / 2, 0, 1).</summary>
    HardSigmoidKeras3,
}
