namespace Engine.Metrics;

/// <summary>
/// A metric of one output of several: the pairs are rows of <paramref name="outputs"/> values (one row per series or
/// step, as models output them), and <paramref name="inner"/> is computed over column <paramref name="index"/> only,
/// <c>inner({p_r,index}, {y_r,index})</c>. Copies the column into buffers kept by the instance: no allocation once
/// they have grown.
/// </summary>
internal sealed class OutputMetric(IMetric inner, int outputs, int index, string name) : IMetric
{
    private float[] _p = [], _y = [];

    /// <summary>The metric computed over the column.</summary>
    public IMetric Inner => inner;

    /// <summary>Values per row.</summary>
    public int Outputs => outputs;

    /// <summary>The column this metric reads.</summary>
    public int Index { get; } = index >= 0 && index < outputs ? index
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"must be an output index in [0, {outputs})");

    /// <summary>The name given (e.g. <c>mae[a]</c>).</summary>
    public string Name { get; } = name;

    public double Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        int rows = Gather(prediction, target, ref _p, ref _y);
        return inner.Compute(_p.AsSpan(0, rows), _y.AsSpan(0, rows));
    }

    /// <summary>Copies the column of each row into <paramref name="p"/> and <paramref name="y"/> (grown when
    /// short); returns the rows.</summary>
    internal int Gather(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, ref float[] p, ref float[] y)
    {
        int rows = ClassRows.Count(prediction, target, outputs);
        if (p.Length < rows) { p = new float[rows]; y = new float[rows]; }
        for (int r = 0; r < rows; r++)
        {
            p[r] = prediction[r * outputs + Index];
            y[r] = target[r * outputs + Index];
        }
        return rows;
    }
}
