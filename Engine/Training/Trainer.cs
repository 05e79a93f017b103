using System.Diagnostics;
using Engine.Losses;
using Engine.Models;
using Engine.Optimizers;

namespace Engine.Training;

/// <summary>Where training is, reported after every step.</summary>
public readonly record struct TrainingProgress(int Epoch, int Epochs, int Step, int StepsPerEpoch, float MeanLoss);

/// <summary>One epoch's result.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Mean training loss over the epoch's batches.</param>
/// <param name="ValidationLoss">Loss on the validation set, NaN when there is none.</param>
/// <param name="Seconds">Wall time of the epoch.</param>
public sealed record EpochResult(int Epoch, float Loss, float ValidationLoss, double Seconds);

/// <summary>Training diverged: a loss became NaN or infinite.</summary>
public sealed class TrainingDivergedException(int epoch, int step, float loss)
    : Exception($"training diverged at epoch {epoch}, step {step}: the loss became {loss}. Try a smaller learning rate, standardised inputs or a smaller model.")
{
    public int Epoch { get; } = epoch;
    public int Step { get; } = step;
}

/// <summary>A validation set held as arrays.</summary>
public sealed record ValidationSet(float[] Inputs, float[] Targets, int Count);

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
    /// Trains for <paramref name="epochs"/> x <paramref name="stepsPerEpoch"/> steps. Throws
    /// <see cref="TrainingDivergedException"/> on a NaN or infinite loss; the caller decides whether to keep the model.
    /// </summary>
    public IReadOnlyList<EpochResult> Fit(IBatchSource source, int epochs, int stepsPerEpoch, ValidationSet? validation = null)
    {
        Check.Positive(epochs, nameof(epochs));
        Check.Positive(stepsPerEpoch, nameof(stepsPerEpoch));
        if (source.Features != Model.InputFeatures)
            throw new ArgumentException($"the batch source has {source.Features} features but the model takes {Model.InputFeatures}", nameof(source));
        if (source.TargetsPerSeries != Model.OutputsPerSeries(source.Steps))
            throw new ArgumentException($"the batch source has {source.TargetsPerSeries} targets per series but the model outputs {Model.OutputsPerSeries(source.Steps)} for {source.Steps} steps", nameof(source));
        var x = new float[source.BatchSize * source.Steps * source.Features];
        var y = new float[source.BatchSize * source.TargetsPerSeries];
        var history = new List<EpochResult>(epochs);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            long start = Stopwatch.GetTimestamp();
            double sum = 0;
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                source.NextBatch(x, y, epoch, step);
                float value = Model.TrainStep(x, y, source.BatchSize, source.Steps, Loss, Optimizer);
                if (!float.IsFinite(value)) throw new TrainingDivergedException(epoch + 1, step + 1, value);
                sum += value;
                OnStep?.Invoke(new TrainingProgress(epoch + 1, epochs, step + 1, stepsPerEpoch, (float)(sum / (step + 1))));
            }
            float validationLoss = validation is null ? float.NaN
                : Model.Evaluate(validation.Inputs, validation.Targets, validation.Count, source.Steps, Loss);
            var result = new EpochResult(epoch + 1, (float)(sum / stepsPerEpoch), validationLoss, Stopwatch.GetElapsedTime(start).TotalSeconds);
            history.Add(result);
            OnEpoch?.Invoke(result);
        }
        return history;
    }
}
