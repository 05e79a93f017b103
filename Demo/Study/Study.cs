using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Optimizers;
using Engine.Random;
using Engine.Training;

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

    public float Noise { get; init; } = 0.2f;
    public ulong Seed { get; init; } = 42;

    /// <summary>Worker threads over replicates (each replicate runs its methods on one thread); results do not depend
    /// on it.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    public ILoss Loss => Design.Binary ? new BinaryCrossEntropy() : new MeanSquaredError();

    /// <summary>LSTM or GRU (Units, cell activation, sigmoid gates, sequences) then Dense(1) per step (sigmoid for a
    /// binary target), flattened to (N, T).</summary>
    public Sequential BuildModel(int features, ulong seed)
    {
        var model = new Sequential(features, [
            RecurrentLayer(),
            new Dense(1, Design.Binary ? Activation.Sigmoid : Activation.Linear),
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
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate))
            throw new ArgumentException($"the learning rate must be a positive number, got {LearningRate}");
        if (Methods.Count == 0) throw new ArgumentException("no importance method given");
    }
}

/// <summary>One replicate: its trained network's evaluation loss, the loss of the best constant prediction, and every
/// method's run.</summary>
public sealed record ReplicateResult(int Index, double Loss, double ConstantLoss, double TrainSeconds,
                                     IReadOnlyList<MethodRun> Runs);

/// <summary>
/// One method over the K replicates: Olden's similarity (mean share of inputs at their true rank) with its 95%
/// interval over replicates, the share of replicates ranking each input correctly, Spearman's rho of estimated and
/// true ranks, the share of replicates ranking the irrelevant inputs strictly last, each input's mean rank, and the
/// mean seconds per replicate. <paramref name="ChanceLevel"/>: the method ranks randomised networks
/// (<see cref="ImportanceResult.RandomisedModel"/>), so its row is the chance level.
/// </summary>
public sealed record MethodSummary(string Name, SampleStatistics Similarity, double[] CorrectByFeature,
                                   SampleStatistics Spearman,
                                   double IrrelevantLast, double[] MeanRank, double Seconds, bool ChanceLevel = false);

/// <summary>The study's outcome: the settings, each replicate and each method's summary (in the order of the
/// methods).</summary>
public sealed record StudyResult(StudySettings Settings, IReadOnlyList<ReplicateResult> Replicates,
                                 IReadOnlyList<MethodSummary> Methods, double Seconds)
{
    /// <summary>
    /// Where the inputs act, averaged over replicates, from the maps of one method: <paramref name="method"/>'s
    /// <paramref name="map"/> (e.g. connection-weights' gate scores (4, F), partial-derivatives' lag map (T, F)), each
    /// replicate's |map| divided by its row sums so that each row gives the inputs' shares (comparable across networks
    /// whose weights differ in scale); null when the method did not run or has no such map.
    /// </summary>
    public double[,]? MeanShares(string method, Func<Engine.Importance.ImportanceResult, double[,]?> map)
    {
        int m = Methods.ToList().FindIndex(x => x.Name == method);
        if (m < 0 || Replicates.Any(r => map(r.Runs[m].Result) is null)) return null;
        var first = map(Replicates[0].Runs[m].Result)!;
        int rows = first.GetLength(0), cols = first.GetLength(1);
        var mean = new double[rows, cols];
        foreach (var r in Replicates)
        {
            var a = map(r.Runs[m].Result)!;
            for (int i = 0; i < rows; i++)
            {
                double sum = 0;
                for (int j = 0; j < cols; j++) sum += Math.Abs(a[i, j]);
                if (sum > 0) for (int j = 0; j < cols; j++) mean[i, j] += Math.Abs(a[i, j]) / sum / Replicates.Count;
            }
        }
        return mean;
    }
}

