using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;

namespace Demo.Study;

/// <summary>The study's settings: the data design, the replicates, the network, its training and the methods.</summary>
public sealed record StudySettings
{
    public StudyDesign Design { get; init; } = new();

    /// <summary>K, replicate data sets (each with its own trained network).</summary>
    public int Replicates { get; init; } = 100;

    /// <summary>Training series per replicate.</summary>
    public int TrainSeries { get; init; } = 100;

    /// <summary>Evaluation series per replicate (fresh data from the same design), on which every method
    /// runs.</summary>
    public int EvaluationSeries { get; init; } = 200;

    /// <summary>LSTM units (one tanh LSTM layer returning sequences, then a dense head per step).</summary>
    public int Units { get; init; } = 8;

    /// <summary>The recurrent layer: false = LSTM (the default), true = GRU (Keras' GRU, reset_after).</summary>
    public bool Gru { get; init; }

    /// <summary>The recurrent layer's cell activation (tanh as Keras' default; relu as the reference model).</summary>
    public Activation CellActivation { get; init; } = Activation.Tanh;

    public int Epochs { get; init; } = 30;
    public int BatchSize { get; init; } = 16;
    public float LearningRate { get; init; } = 0.01f;

    /// <summary>
    /// CLI names of the methods (see <see cref="ImportanceMethods"/>); by default <see cref="DefaultMethods"/>.
    /// </summary>
    public IReadOnlyList<string> Methods { get; init; } = DefaultMethods;

    /// <summary>
    /// Every method but those that train networks on permuted targets (connection-weights-test): such a test ranks as
    /// the method it tests does (it adds p-values, which the similarity does not use) at the cost of 19 trainings.
    /// </summary>
    public static IReadOnlyList<string> DefaultMethods =>
        ImportanceMethods.Names.Where(n =>
            !ImportanceMethods.Create(n).Needs.HasFlag(ImportanceNeeds.PermutedRetraining)).ToArray();

    /// <summary>Repeats of the randomised methods within one replicate.</summary>
    public int Repeats { get; init; } = 5;

    /// <summary>Epochs of each retraining of forward/backward-stepwise (by default the network's own
    /// schedule).</summary>
    public int RetrainEpochs { get; init; } = 30;

    /// <summary>Trainings per subset in forward/backward-stepwise.</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>
    /// Early stopping of the stepwise retrainings (<see cref="RetrainStopping"/>): the patience in epochs, on the
    /// training series held out once per replicate; 0: off (every training series, every epoch).
    /// </summary>
    public int RetrainPatience { get; init; } = RetrainStopping.DefaultPatience;

    public float Noise { get; init; } = 0.2f;
    public ulong Seed { get; init; } = 42;

    /// <summary>Worker threads over replicates (each replicate runs its methods on one thread); results do not depend
    /// on it.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    public ILoss Loss => Design.Classes ? new CategoricalCrossEntropy(Design.Features)
                         : Design.Binary ? new BinaryCrossEntropy() : new MeanSquaredError();

    /// <summary>LSTM or GRU (Units, cell activation, sigmoid gates, sequences) then Dense(1) per step (sigmoid for a
    /// binary target; Dense(F) softmax for a class target), flattened to (N, T x width).</summary>
    public Sequential BuildModel(int features, ulong seed)
    {
        var model = new Sequential(features, [
            RecurrentLayer(),
            Design.Classes ? Dense.WithSoftmax(Design.Features)
                : new Dense(1, Design.Binary ? Activation.Sigmoid : Activation.Linear),
        ], flatten: true);
        model.Initialize(seed);
        return model;
    }

    /// <summary>The network's recurrent layer, unbound: LSTM or GRU (Units, cell activation, sigmoid gates,
    /// sequences).</summary>
    public Layer RecurrentLayer() =>
        Gru ? new Gru(Units, CellActivation, Activation.Sigmoid, returnSequences: true)
            : new Lstm(Units, CellActivation, Activation.Sigmoid, returnSequences: true);

    /// <summary>Checks the settings; messages name the setting.</summary>
    public void Validate()
    {
        Design.Validate();
        foreach (var (name, value) in new[] { ("replicates", Replicates), ("train series", TrainSeries),
            ("evaluation series", EvaluationSeries), ("units", Units),
                                              ("epochs", Epochs), ("batch size", BatchSize), ("repeats", Repeats),
                                              ("retrain epochs", RetrainEpochs),
                                              ("restarts", Restarts), ("threads", Threads) })
            if (value <= 0) throw new ArgumentException($"{name} must be positive, got {value}");
        if (RetrainPatience < 0)
            throw new ArgumentException($"retrain patience must be 0 or more, got {RetrainPatience}");
        if (RetrainPatience > 0 && TrainSeries < 2)
            throw new ArgumentException("retrain patience holds out training series for validation: it needs at " +
                                        $"least 2, got {TrainSeries}");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate))
            throw new ArgumentException($"the learning rate must be a positive number, got {LearningRate}");
        if (Methods.Count == 0) throw new ArgumentException("no importance method given");
    }
}
