using System.Diagnostics;
using Engine.Losses;
using Engine.Metrics;
using Engine.Models;
using Engine.Optimizers;

namespace Engine.Training;

/// <summary>Runs epochs of training steps over a batch source with a loss and Adam.</summary>
public sealed class Trainer(Sequential model, ILoss loss, Adam optimizer)
{
    public Sequential Model { get; } = model;
    public ILoss Loss { get; } = loss;
    public Adam Optimizer { get; } = optimizer;

    /// <summary>Called after every step; keep it cheap.</summary>
    public Action<TrainingProgress>? OnStep { get; set; }

    /// <summary>Called after every epoch.</summary>
    public Action<EpochResult>? OnEpoch { get; set; }

    /// <summary>
    /// Metrics reported per epoch (<see cref="MetricSets.For"/>), for training and validation; none by default. The
    /// training ones are over the predictions the epoch's steps made: each step adds its batch's pairs to a running
    /// computation (<see cref="MetricRun"/>, buffers allocated once per <see cref="Fit"/>, at most one float per pair:
    /// the epoch's predictions and targets are not kept), no allocation.
    /// </summary>
    public IReadOnlyList<IMetric> Metrics { get; set; } = [];

    /// <summary>Stops on the validation loss, restores the best epoch (needs a validation set); null: never.</summary>
    public EarlyStopping? EarlyStopping { get; set; }

    /// <summary>How many times the first epoch's mean loss an epoch's may reach before training stops as
    /// diverged.</summary>
    public const float LossGrowthLimit = 100f;

    /// <summary>
    /// Trains for <paramref name="epochs"/> x <paramref name="stepsPerEpoch"/> steps. Throws
    /// <see cref="TrainingDivergedException"/> when a batch loss is NaN or infinite, or at the end of an epoch when a
    /// parameter or a prediction of the epoch's last batch is NaN or infinite (a clamped loss such as BCE's can stay
    /// finite on NaN predictions), or when the epoch's mean loss exceeds <see cref="LossGrowthLimit"/> x the first
    /// epoch's (and 1e-3, so that a first loss near 0 does not make noise look like divergence). The model then holds
    /// the diverged parameters: the caller must not keep it. With <see cref="EarlyStopping"/> the history ends at the
    /// epoch training stopped after, and the model may hold an earlier epoch's parameters.
    /// </summary>
    public IReadOnlyList<EpochResult> Fit(IBatchSource source, int epochs, int stepsPerEpoch,
                                          ValidationSet? validation = null)
    {
        Check.Positive(epochs, nameof(epochs));
        Check.Positive(stepsPerEpoch, nameof(stepsPerEpoch));
        if (source.Features != Model.InputFeatures)
            throw new ArgumentException($"the batch source has {source.Features} features but the model takes " +
                                        $"{Model.InputFeatures}", nameof(source));
        if (source.TargetsPerSeries != Model.OutputsPerSeries(source.Steps))
            throw new ArgumentException($"the batch source has {source.TargetsPerSeries} targets per series but the " +
                                        $"model outputs {Model.OutputsPerSeries(source.Steps)} for {source.Steps} " +
                                        $"steps", nameof(source));
        var x = new float[source.BatchSize * source.Steps * source.Features];
        var y = new float[source.BatchSize * source.TargetsPerSeries];
        var predicted = new float[y.Length];
        if (EarlyStopping is not null && validation is null)
            throw new ArgumentException("early stopping monitors the validation loss: give a validation set",
                nameof(validation));
        bool metrics = Metrics.Count > 0;
        // The running metrics over the epoch's training pairs, a step's pairs, and the validation predictions:
        // allocated once per call.
        int epochPairs = metrics ? checked(stepsPerEpoch * y.Length) : 0;
        var runs = Metrics.Select(m => MetricRun.Start(m, epochPairs)).ToArray();
        var stepPredictions = metrics ? new float[y.Length] : [];
        var stepTargets = metrics ? new float[y.Length] : [];
        var validationPredictions = validation is null ? []
            : new float[(long)validation.Count * Model.OutputsPerSeries(source.Steps)];
        EarlyStopping?.Start();
        float firstLoss = float.NaN;
        var history = new List<EpochResult>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            long start = Stopwatch.GetTimestamp();
            double sum = 0;
            foreach (var run in runs) run.Clear();
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                source.NextBatch(x, y, epoch, step);
                float value = Model.TrainStep(x, y, source.BatchSize, source.Steps, Loss, Optimizer);
                if (!float.IsFinite(value)) throw new TrainingDivergedException(epoch + 1, step + 1, value);
                if (metrics)
                {
                    Model.CopyLastStep(stepPredictions, stepTargets);
                    foreach (var run in runs) run.Add(stepPredictions, stepTargets);
                }
                sum += value;
                OnStep?.Invoke(new TrainingProgress(epoch + 1, epochs, step + 1, stepsPerEpoch,
                                                    (float)(sum / (step + 1))));
            }
            float meanLoss = (float)(sum / stepsPerEpoch);
            CheckFinite(epoch + 1, stepsPerEpoch, x, predicted, source);
            if (epoch == 0) firstLoss = meanLoss;
            else if (meanLoss > LossGrowthLimit * MathF.Max(firstLoss, 1e-3f))
                throw new TrainingDivergedException(epoch + 1, stepsPerEpoch,
                    $"the loss grew from {Format(firstLoss)} in epoch 1 to {Format(meanLoss)}, over " +
                        $"{LossGrowthLimit:0}x");
            float validationLoss = float.NaN;
            IReadOnlyList<MetricValue> validationMetrics = [];
            if (validation is not null)
            {
                // As Sequential.Evaluate, into the buffer kept for the whole run.
                Model.Predict(validationPredictions, validation.Inputs, validation.Count, source.Steps);
                validationLoss = Loss.Value(validationPredictions, validation.Targets);
                if (metrics) validationMetrics = MetricSets.Compute(Metrics, validationPredictions, validation.Targets);
            }
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var result = new EpochResult(epoch + 1, meanLoss, validationLoss, seconds)
            {
                Metrics = [.. runs.Select((run, k) => new MetricValue(Metrics[k].Name, run.Value()))],
                ValidationMetrics = validationMetrics,
            };
            history.Add(result);
            OnEpoch?.Invoke(result);
            if (EarlyStopping?.AfterEpoch(Model, epoch + 1, validationLoss) == true) break;
        }
        EarlyStopping?.Finish(Model, history[^1].Epoch);
        return history;
    }

    // Parameters, then the predictions for the epoch's last batch (still in x), must be finite.
    private void CheckFinite(int epoch, int step, float[] x, float[] predicted, IBatchSource source)
    {
        if (Check.FirstNonFinite(Model.Parameters) is var p and >= 0)
            throw new TrainingDivergedException(epoch, step, $"parameter {p} became {Format(Model.Parameters[p])}");
        Model.Predict(predicted, x, source.BatchSize, source.Steps);
        if (Check.FirstNonFinite(predicted) is var i and >= 0)
            throw new TrainingDivergedException(epoch, step, $"a prediction became {Format(predicted[i])}");
    }

    private static string Format(float v) => v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
}
