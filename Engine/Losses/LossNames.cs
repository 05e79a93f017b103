namespace Engine.Losses;

/// <summary>
/// The one mapping from loss names to losses: the CLI's short names (<c>bce</c>, <c>mse</c>, <c>cce</c>, as model
/// files store them) and Keras' names (<see cref="ILoss.Name"/>: <c>binary_crossentropy</c>,
/// <c>mean_squared_error</c>, <c>categorical_crossentropy</c>).
/// Named LossNames, not Losses: inside the engine's namespaces <c>Losses</c> would mean the namespace.
/// </summary>
internal static class LossNames
{
    /// <summary>The short names, in the order help texts list them.</summary>
    public static readonly IReadOnlyList<string> ShortNames = ["bce", "mse", "cce"];

    /// <summary>
    /// The loss called <paramref name="name"/> (case-insensitive): <c>bce</c> or <c>binary_crossentropy</c> gives
    /// <see cref="BinaryCrossEntropy"/>, <c>mse</c> or <c>mean_squared_error</c> gives <see cref="MeanSquaredError"/>,
    /// <c>cce</c> or <c>categorical_crossentropy</c> gives <see cref="CategoricalCrossEntropy"/> over rows of
    /// <paramref name="outputs"/> classes (the model's outputs per row; it needs at least 2); anything else throws
    /// <see cref="ArgumentException"/> naming it and listing the valid names.
    /// </summary>
    public static ILoss Parse(string name, int outputs = 1)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "bce" or "binary_crossentropy" => new BinaryCrossEntropy(),
            "mse" or "mean_squared_error" => new MeanSquaredError(),
            "cce" or "categorical_crossentropy" => outputs >= 2 ? new CategoricalCrossEntropy(outputs)
                : throw new ArgumentException($"loss cce needs a softmax output of at least 2 classes, not {outputs}",
                                              nameof(outputs)),
            _ => throw new ArgumentException(
                $"unknown loss '{name}'; valid losses: bce (binary_crossentropy), mse (mean_squared_error), " +
                "cce (categorical_crossentropy)", nameof(name)),
        };
    }

    /// <summary>The short name of <paramref name="loss"/> (<c>bce</c>, <c>mse</c>, <c>cce</c>), as model files store
    /// it.</summary>
    public static string ShortName(ILoss loss) => loss switch
    {
        BinaryCrossEntropy => "bce",
        MeanSquaredError => "mse",
        CategoricalCrossEntropy => "cce",
        _ => throw new ArgumentException($"no short name for the loss '{loss?.Name}'", nameof(loss)),
    };
}
