using Engine.Losses;
using Engine.Models;

namespace Engine.Importance;

/// <summary>
/// What every importance method sees: the trained model, an evaluation set, the loss, a seed, a thread count,
/// and for the methods that need them, a repeat count, the training means and a way to retrain.
/// </summary>
public sealed record ImportanceContext
{
    /// <summary>The trained model. Methods never change it (they work on clones).</summary>
    public required Sequential Model { get; init; }

    /// <summary>Evaluation inputs, (N, T, F) batch-major.</summary>
    public required float[] Inputs { get; init; }

    /// <summary>
    /// Evaluation targets, (N, OutputsPerSeries(T)); null when the data has none: then the methods that need them
    /// (<see cref="ImportanceNeeds.Targets"/>) cannot run, and <see cref="ImportanceRunner"/> skips them.
    /// </summary>
    public float[]? Targets { get; init; }

    /// <summary>N, series in the evaluation set.</summary>
    public required int Count { get; init; }

    /// <summary>T, steps per series.</summary>
    public required int Steps { get; init; }

    /// <summary>The loss that error-based methods (permutation, stepwise) measure.</summary>
    public required ILoss Loss { get; init; }

    /// <summary>Seeds every random draw; sub-tasks use <c>new RandomSource(Seed).Fork(index)</c>.</summary>
    public ulong Seed { get; init; }

    /// <summary>Worker threads for independent tasks (features, repeats, retrainings); results do not depend on
    /// it.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Repeats for the randomised methods: noise draws, permutations, randomised networks.</summary>
    public int Repeats { get; init; } = 10;

    /// <summary>Training mean of each feature (F); null: the evaluation set's means.</summary>
    public float[]? FeatureMeans { get; init; }

    /// <summary>How forward/backward stepwise retrain on a feature subset; null when retraining is not
    /// possible.</summary>
    public Retrainer? Retrain { get; init; }

    /// <summary>
    /// Like <see cref="Retrain"/>, but trains on targets permuted across series (the permutation seeded by the seed
    /// too):
    /// the null networks of connection-weights-test; null when not possible.
    /// </summary>
    public Retrainer? RetrainPermuted { get; init; }

    /// <summary>
    /// How forward/backward stepwise retrain with lag windows removed (<see cref="FeatureGroups.Lags"/>, a last-step
    /// model); null when not possible.
    /// </summary>
    public MaskedRetrainer? RetrainMasked { get; init; }

    /// <summary>
    /// Feature groups to score as units (<see cref="FeatureGroups"/>); null: every feature alone. Methods with
    /// <see cref="IImportanceMethod.ScoresGroups"/> perturb a group's features together; <see cref="ImportanceRunner"/>
    /// sums the others' per-feature scores into the groups.
    /// </summary>
    public FeatureGroups? Groups { get; init; }

    /// <summary>
    /// Receives the running method's progress (<see cref="ImportanceProgress"/>) when run by
    /// <see cref="ImportanceRunner"/>: after each work item, from the thread that did it (one report at a time).
    /// </summary>
    public IProgress<ImportanceProgress>? Progress { get; init; }

    /// <summary>
    /// Stops <see cref="ImportanceRunner"/> between work items: the method running is abandoned and the runner
    /// returns the methods finished before it.
    /// </summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>F, input features.</summary>
    public int Features => Model.InputFeatures;

    /// <summary>The targets, for a method that needs them; throws when the context has none.</summary>
    internal float[] RequireTargets(string method) => Targets
        ?? throw new InvalidOperationException($"{method} measures a loss against targets: give the context Targets");

    /// <summary>Outputs per series, OutputsPerSeries(T).</summary>
    public int OutputsPerSeries => Model.OutputsPerSeries(Steps);

    /// <summary>Checks the shapes; every method calls it first.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Model);
        ArgumentNullException.ThrowIfNull(Loss);
        Check.Positive(Count, nameof(Count));
        Check.Positive(Steps, nameof(Steps));
        Check.Positive(Threads, nameof(Threads));
        Check.Positive(Repeats, nameof(Repeats));
        if (Inputs is null || (long)Count * Steps * Features != Inputs.Length)
            throw new ArgumentException($"inputs must hold (N={Count}, T={Steps}, F={Features}) = " +
                                        $"{(long)Count * Steps * Features} values, but has {Inputs?.Length ?? 0}",
                                        nameof(Inputs));
        if (Targets is not null && (long)Count * OutputsPerSeries != Targets.Length)
            throw new ArgumentException($"targets must hold (N={Count}, {OutputsPerSeries}) = " +
                                        $"{(long)Count * OutputsPerSeries} values, but has {Targets.Length}",
                                        nameof(Targets));
        if (FeatureMeans is not null && FeatureMeans.Length != Features)
            throw new ArgumentException($"feature means must hold F={Features} values, but has {FeatureMeans.Length}",
                                        nameof(FeatureMeans));
        if (Groups is not null && Groups.Features != Features)
            throw new ArgumentException($"the groups cover {Groups.Features} features, the model has F={Features}",
                                        nameof(Groups));
        if (Groups?.Windows.Max(w => w?.Last) is { } lag && lag >= Steps)
            throw new ArgumentException($"a lag window reaches lag {lag}, and the series have T={Steps} steps",
                                        nameof(Groups));
        Check.Finite(Inputs, nameof(Inputs));
    }

    /// <summary>The training means when given, else the mean of each feature over the evaluation set.</summary>
    internal float[] Means()
    {
        if (FeatureMeans is not null) return FeatureMeans;
        int f = Features;
        var sums = new double[f];
        for (int j = 0; j < Inputs.Length; j++) sums[j % f] += Inputs[j];
        var means = new float[f];
        for (int i = 0; i < f; i++) means[i] = (float)(sums[i] / ((long)Count * Steps));
        return means;
    }
}
