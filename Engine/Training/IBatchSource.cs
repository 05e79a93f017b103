namespace Engine.Training;

/// <summary>Supplies training batches: inputs (N, T, F) and targets (N, outputs per series), batch-major.</summary>
public interface IBatchSource
{
    /// <summary>N, series per batch.</summary>
    int BatchSize { get; }
    /// <summary>T, steps per series.</summary>
    int Steps { get; }
    /// <summary>F, features per step.</summary>
    int Features { get; }
    /// <summary>Target values per series.</summary>
    int TargetsPerSeries { get; }

    /// <summary>Writes the next batch. <paramref name="epoch"/> and <paramref name="stepInEpoch"/> are
    /// 0-based.</summary>
    void NextBatch(Span<float> input, Span<float> target, int epoch, int stepInEpoch);
}
