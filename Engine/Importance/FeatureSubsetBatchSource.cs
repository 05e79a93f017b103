using Engine.Training;

namespace Engine.Importance;

/// <summary>
/// A batch source that passes on only some features of another: what a <see cref="Retrainer"/> needs to train a
/// model on a feature subset from the data the full model was trained on.
/// </summary>
internal sealed class FeatureSubsetBatchSource : IBatchSource
{
    private readonly IBatchSource _source;
    private readonly int[] _features;
    private readonly float[] _full;

    /// <summary>Passes on features <paramref name="features"/> (indices into the source's features) in that
    /// order.</summary>
    public FeatureSubsetBatchSource(IBatchSource source, int[] features)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(features);
        if (features.Length == 0) throw new ArgumentException("a subset needs at least one feature", nameof(features));
        foreach (var f in features)
            if (f < 0 || f >= source.Features)
                throw new ArgumentOutOfRangeException(nameof(features), f,
                                                      $"feature index {f} is outside the source's {source.Features} " +
                                                      $"features");
        _source = source;
        _features = (int[])features.Clone();
        _full = new float[source.BatchSize * source.Steps * source.Features];
    }

    public int BatchSize => _source.BatchSize;
    public int Steps => _source.Steps;
    public int Features => _features.Length;
    public int TargetsPerSeries => _source.TargetsPerSeries;

    public void NextBatch(Span<float> input, Span<float> target, int epoch, int stepInEpoch)
    {
        _source.NextBatch(_full, target, epoch, stepInEpoch);
        Series.SelectFeatures(input, _full, _source.Features, _features);
    }
}
