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
        int rows = ClassRows.Count(prediction, target, Classes);
        if (rows == 0) return double.NaN;
        int correct = 0;
        for (int r = 0; r < rows; r++)
            if (ClassRows.ArgMax(prediction, r, Classes) == ClassRows.ArgMax(target, r, Classes)) correct++;
        return (double)correct / rows;
    }
}

/// <summary>
/// The recall of one class over rows of <see cref="CategoricalAccuracy.Classes"/> probabilities and one-hot targets:
/// among the rows whose target is class c (argmax_j y_rj = c), the share predicted as c (argmax_j p_rj = c). NaN when
/// no row's target is c.
/// </summary>
internal sealed class ClassRecall(int classes, int index, string name) : IMetric
{
    /// <summary>c, the class whose recall this is.</summary>
    public int Index { get; } = index >= 0 && index < classes ? index
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"must be a class index in [0, {classes})");

    /// <summary>The name given (e.g. <c>recall[rain]</c>).</summary>
    public string Name { get; } = name;

    public double Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        int rows = ClassRows.Count(prediction, target, classes), members = 0, found = 0;
        for (int r = 0; r < rows; r++)
        {
            if (ClassRows.ArgMax(target, r, classes) != Index) continue;
            members++;
            if (ClassRows.ArgMax(prediction, r, classes) == Index) found++;
        }
        return members == 0 ? double.NaN : (double)found / members;
    }
}

/// <summary>Rows of class scores: their count and each row's argmax.</summary>
internal static class ClassRows
{
    /// <summary>Rows of <paramref name="classes"/> in the pairs; throws unless they hold whole rows.</summary>
    public static int Count(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, int classes)
    {
        Check.SameLength(prediction, target, nameof(prediction), nameof(target));
        if (prediction.Length % classes != 0)
            throw new ArgumentException($"predictions hold {prediction.Length} values, not whole rows of {classes} " +
                                        "classes", nameof(prediction));
        return prediction.Length / classes;
    }

    /// <summary>The index of the largest value of row r (the first of equal ones).</summary>
    public static int ArgMax(ReadOnlySpan<float> values, int r, int classes) =>
        ArgMax(values.Slice(r * classes, classes));

    /// <summary>The index of the largest value of <paramref name="row"/> (the first of equal ones): the predicted
    /// class.</summary>
    public static int ArgMax(ReadOnlySpan<float> row)
    {
        int classes = row.Length, best = 0;
        for (int j = 1; j < classes; j++) if (row[j] > row[best]) best = j;
        return best;
    }
}
