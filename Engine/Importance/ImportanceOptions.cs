namespace Engine.Importance;

/// <summary>
/// The options <see cref="ImportanceMethods.Create(string, ImportanceOptions?)"/> gives the methods it makes; each
/// method reads only its own. Repeats, seed and threads live in the <see cref="ImportanceContext"/>.
/// </summary>
public sealed record ImportanceOptions
{
    /// <summary>The defaults: noise SD 0.2, time maps on, 3 restarts, 19 null networks.</summary>
    public static ImportanceOptions Default { get; } = new();

    /// <summary>input-perturbation: SD of the Gaussian noise (<see cref="InputPerturbation.Sigma"/>).</summary>
    public float Noise { get; init; } = 0.2f;

    /// <summary>
    /// input-perturbation: also the step x feature and lag x feature maps
    /// (<see cref="InputPerturbation.TimeResolved"/>;
    /// they cost most of its time and change no score); integrated-gradients: also the lag map
    /// (<see cref="IntegratedGradients.LagMap"/>, most of its time on sequence outputs; no score changes).
    /// </summary>
    public bool TimeMaps { get; init; } = true;

    /// <summary>forward- and backward-stepwise: trainings per feature subset
    /// (<see cref="RetrainingStepwise.Restarts"/>).</summary>
    public int Restarts { get; init; } = 3;

    /// <summary>connection-weights-test: networks trained on permuted targets
    /// (<see cref="ConnectionWeightsTest.Networks"/>).</summary>
    public int NullNetworks { get; init; } = 19;

    /// <summary>integrated-gradients: the baseline (<see cref="IntegratedGradients.From"/>; default the training
    /// means).</summary>
    public IntegratedGradientsBaseline Baseline { get; init; }

    /// <summary>integrated-gradients' zero baseline: each feature's zero as the model sees it
    /// (<see cref="IntegratedGradients.ZeroPoint"/>).</summary>
    public IReadOnlyList<float>? ZeroPoint { get; init; }
}