/// <summary>
/// The Olden, Joy &amp; Death (2004) experiment on LSTMs: for each of K replicates, fresh data from
/// <see cref="StudyDesign"/>, an LSTM trained with the engine's <see cref="Trainer"/>, every method run through
/// <see cref="ImportanceRunner"/> on a fresh evaluation set, and each method's ranking compared with the truth by
/// <see cref="StudyMetrics"/>. Replicates run in parallel; replicate k draws everything from
/// <c>new RandomSource(Seed).Fork(k)</c> and runs its methods on one thread, and results are stored by index, so the
/// numbers (all but the seconds) are the same for any thread count.
/// </summary>
public static class StudyRunner
{
    /// <summary>Runs the study; <paramref name="onReplicate"/> sees each replicate as it ends (from worker threads, in
    /// any order).</summary>
    public static StudyResult Run(StudySettings s, Action<ReplicateResult>? onReplicate = null)
    {
        long start = Stopwatch.GetTimestamp();
        var replicates = Replicates(s, Enumerable.Range(0, s.Replicates).ToArray(), onReplicate);
        return Result(s, replicates, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>
    /// The replicates <paramref name="indices"/> (a shard's share, or all), in parallel on up to
    /// <see cref="StudySettings.Threads"/> threads, in the order given; each depends only on its index.
    /// </summary>
    public static ReplicateResult[] Replicates(StudySettings s, IReadOnlyList<int> indices,
                                               Action<ReplicateResult>? onReplicate = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(indices);
        s.Validate();
        var methods = ImportanceMethods.Parse(string.Join(",", s.Methods));
        var replicates = new ReplicateResult[indices.Count];
        try
        {
            Parallel.For(0, indices.Count, new ParallelOptions { MaxDegreeOfParallelism = s.Threads }, i =>
            {
                replicates[i] = Replicate(s, methods, indices[i]);
                onReplicate?.Invoke(replicates[i]);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            // the first failure, as a single-threaded run would report it
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return replicates;
    }

    /// <summary>The study's result from all K <paramref name="replicates"/> (in index order): each method's
    /// summary.</summary>
    public static StudyResult Result(StudySettings s, IReadOnlyList<ReplicateResult> replicates, double seconds)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(replicates);
        var methods = ImportanceMethods.Parse(string.Join(",", s.Methods));
        var summaries = methods.Select((name, m) =>
            Summarise(s.Design, name, replicates.Select(r => r.Runs[m]).ToArray())).ToArray();
        return new StudyResult(s, replicates, summaries, seconds);
    }

    /// <summary>Replicate k: data, training, every method (on one thread).</summary>
    public static ReplicateResult Replicate(StudySettings s, IReadOnlyList<string> methods, int k)
    {
        var design = s.Design;
        var rng = new RandomSource(s.Seed).Fork((ulong)k);
        var (trainX, trainY) = design.Generate(s.TrainSeries, rng.Fork(DemoStreams.Study.TrainingData));
        var (evalX, evalY) = design.Generate(s.EvaluationSeries, rng.Fork(DemoStreams.Study.EvaluationData));
        ulong weightSeed = rng.Fork(DemoStreams.Study.Weights).NextUInt64();
        ulong orderSeed = rng.Fork(DemoStreams.Study.BatchOrder).NextUInt64();
        ulong importanceSeed = rng.Fork(DemoStreams.Study.Importance).NextUInt64();
        int f = design.Features, steps = design.Steps;
        var loss = s.Loss;

        long start = Stopwatch.GetTimestamp();
        var model = s.BuildModel(f, weightSeed);
        var source = new ArrayBatchSource(trainX, trainY, s.TrainSeries, steps, f, steps, s.BatchSize, orderSeed);
        new Trainer(model, loss, new Adam(s.LearningRate)).Fit(source, s.Epochs, source.StepsPerEpoch);
        double trainSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        double evalLoss = model.Evaluate(evalX, evalY, s.EvaluationSeries, steps, loss);
        var retrain = Retrainers.FromArrays(s.BuildModel, trainX, trainY, s.TrainSeries, steps, f, loss,
                                            s.RetrainEpochs, s.BatchSize, s.LearningRate);
        var retrainPermuted = Retrainers.FromArrays(s.BuildModel, trainX, trainY, s.TrainSeries, steps, f, loss,
                                                    s.Epochs, s.BatchSize, s.LearningRate, permuteTargets: true);
        var context = new ImportanceContext
        {
            Model = model, Inputs = evalX, Targets = evalY, Count = s.EvaluationSeries, Steps = steps, Loss = loss,
            Seed = importanceSeed,
            // the design's means are 0
            Repeats = s.Repeats, Retrain = retrain, RetrainPermuted = retrainPermuted, Threads = 1,
            FeatureMeans = new float[f],
        };
        // Only the ranking is compared: input-perturbation without its time maps (they cost most of its time and change
        // no score).
        var instances = ImportanceMethods.Create(methods,
            new ImportanceOptions { Noise = s.Noise, Restarts = s.Restarts, TimeMaps = false });
        var runs = ImportanceRunner.Run(context, instances);
        return new ReplicateResult(k, evalLoss, RetrainingStepwise.ConstantLoss(evalY, loss), trainSeconds, runs);
    }

    /// <summary>One method's runs on the K replicates compared with the design's true ranks.</summary>
    public static MethodSummary Summarise(StudyDesign design, string name, IReadOnlyList<MethodRun> runs)
    {
        var truth = design.TrueRanks;
        var irrelevant = design.Irrelevant;
        int f = truth.Length, k = runs.Count;
        var similarity = new double[k];
        var spearman = new double[k];
        var correct = new int[f];
        var meanRank = new double[f];
        int last = 0;
        for (int r = 0; r < k; r++)
        {
            var ranks = runs[r].Result.Ranks;
            similarity[r] = StudyMetrics.Similarity(ranks, truth);
            spearman[r] = StudyMetrics.Spearman(ranks, truth);
            if (StudyMetrics.IrrelevantLast(ranks, irrelevant)) last++;
            for (int j = 0; j < f; j++)
            {
                if (ranks[j] == truth[j]) correct[j]++;
                meanRank[j] += (double)ranks[j] / k;
            }
        }
        return new MethodSummary(name, ImportanceStatistics.Summarise(similarity),
                                 correct.Select(c => (double)c / k).ToArray(), ImportanceStatistics.Summarise(spearman),
                                 irrelevant.Length > 0 ? (double)last / k : double.NaN, meanRank,
                                 runs.Average(r => r.Seconds),
                                 runs.Any(r => r.Result.RandomisedModel));
    }
}
