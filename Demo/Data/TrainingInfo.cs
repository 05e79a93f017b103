namespace Demo.Data;

/// <summary>How the model was trained and on what data: kept for reports and for reading the data the same
/// way.</summary>
public sealed record TrainingInfo
{
    public string Loss { get; init; } = "bce";
    public int Epochs { get; init; }
    public int BatchSize { get; init; }
    public float LearningRate { get; init; }
    public float Validation { get; init; }
    public ulong Seed { get; init; }
    public string? Target { get; init; }

    /// <summary>
    /// The classes of a model trained with loss cce, sorted as strings: output j of the softmax head is the
    /// probability of class j. Null for every other loss.
    /// </summary>
    public string[]? Classes { get; init; }

    /// <summary>The target columns of a model trained on k &gt; 1 numeric targets (<c>--target a,b</c>, loss mse):
    /// output j predicts column j. Null for one target (<see cref="Target"/>).</summary>
    public string[]? Targets { get; init; }

    public string? SeriesColumn { get; init; }
    public string? TimeColumn { get; init; }
    public int? Window { get; init; }
    public int TrainingSeries { get; init; }
    public int ValidationSeries { get; init; }
    public List<EpochLoss> History { get; init; } = [];

    /// <summary>
    /// The ids of the series (or windows) held out for validation; null in files written before it was recorded,
    /// empty without validation.
    /// </summary>
    public string[]? HeldOut { get; init; }

    /// <summary>The epoch whose parameters the file holds, when not the last (the lowest validation loss).</summary>
    public int? RestoredEpoch { get; init; }
}
