using Engine.Training;

namespace Engine.Importance;

/// <summary>
/// A batch source that passes on another's batches with some lag windows' cells set to 0 (<see cref="Zero"/>): what a
/// <see cref="MaskedRetrainer"/> trains on.
/// </summary>
internal sealed class LagMaskBatchSource : IBatchSource
{
    private readonly IBatchSource _source;
    private readonly (int Feature, LagWindow Lags)[] _removed;

    /// <summary>Zeroes <paramref name="removed"/> in every batch of <paramref name="source"/>.</summary>
    public LagMaskBatchSource(IBatchSource source, IReadOnlyList<(int Feature, LagWindow Lags)> removed)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(removed);
        foreach (var (feature, lags) in removed)
        {
            if (feature < 0 || feature >= source.Features)
                throw new ArgumentOutOfRangeException(nameof(removed), feature,
                                                      $"feature index {feature} is outside the source's " +
                                                      $"{source.Features} features");
            if (lags.Last >= source.Steps)
                throw new ArgumentOutOfRangeException(nameof(removed), lags.Last,
                                                      $"lag {lags.Last} is past the source's {source.Steps} steps");
        }
        _source = source;
        _removed = [.. removed];
    }

    public int BatchSize => _source.BatchSize;
    public int Steps => _source.Steps;
    public int Features => _source.Features;
    public int TargetsPerSeries => _source.TargetsPerSeries;

    public void NextBatch(Span<float> input, Span<float> target, int epoch, int stepInEpoch)
    {
        _source.NextBatch(input, target, epoch, stepInEpoch);
        Zero(input, BatchSize, Steps, Features, _removed);
    }

    /// <summary>
    /// Sets x[n, t, i] = 0 in (<paramref name="count"/>, T, F) <paramref name="x"/> for each (i, a..b) of
    /// <paramref name="removed"/> and t in T-1-b..T-1-a (the lags before the last step), every series n.
    /// </summary>
    public static void Zero(Span<float> x, int count, int steps, int features,
                            ReadOnlySpan<(int Feature, LagWindow Lags)> removed)
    {
        foreach (var (i, lags) in removed)
        {
            var (from, to) = lags.StepsBefore(steps - 1);
            for (int n = 0; n < count; n++)
                for (int t = from; t < to; t++) x[(n * steps + t) * features + i] = 0f;
        }
    }
}
