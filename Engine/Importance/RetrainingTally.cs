namespace Engine.Importance;

/// <summary>
/// Counts the work of a retrainer's trainings (<see cref="Retrainers.FromArrays"/>,
/// <see cref="Retrainers.MaskedFromArrays"/>): trainings, epochs and training steps (batches) run, and the epochs the
/// schedule allowed. Thread-safe; the totals are sums, so they do not depend on the order or the thread count.
/// </summary>
public sealed class RetrainingTally
{
    private long _trainings, _epochs, _scheduled, _steps;

    /// <summary>Trainings finished.</summary>
    public long Trainings => Interlocked.Read(ref _trainings);

    /// <summary>Epochs run, over every training.</summary>
    public long Epochs => Interlocked.Read(ref _epochs);

    /// <summary>Epochs the schedule allowed (trainings x epochs): what running every epoch costs.</summary>
    public long ScheduledEpochs => Interlocked.Read(ref _scheduled);

    /// <summary>Training steps (batches) run, over every training.</summary>
    public long Steps => Interlocked.Read(ref _steps);

    /// <summary><c>T trainings, E of S epochs run (P%), N steps</c>.</summary>
    public override string ToString()
    {
        long scheduled = ScheduledEpochs;
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        string share = scheduled > 0 ? string.Create(invariant, $" ({100.0 * Epochs / scheduled:F1}%)") : "";
        return string.Create(invariant,
                             $"{Trainings} trainings, {Epochs} of {scheduled} epochs run{share}, {Steps} steps");
    }

    /// <summary>Records one training that ran <paramref name="epochs"/> of <paramref name="scheduled"/> epochs, of
    /// <paramref name="stepsPerEpoch"/> steps each.</summary>
    internal void Add(int epochs, int scheduled, int stepsPerEpoch)
    {
        Interlocked.Increment(ref _trainings);
        Interlocked.Add(ref _epochs, epochs);
        Interlocked.Add(ref _scheduled, scheduled);
        Interlocked.Add(ref _steps, (long)epochs * stepsPerEpoch);
    }
}
