namespace Engine.Training;

/// <summary>
/// Training diverged: a loss, a parameter or a prediction became NaN or infinite, or the epoch's loss grew past
/// <see cref="Trainer.LossGrowthLimit"/> times the first epoch's. <see cref="Reason"/> says which.
/// </summary>
public sealed class TrainingDivergedException(int epoch, int step, string reason)
    : Exception($"training diverged at epoch {epoch}, step {step}: {reason}. Try a smaller learning rate, " +
        $"standardised inputs or a smaller model.")
{
    /// <summary>A NaN or infinite batch loss.</summary>
    public TrainingDivergedException(int epoch, int step, float loss)
        : this(epoch, step, $"the loss became {loss.ToString(System.Globalization.CultureInfo.InvariantCulture)}") { }

    public int Epoch { get; } = epoch;
    public int Step { get; } = step;

    /// <summary>What diverged, e.g. "the loss became NaN" or "a parameter became NaN".</summary>
    public string Reason { get; } = reason;
}
