namespace Engine.Metrics;

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
