namespace Engine.Metrics;

/// <summary>
/// Keras' <c>categorical_accuracy</c> over rows of <see cref="Classes"/> class probabilities and one-hot targets: the
/// share of rows whose most probable class is the target's, <c>accuracy = (1/R) sum_r [argmax_j p_rj ==
/// argmax_j y_rj]</c>; argmax takes the first of equal values, as Keras' does.
/// </summary>
public sealed class CategoricalAccuracy(int classes) : IMetric
{
    /// <summary>K, the width of a row.</summary>
    public int Classes { get; } = classes >= 2 ? classes
        : throw new ArgumentOutOfRangeException(nameof(classes), classes, "needs at least 2 classes");

    public string Name => "accuracy";

    public double Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        int correct = Correct(prediction, target, Classes), rows = prediction.Length / Classes;
        return rows == 0 ? double.NaN : (double)correct / rows;
    }

    /// <summary>The rows whose most probable class is the target's.</summary>
    internal static int Correct(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, int classes)
    {
        int rows = ClassRows.Count(prediction, target, classes), correct = 0;
        for (int r = 0; r < rows; r++)
            if (ClassRows.ArgMax(prediction, r, classes) == ClassRows.ArgMax(target, r, classes)) correct++;
        return correct;
    }
}
