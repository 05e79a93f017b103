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
