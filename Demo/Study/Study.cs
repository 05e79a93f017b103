using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Engine.Importance;
using Engine.Optimizers;
using Engine.Random;
using Engine.Training;

namespace Demo.Study;

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
        var (context, trainSeconds, tally) = Trained(s, k);
        var loss = context.Loss;
        double evalLoss = context.Model.Evaluate(context.Inputs, context.Targets!, s.EvaluationSeries, context.Steps,
                                                 loss);
        // Only the ranking is compared: input-perturbation without its time maps (they cost most of its time and change
        // no score).
        var instances = ImportanceMethods.Create(methods,
            new ImportanceOptions { Noise = s.Noise, Restarts = s.Restarts, TimeMaps = false });
        var runs = s.Design.Classes ? ByClass(context, instances, s.Design.Features)
                   : ImportanceRunner.Run(context, instances);
        return new ReplicateResult(k, evalLoss, RetrainingStepwise.ConstantLoss(context.Targets!, loss), trainSeconds,
                                   runs)
        {
            Retrainings = tally.Trainings, RetrainingEpochs = tally.Epochs,
        };
    }

    /// <summary>
    /// Replicate k's network trained on its training data, and the importance context of its evaluation set (the
    /// retrainers, the importance seed, one thread), everything drawn from <c>new RandomSource(Seed).Fork(k)</c>; the
    /// tally counts the stepwise retrainings (early stopping on the training series that
    /// <see cref="DemoStreams.Study.RetrainingSplit"/> holds out, with <see cref="StudySettings.RetrainPatience"/>).
    /// </summary>
    public static (ImportanceContext Context, double TrainSeconds, RetrainingTally Tally) Trained(StudySettings s,
                                                                                                  int k)
    {
        ArgumentNullException.ThrowIfNull(s);
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
        var source = new ArrayBatchSource(trainX, trainY, s.TrainSeries, steps, f, steps * design.TargetWidth,
                                          s.BatchSize, orderSeed);
        new Trainer(model, loss, new Adam(s.LearningRate)).Fit(source, s.Epochs, source.StepsPerEpoch);
        double trainSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        ulong splitSeed = rng.Fork(DemoStreams.Study.RetrainingSplit).NextUInt64();
        var tally = new RetrainingTally();
        var retrain = Retrainers.FromArrays(s.BuildModel, trainX, trainY, s.TrainSeries, steps, f, loss,
                                            s.RetrainEpochs, s.BatchSize, s.LearningRate,
                                            stopping: s.RetrainPatience > 0
                                                ? new RetrainStopping(s.RetrainPatience, splitSeed) : null,
                                            tally: tally);
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
        return (context, trainSeconds, tally);
    }

    /// <summary>
    /// The runs on a class model, in the methods' order: the stepwise searches (ranked by their order) run on the whole
    /// model with its categorical cross-entropy (the classification's loss); every other method scores each class's
    /// probability alone (<see cref="OutputSelection.ForOutput"/>: the probabilities of a softmax sum to 1, so their
    /// sum has no gradient; a loss-based method measures the binary cross-entropy of p_c against the one-vs-rest
    /// target), and an input's score is <c>sum_c |S_c|</c>, ranked by value (maps likewise).
    /// </summary>
    public static IReadOnlyList<MethodRun> ByClass(ImportanceContext context, IReadOnlyList<IImportanceMethod> methods,
                                                   int classes)
    {
        var runs = new List<MethodRun>(methods.Count);
        foreach (var method in methods)
        {
            if (method.Ranking.OrderWord() is not null)
            {
                runs.AddRange(ImportanceRunner.Run(context, [method]));
                continue;
            }
            var perClass = Enumerable.Range(0, classes)
                .Select(c => ImportanceRunner.Run(OutputSelection.ForOutput(context, c), [method])[0]).ToArray();
            var sums = new double[context.Features];
            foreach (var run in perClass)
                foreach (var feature in run.Result.Features) sums[feature.Feature] += Math.Abs(feature.Score);
            var result = ImportanceResult.FromScores(method.Name, sums) with
            {
                ScoreMeaning = "sum over classes of |score| (each class's probability alone)",
                RandomisedModel = perClass[0].Result.RandomisedModel,
                GateScores = AbsoluteSum(perClass.Select(r => r.Result.GateScores)),
                LagMap = AbsoluteSum(perClass.Select(r => r.Result.LagMap)),
            };
            runs.Add(new MethodRun(method.Name, perClass.Sum(r => r.Seconds), result, ImportanceRanking.ByValue));
        }
        return runs;
    }

    // sum_c |map_c| elementwise; null when a class has no map.
    private static double[,]? AbsoluteSum(IEnumerable<double[,]?> maps)
    {
        double[,]? sum = null;
        foreach (var map in maps)
        {
            if (map is null) return null;
            sum ??= new double[map.GetLength(0), map.GetLength(1)];
            for (int i = 0; i < map.GetLength(0); i++)
                for (int j = 0; j < map.GetLength(1); j++) sum[i, j] += Math.Abs(map[i, j]);
        }
        return sum;
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
