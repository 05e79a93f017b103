using Engine.Training;
using Spectre.Console;

namespace Demo.Reports;

/// <summary>
/// Shows training on the console: a live progress bar when the console is interactive, and always one
/// plain line per epoch (Keras-style), so redirected output and logs read the same.
/// </summary>
public static class TrainingView
{
    /// <summary>Runs <paramref name="fit"/> with the trainer's callbacks wired to the console.</summary>
    public static T Run<T>(Trainer trainer, int epochs, int stepsPerEpoch, Func<T> fit)
    {
        void PrintEpoch(EpochResult e) => Console.WriteLine(
            $"Epoch {e.Epoch}/{epochs} - {stepsPerEpoch}/{stepsPerEpoch} steps - {e.Seconds:F2} s - loss: {e.Loss:F4}" +
            (float.IsNaN(e.ValidationLoss) ? "" : $" - val_loss: {e.ValidationLoss:F4}"));

        bool interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!interactive)
        {
            trainer.OnEpoch = PrintEpoch;
            return fit();
        }

        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("Training", maxValue: (double)epochs * stepsPerEpoch);
                int every = Math.Max(1, stepsPerEpoch / 100);
                trainer.OnStep = p =>
                {
                    if (p.Step % every != 0 && p.Step != p.StepsPerEpoch) return;
                    task.Value = (double)(p.Epoch - 1) * p.StepsPerEpoch + p.Step;
                    task.Description = $"Epoch {p.Epoch}/{p.Epochs} loss {p.MeanLoss:F4}";
                };
                trainer.OnEpoch = e => ctx.Refresh();
                result = fit();
            });
        trainer.OnStep = null;
        return result;
    }
}
