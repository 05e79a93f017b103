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
    /// <summary>Keras' hard sigmoid: y = clip(0.2 x + 0.5, 0, 1).</summary>
    HardSigmoid,
}

/// <summary>Parsing and printing of <see cref="Activation"/> with Keras' names.</summary>
public static class ActivationNames
{
    /// <summary>The Keras name: linear, relu, tanh, sigmoid, hard_sigmoid.</summary>
    public static string Name(this Activation a) => a switch
    {
        Activation.Linear => "linear",
        Activation.Relu => "relu",
        Activation.Tanh => "tanh",
        Activation.Sigmoid => "sigmoid",
        Activation.HardSigmoid => "hard_sigmoid",
        _ => throw new ArgumentOutOfRangeException(nameof(a), a, "unknown activation"),
    };

    /// <summary>Parses a Keras activation name; throws <see cref="ArgumentException"/> naming the accepted names.</summary>
    public static Activation Parse(string name) => TryParse(name, out var a)
        ? a
        : throw new ArgumentException($"unknown activation '{name}': expected linear, relu, tanh, sigmoid or hard_sigmoid", nameof(name));

    /// <summary>Parses a Keras activation name.</summary>
    public static bool TryParse(string? name, out Activation activation)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "linear": activation = Activation.Linear; return true;
            case "relu": activation = Activation.Relu; return true;
            case "tanh": activation = Activation.Tanh; return true;
            case "sigmoid": activation = Activation.Sigmoid; return true;
            case "hard_sigmoid" or "hardsigmoid" or "hard-sigmoid": activation = Activation.HardSigmoid; return true;
            default: activation = Activation.Linear; return false;
        }
    }
}
