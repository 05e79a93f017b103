using System.Globalization;
using Demo.Data;
using Engine.Metrics;
using Engine.Training;
using Spectre.Console;

namespace Demo.Reports;

/// <summary>
/// Shows training on the console as Keras does: one line per epoch with the loss and the metrics, then the
/// validation ones (<see cref="EpochLine"/>), and early stopping's messages (<see cref="StoppingLines"/>). When the
/// console is interactive a live progress bar shows the running loss and the last epoch's validation figures
/// (<see cref="BarText"/>), and the epoch lines print above it; redirected output and logs get the same lines.
/// </summary>
public static class TrainingView
{
    /// <summary>Runs <paramref name="fit"/> with the trainer's callbacks wired to the console.</summary>
    public static T Run<T>(Trainer trainer, int epochs, int stepsPerEpoch, Func<T> fit)
    {
        bool interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!interactive)
        {
            trainer.OnEpoch = e => Console.WriteLine(EpochLine(e, epochs, stepsPerEpoch));
            var plain = fit();
            PrintStopping(trainer);
            return plain;
        }

        T result = default!;
        // The description gets what is left of the console's width beside the bar (BarWidth), the percentage
        // ("100%"), the time left ("00:00:00") and the gaps: it never wraps, so the other columns never squeeze.
        int room = Math.Max(24, AnsiConsole.Profile.Width - BarWidth - 4 - 8 - 4);
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn { Width = BarWidth }, new PercentageColumn(),
                     new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("Training", maxValue: (double)epochs * stepsPerEpoch);
                int every = Math.Max(1, stepsPerEpoch / 100);
                EpochResult? last = null;
                trainer.OnStep = p =>
                {
                    if (p.Step % every != 0 && p.Step != p.StepsPerEpoch) return;
                    task.Value = (double)(p.Epoch - 1) * p.StepsPerEpoch + p.Step;
                    task.Description = Markup.Escape(BarText(p.Epoch, p.Epochs, p.MeanLoss, last, room));
                };
                trainer.OnEpoch = e =>
                {
                    last = e;
                    AnsiConsole.WriteLine(EpochLine(e, epochs, stepsPerEpoch));
                    task.Description = Markup.Escape(BarText(e.Epoch, epochs, e.Loss, e, room));
                    ctx.Refresh();
                };
                result = fit();
            });
        trainer.OnStep = null;
        PrintStopping(trainer);
        return result;
    }

    /// <summary>
    /// One epoch, as Keras prints it: <c>Epoch 3/40 - 2/2 steps - 0.01 s - loss: 0.6931 - accuracy: 0.5000 -
    /// auc: 0.5000 - val_loss: 0.6931 - val_accuracy: 0.5000 - val_auc: 0.5000</c>.
    /// </summary>
    public static string EpochLine(EpochResult e, int epochs, int stepsPerEpoch) =>
        $"Epoch {e.Epoch}/{epochs} - {stepsPerEpoch}/{stepsPerEpoch} steps - " +
        $"{e.Seconds.ToString("F2", CultureInfo.InvariantCulture)} s - loss: {Number(e.Loss)}" +
        Metrics(e.Metrics, "") + ValidationText(e);

    /// <summary>The epoch's validation loss and metrics, <c> - val_loss: ... - val_NAME: ...</c>, or empty.</summary>
    public static string ValidationText(EpochResult e) => string.Concat(ValidationItems(e));

    // " - val_loss: ...", then " - val_NAME: ..." per metric; none without validation.
    private static IEnumerable<string> ValidationItems(EpochResult e) =>
        float.IsNaN(e.ValidationLoss) ? []
            : [$" - val_loss: {Number(e.ValidationLoss)}", .. e.ValidationMetrics.Select(m => Metric(m, "val_"))];

    /// <summary>The progress bar's width in characters.</summary>
    public const int BarWidth = 16;

    /// <summary>
    /// The progress bar's text in at most <paramref name="room"/> characters: <c>Epoch 6/40 - loss: 0.6100</c> (the
    /// running mean loss of the epoch), then as many of <paramref name="last"/>'s validation figures as fit, in the
    /// epoch line's order, marked with their epoch when it is an earlier one: <c>Epoch 6/40 - loss: 0.6100 -
    /// val_loss: 0.6884 - val_accuracy: 0.5469 (epoch 5)</c>. The epoch and loss always show.
    /// </summary>
    public static string BarText(int epoch, int epochs, double loss, EpochResult? last, int room)
    {
        var text = new System.Text.StringBuilder($"Epoch {epoch}/{epochs} - loss: {Number(loss)}");
        if (last is null) return text.ToString();
        string suffix = last.Epoch == epoch ? "" : $" (epoch {last.Epoch})";
        int shown = 0;
        foreach (var item in ValidationItems(last))
        {
            if (text.Length + item.Length + suffix.Length > room) break;
            text.Append(item);
            shown++;
        }
        return shown > 0 ? text.Append(suffix).ToString() : text.ToString();
    }

    /// <summary>
    /// Early stopping's messages, worded as Keras': <c>Restoring model weights from the end of the best epoch: 21.</c>
    /// when the model was given an earlier epoch's weights, then <c>Epoch 31: early stopping</c> when it stopped.
    /// </summary>
    public static IEnumerable<string> StoppingLines(EarlyStopping? stopping)
    {
        if (stopping is null) yield break;
        if (stopping.RestoredEpoch > 0)
            yield return $"Restoring model weights from the end of the best epoch: {stopping.RestoredEpoch}.";
        if (stopping.StoppedEpoch > 0) yield return $"Epoch {stopping.StoppedEpoch}: early stopping";
    }

    private static void PrintStopping(Trainer trainer)
    {
        foreach (var line in StoppingLines(trainer.EarlyStopping)) Console.WriteLine(line);
    }

    private static string Metrics(IReadOnlyList<MetricValue> metrics, string prefix) =>
        string.Concat(metrics.Select(m => Metric(m, prefix)));

    private static string Metric(MetricValue m, string prefix) => $" - {prefix}{m.Name}: {Number(m.Value)}";

    /// <summary>A loss or metric as printed: 4 decimals, <c>nan</c> when undefined (as Keras prints it).</summary>
    public static string Number(double value) =>
        double.IsNaN(value) ? "nan" : value.ToString("F4", CultureInfo.InvariantCulture);

    /// <summary>
    /// One epoch's figures in words: <c>training loss 0.0663 (accuracy 0.9803, auc 0.9976), validation loss 0.0733
    /// (accuracy 0.9764, auc 0.9973) on 60 held-out series</c>, or <c>(no validation set)</c>.
    /// </summary>
    public static string EpochFigures(EpochLoss e, int validationSeries)
    {
        static string Metrics(Dictionary<string, float>? m) => m is null || m.Count == 0 ? ""
            : $" ({string.Join(", ", m.Select(p => $"{p.Key} {Number(p.Value)}"))})";
        return $"training loss {Number(e.Loss)}{Metrics(e.Metrics)}" + (e.ValidationLoss is float v
            ? $", validation loss {Number(v)}{Metrics(e.ValidationMetrics)} on {validationSeries} " +
                "held-out series"
            : " (no validation set)");
    }
}
