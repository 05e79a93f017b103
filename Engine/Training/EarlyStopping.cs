using Engine.Models;

namespace Engine.Training;

/// <summary>
/// Keras' <c>EarlyStopping(monitor="val_loss", mode="min", min_delta=0, patience, restore_best_weights)</c> for
/// <see cref="Trainer.Fit"/>, which needs a validation set with it. After each epoch e (1-based) with validation loss
/// v_e: an improvement is v_e &lt; best (strictly; NaN never improves; epoch 1 always does), which sets best = v_e,
/// the best epoch to e, saves the parameters (<see cref="RestoreBest"/>) and zeroes the wait; otherwise the wait grows
/// by one and, when it reaches <see cref="Patience"/> at epoch e &gt; 1, training stops after epoch e
/// (<see cref="StoppedEpoch"/>). With <see cref="RestoreBest"/> the model then gets the best epoch's parameters back,
/// copied bit for bit from the one saved copy of the flat parameter buffer, when it stopped early as in Keras and
/// also, unlike Keras, when it ran all its epochs and the last was not the best (<see cref="RestoredEpoch"/>).
/// A null patience never stops: restore-best only. One instance serves one <see cref="Trainer.Fit"/> at a time; the
/// copy is allocated once per model size, not per epoch.
/// </summary>
public sealed class EarlyStopping
{
    private float[] _best = [];
    private int _wait;

    public EarlyStopping(int? patience, bool restoreBest)
    {
        if (patience is int p) Check.Positive(p, nameof(patience));
        Patience = patience;
        RestoreBest = restoreBest;
    }

    /// <summary>Epochs without improvement before training stops; null: never stop early.</summary>
    public int? Patience { get; }

    /// <summary>Whether the model ends with the best epoch's parameters.</summary>
    public bool RestoreBest { get; }

    /// <summary>The epoch (1-based) with the lowest validation loss so far; 0 before the first.</summary>
    internal int BestEpoch { get; private set; }

    /// <summary>The lowest validation loss so far; +infinity before the first epoch.</summary>
    internal float BestLoss { get; private set; } = float.PositiveInfinity;

    /// <summary>The epoch after which training stopped early; 0 when it ran every epoch.</summary>
    public int StoppedEpoch { get; private set; }

    /// <summary>The epoch whose parameters the model was given back at the end; 0 when none were restored.</summary>
    public int RestoredEpoch { get; private set; }

    internal void Start()
    {
        _wait = 0;
        BestEpoch = StoppedEpoch = RestoredEpoch = 0;
        BestLoss = float.PositiveInfinity;
    }

    /// <summary>Records epoch <paramref name="epoch"/>'s validation loss; true when training must stop.</summary>
    internal bool AfterEpoch(Sequential model, int epoch, float validationLoss)
    {
        _wait++;
        if (validationLoss < BestLoss || BestEpoch == 0)
        {
            BestLoss = validationLoss;
            BestEpoch = epoch;
            if (RestoreBest)
            {
                if (_best.Length != model.Parameters.Length) _best = new float[model.Parameters.Length];
                model.Parameters.CopyTo(_best, 0);
            }
            _wait = 0;
            return false;
        }
        if (Patience is int p && _wait >= p && epoch > 1)
        {
            StoppedEpoch = epoch;
            return true;
        }
        return false;
    }

    /// <summary>After the last epoch run, <paramref name="lastEpoch"/>: restores the best epoch's parameters.</summary>
    internal void Finish(Sequential model, int lastEpoch)
    {
        if (!RestoreBest || BestEpoch == 0 || BestEpoch == lastEpoch) return;
        _best.AsSpan(0, model.Parameters.Length).CopyTo(model.Parameters);
        RestoredEpoch = BestEpoch;
    }
}
