using Engine.Metrics;

namespace Engine.Training;

/// <summary>One epoch's result.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Mean training loss over the epoch's batches.</param>
/// <param name="ValidationLoss">Loss on the validation set, NaN when there is none.</param>
/// <param name="Seconds">Wall time of the epoch.</param>
public sealed record EpochResult(int Epoch, float Loss, float ValidationLoss, double Seconds)
{
    /// <summary>
    /// <see cref="Trainer.Metrics"/> over the predictions the epoch's training steps made (each before its update,
    /// as Keras reports training metrics); empty without metrics.
    /// </summary>
    public IReadOnlyList<MetricValue> Metrics { get; init; } = [];

    /// <summary><see cref="Trainer.Metrics"/> on the validation set at the end of the epoch, or empty.</summary>
    public IReadOnlyList<MetricValue> ValidationMetrics { get; init; } = [];
}
