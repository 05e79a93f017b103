namespace Engine.Training;

/// <summary>
/// Batches drawn from a fixed data set, reshuffled at the start of every epoch with a seeded generator.
/// An epoch is ceil(count / batchSize) steps; the last batch of an epoch is topped up from the next shuffle
/// order's start so every batch has the same size (<see cref="SeriesOrder"/>; no allocation per step).
/// </summary>
public sealed class ArrayBatchSource : IBatchSource
{
    private readonly float[] _inputs, _targets;
    private readonly SeriesOrder _order;

    public ArrayBatchSource(float[] inputs, float[] targets, int count, int steps, int features, int targetsPerSeries,
                            int batchSize, ulong seed)
    {
        Check.Positive(count, nameof(count));
        Check.Positive(steps, nameof(steps));
        Check.Positive(features, nameof(features));
        Check.Positive(targetsPerSeries, nameof(targetsPerSeries));
        Check.Positive(batchSize, nameof(batchSize));
        if (inputs.Length != (long)count * steps * features)
            throw new ArgumentException($"inputs must hold (N={count}, T={steps}, F={features}) values, has " +
                                        $"{inputs.Length}", nameof(inputs));
        if (targets.Length != (long)count * targetsPerSeries)
            throw new ArgumentException($"targets must hold (N={count}, {targetsPerSeries}) values, has " +
                                        $"{targets.Length}", nameof(targets));
        _inputs = inputs; _targets = targets;
        Count = count; Steps = steps; Features = features; TargetsPerSeries = targetsPerSeries;
        BatchSize = Math.Min(batchSize, count);
        _order = new SeriesOrder(count, seed);
    }

    public int Count { get; }
    public int BatchSize { get; }
    public int Steps { get; }
    public int Features { get; }
    public int TargetsPerSeries { get; }

    /// <summary>Steps that cover the data set once.</summary>
    public int StepsPerEpoch => _order.StepsPerEpoch(BatchSize);

    public void NextBatch(Span<float> input, Span<float> target, int epoch, int stepInEpoch)
    {
        int perIn = Steps * Features, perOut = TargetsPerSeries;
        for (int b = 0; b < BatchSize; b++)
        {
            int s = _order.Next(epoch);
            _inputs.AsSpan(s * perIn, perIn).CopyTo(input.Slice(b * perIn, perIn));
            _targets.AsSpan(s * perOut, perOut).CopyTo(target.Slice(b * perOut, perOut));
        }
    }
}
