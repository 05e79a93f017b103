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

    /// <summary>The column this metric reads.</summary>
    public int Index { get; } = index >= 0 && index < outputs ? index
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"must be an output index in [0, {outputs})");

    /// <summary>The name given (e.g. <c>mae[a]</c>).</summary>
    public string Name { get; } = name;

    public double Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        int rows = ClassRows.Count(prediction, target, outputs);
        if (_p.Length < rows) { _p = new float[rows]; _y = new float[rows]; }
        for (int r = 0; r < rows; r++)
        {
            _p[r] = prediction[r * outputs + Index];
            _y[r] = target[r * outputs + Index];
        }
        return inner.Compute(_p.AsSpan(0, rows), _y.AsSpan(0, rows));
    }
}
