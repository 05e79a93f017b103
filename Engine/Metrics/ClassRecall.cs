namespace Engine.Metrics;

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
        var (members, found) = Count(prediction, target);
        return members == 0 ? double.NaN : (double)found / members;
    }

    /// <summary>The rows whose target is class c, and those among them predicted as c.</summary>
    internal (int Members, int Found) Count(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        int rows = ClassRows.Count(prediction, target, classes), members = 0, found = 0;
        for (int r = 0; r < rows; r++)
        {
            if (ClassRows.ArgMax(target, r, classes) != Index) continue;
            members++;
            if (ClassRows.ArgMax(prediction, r, classes) == Index) found++;
        }
        return (members, found);
    }
}
