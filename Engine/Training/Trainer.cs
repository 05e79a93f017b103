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
    /// training ones are computed at the end of the epoch over the predictions its steps made, collected in a buffer
    /// allocated once per <see cref="Fit"/>: a step copies its batch's pairs, no allocation.
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
        // The epoch's training pairs for the metrics, and the validation predictions: allocated once per call.
        var epochPredictions = metrics ? new float[(long)stepsPerEpoch * y.Length] : [];
        var epochTargets = metrics ? new float[epochPredictions.Length] : [];
        var validationPredictions = validation is null ? []
            : new float[(long)validation.Count * Model.OutputsPerSeries(source.Steps)];
        EarlyStopping?.Start();
        float firstLoss = float.NaN;
        var history = new List<EpochResult>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            long start = Stopwatch.GetTimestamp();
            double sum = 0;
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                source.NextBatch(x, y, epoch, step);
                float value = Model.TrainStep(x, y, source.BatchSize, source.Steps, Loss, Optimizer);
                if (!float.IsFinite(value)) throw new TrainingDivergedException(epoch + 1, step + 1, value);
                if (metrics)
                    Model.CopyLastStep(epochPredictions.AsSpan(step * y.Length, y.Length),
                        epochTargets.AsSpan(step * y.Length, y.Length));
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
                Metrics = metrics ? MetricSets.Compute(Metrics, epochPredictions, epochTargets) : [],
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
