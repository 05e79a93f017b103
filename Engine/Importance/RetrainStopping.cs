using Engine.Random;
using Engine.Training;

namespace Engine.Importance;

/// <summary>
/// Early stopping for the stepwise methods' retrainings (<see cref="Retrainers.FromArrays"/>,
/// <see cref="Retrainers.MaskedFromArrays"/>): <see cref="Validation"/> of the training series are held out once, by
/// <see cref="SplitSeed"/> (the shuffle of <c>new RandomSource(SplitSeed)</c>, the first round(Validation x N), at
/// least one, held out), so every subset, restart and retraining seed trains on the same series and watches the same
/// validation series. Each retraining trains on the rest and, after each epoch e, computes the loss v_e of the
/// validation series (through the subset's columns, or with the removed lag windows zeroed, as it trains); it stops
/// after the first epoch at which v has not improved (strictly) on its lowest value for <see cref="Patience"/>
/// epochs, or after the schedule's last epoch, and ends with the parameters of the epoch with the lowest v
/// (<see cref="EarlyStopping"/>: Keras' <c>EarlyStopping(monitor="val_loss", patience, restore_best_weights=True)</c>).
/// The stepwise search still compares the retrained models' losses on the evaluation data
/// (<see cref="ImportanceContext.Inputs"/>), never on the validation series.
/// </summary>
public sealed class RetrainStopping
{
    /// <summary>The patience the demo's retrainings use unless told otherwise (docs/IMPORTANCE.md: the study's
    /// evidence).</summary>
    public const int DefaultPatience = 5;

    /// <summary>The share of the training series held out by default, as <c>demo train</c>'s --validation.</summary>
    public const float DefaultValidation = 0.2f;

    /// <summary>Stops after <paramref name="patience"/> epochs without improvement on the validation share
    /// <paramref name="validation"/> in (0, 1) of the series, chosen by <paramref name="splitSeed"/>.</summary>
    public RetrainStopping(int patience, ulong splitSeed, float validation = DefaultValidation)
    {
        Check.Positive(patience, nameof(patience));
        if (!(validation > 0 && validation < 1))
            throw new ArgumentOutOfRangeException(nameof(validation), validation,
                                                  "the validation share must be in (0, 1)");
        Patience = patience;
        SplitSeed = splitSeed;
        Validation = validation;
    }

    /// <summary>Epochs without a lower validation loss before a retraining stops.</summary>
    public int Patience { get; }

    /// <summary>Seeds the one split of the series into training and validation.</summary>
    public ulong SplitSeed { get; }

    /// <summary>The share of the series held out for validation, in (0, 1).</summary>
    public float Validation { get; }

    /// <summary>The series held out of <paramref name="count"/>.</summary>
    public int HeldOut(int count) => Split(count).Validation.Length;

    /// <summary>The training and validation series of <paramref name="count"/> (ascending); throws when either would
    /// be empty.</summary>
    internal (int[] Training, int[] Validation) Split(int count)
    {
        var (training, validation) = SeriesSplit.Of(count, Validation, new RandomSource(SplitSeed));
        if (training.Length == 0 || validation.Length == 0)
        {
            string share = Validation.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
            throw new ArgumentException($"early stopping holds out {share} of the {count} training series for " +
                                        "validation and trains on the rest: it needs at least 2 series");
        }
        return (training, validation);
    }
}
