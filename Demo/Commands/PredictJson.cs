namespace Demo.Commands;

/// <summary>The predict command's --json document (<see cref="DemoJson"/>).</summary>
public sealed record PredictJson(string Model, string Data, string Out, int Series, int Steps, int Outputs, float? Loss,
    float? Accuracy)
{
    /// <summary>Loss and metrics over every series (Loss and Accuracy above repeat them).</summary>
    public SeriesMetrics? AllSeries { get; init; }

    /// <summary>Loss and metrics over the series the model held out for validation; null when unknown.</summary>
    public SeriesMetrics? ValidationSeries { get; init; }

    /// <summary>Why there are no validation figures, or that only some held-out series are in the data.</summary>
    public string? Note { get; init; }
}
