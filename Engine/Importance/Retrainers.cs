using Engine.Losses;
using Engine.Models;
using Engine.Optimizers;
using Engine.Random;
using Engine.Training;

namespace Engine.Importance;

/// <summary>Ready-made <see cref="Retrainer"/>s for the stepwise methods.</summary>
public static class Retrainers
{
    /// <summary>
    /// Retrains on a fixed training set held as arrays: <paramref name="build"/>(inputs, seed) makes a fresh,
    /// initialised model of the same architecture for a subset's width; it is trained with the engine's
    /// <see cref="Trainer"/> and Adam for <paramref name="epochs"/> passes over (N, T, F) <paramref name="inputs"/> and
    /// (N, outputs per series) <paramref name="targets"/>, shuffled by the retraining seed, only the subset's
    /// columns passed on. The arrays are only read, so parallel retrainings may share them. With
    /// <paramref name="permuteTargets"/> the series' target rows are first permuted by <c>new
    /// RandomSource(seed).Fork(RandomStreams.PermutedTargets)</c>
    /// (a copy; each series keeps its inputs): the null networks of connection-weights-test. With
    /// <paramref name="stopping"/> (not with permuted targets: a network that can learn nothing from them would stop
    /// at once) the series it holds out are left out of training and watched for early stopping; null: every series
    /// trains for every epoch. <paramref name="tally"/> counts the trainings, epochs and steps run.
    /// </summary>
    public static Retrainer FromArrays(Func<int, ulong, Sequential> build, float[] inputs, float[] targets, int count,
                                       int steps, int features,
                                       ILoss loss, int epochs, int batchSize, float learningRate = 0.001f,
                                       bool permuteTargets = false, RetrainStopping? stopping = null,
                                       RetrainingTally? tally = null)
    {
        if (permuteTargets && stopping is not null)
            throw new ArgumentException("early stopping watches a validation loss that a network trained on permuted " +
                                        "targets cannot lower: retrain the null networks for every epoch",
                                        nameof(stopping));
        var data = new Held(inputs, targets, count, steps, features, stopping);
        var schedule = new Schedule(loss, epochs, batchSize, learningRate, stopping?.Patience, tally);
        return (subset, seed) =>
            data.Fit(build(subset.Length, seed), source => new FeatureSubsetBatchSource(source, subset),
                     x => Series.SelectFeatures(x, features, subset), seed,
                     permuteTargets
                         ? PermuteSeries(data.Targets, data.Count,
                                         new RandomSource(seed).Fork(RandomStreams.PermutedTargets))
                         : data.Targets, schedule);
    }

    /// <summary>
    /// The <see cref="MaskedRetrainer"/> of <see cref="FromArrays"/>: <paramref name="build"/>(F, seed) makes a fresh
    /// model of the original width, trained as there on <paramref name="inputs"/> with the removed lag windows' cells
    /// set to 0 in every batch (before each series' last step), and in the validation series of
    /// <paramref name="stopping"/>.
    /// </summary>
    public static MaskedRetrainer MaskedFromArrays(Func<int, ulong, Sequential> build, float[] inputs, float[] targets,
                                                   int count, int steps, int features, ILoss loss, int epochs,
                                                   int batchSize, float learningRate = 0.001f,
                                                   RetrainStopping? stopping = null, RetrainingTally? tally = null)
    {
        var data = new Held(inputs, targets, count, steps, features, stopping);
        var schedule = new Schedule(loss, epochs, batchSize, learningRate, stopping?.Patience, tally);
        return (removed, seed) =>
        {
            (int, LagWindow)[] cells = [.. removed];
            return data.Fit(build(features, seed), source => new LagMaskBatchSource(source, cells), x =>
            {
                var masked = (float[])x.Clone();
                LagMaskBatchSource.Zero(masked, masked.Length / (steps * features), steps, features, cells);
                return masked;
            }, seed, data.Targets, schedule);
        };
    }

    /// <summary>The rows of (count, per) <paramref name="values"/> in a random order: row n of the result is row
    /// order[n].</summary>
    internal static float[] PermuteSeries(float[] values, int count, RandomSource rng)
    {
        var order = Enumerable.Range(0, count).ToArray();
        rng.Shuffle<int>(order);
        return SeriesSplit.Rows(values, values.Length / count, order);
    }

    // How every retraining of one retrainer trains: loss, epochs, batch, Adam's rate, the patience (null: every
    // epoch) and the tally.
    private sealed record Schedule(ILoss Loss, int Epochs, int BatchSize, float LearningRate, int? Patience,
                                   RetrainingTally? Tally);

    // The training series (all of them without early stopping, no copy) and the validation series held out, split
    // once per retrainer so that every subset and restart sees the same ones.
    private sealed class Held
    {
        private readonly int _steps, _features;
        private readonly float[]? _validationInputs, _validationTargets;
        private readonly int _validationCount;

        public Held(float[] inputs, float[] targets, int count, int steps, int features, RetrainStopping? stopping)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            ArgumentNullException.ThrowIfNull(targets);
            Check.Positive(count, nameof(count));
            Check.Positive(steps, nameof(steps));
            Check.Positive(features, nameof(features));
            _steps = steps;
            _features = features;
            Inputs = inputs;
            Targets = targets;
            Count = count;
            if (stopping is null) return;
            var (training, validation) = stopping.Split(count);
            int perIn = steps * features, perOut = targets.Length / count;
            Inputs = SeriesSplit.Rows(inputs, perIn, training);
            Targets = SeriesSplit.Rows(targets, perOut, training);
            Count = training.Length;
            _validationInputs = SeriesSplit.Rows(inputs, perIn, validation);
            _validationTargets = SeriesSplit.Rows(targets, perOut, validation);
            _validationCount = validation.Length;
        }

        public float[] Inputs { get; }
        public float[] Targets { get; }
        public int Count { get; }

        // Trains model on view(the training series, shuffled by seed) against targets; with held-out series, watches
        // their loss through validationView (the columns or cells the model sees) and stops early.
        public Sequential Fit(Sequential model, Func<IBatchSource, IBatchSource> view,
                              Func<float[], float[]> validationView, ulong seed, float[] targets, Schedule schedule)
        {
            var source = new ArrayBatchSource(Inputs, targets, Count, _steps, _features, targets.Length / Count,
                                              schedule.BatchSize, seed);
            var trainer = new Trainer(model, schedule.Loss, new Adam(schedule.LearningRate));
            ValidationSet? validation = null;
            if (_validationInputs is not null)
            {
                validation = new ValidationSet(validationView(_validationInputs), _validationTargets!,
                                               _validationCount);
                trainer.EarlyStopping = new EarlyStopping(schedule.Patience, restoreBest: true);
            }
            var history = trainer.Fit(view(source), schedule.Epochs, source.StepsPerEpoch, validation);
            schedule.Tally?.Add(history.Count, schedule.Epochs, source.StepsPerEpoch);
            return model;
        }
    }
}
