namespace Engine.Importance;

/// <summary>
/// What a method needs from an <see cref="ImportanceContext"/> beyond a model and evaluation inputs
/// (<see cref="IImportanceMethod.Needs"/>). <see cref="ImportanceRunner"/> skips a method that needs
/// <see cref="Targets"/> when the context has none, with a one-line note, and refuses one whose retrainer is missing.
/// </summary>
[Flags]
public enum ImportanceNeeds
{
    /// <summary>Only the model and the inputs (weights, gradients, output changes).</summary>
    None = 0,

    /// <summary><see cref="ImportanceContext.Targets"/>: the method measures a loss against them.</summary>
    Targets = 1,

    /// <summary><see cref="ImportanceContext.Retrain"/>: the method trains networks on feature subsets.</summary>
    Retraining = 2,

    /// <summary><see cref="ImportanceContext.RetrainPermuted"/>: the method trains networks on permuted
    /// targets.</summary>
    PermutedRetraining = 4,
}
