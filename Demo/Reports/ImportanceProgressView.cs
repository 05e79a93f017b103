using System.Diagnostics;
using System.Globalization;
using Engine.Importance;
using Spectre.Console;

namespace Demo.Reports;

/// <summary>
/// Shows the importance methods' progress (<see cref="ImportanceProgress"/>, reported by the engine after each work
/// item): in a terminal the status line of a Spectre status display (<see cref="Attach"/>), redirected one line every
/// <see cref="Interval"/> to the info writer (<see cref="Line"/>). Owns the run's stop: Ctrl-C cancels
/// <see cref="Token"/>, which the engine checks between work items.
/// </summary>
public sealed class ImportanceProgressView : IProgress<ImportanceProgress>, IDisposable
{
    /// <summary>Tests: stops the run when it returns true for a report (in-process, this flow only).</summary>
    public static readonly AsyncLocal<Func<ImportanceProgress, bool>?> StopWhen = new();

    private readonly CancellationTokenSource _stop = new();
    private readonly TextWriter _lines;
    private readonly Func<ImportanceProgress, bool>? _stopWhen = StopWhen.Value;
    private readonly ConsoleCancelEventHandler _onCancel;
    private StatusContext? _status;
    private long _lastLine = Stopwatch.GetTimestamp();

    public ImportanceProgressView(TextWriter lines)
    {
        _lines = lines;
        _onCancel = (_, e) => { e.Cancel = true; _stop.Cancel(); };
        Console.CancelKeyPress += _onCancel;
    }

    /// <summary>
    /// Seconds between two lines when redirected: the environment variable <c>DEMO_PROGRESS_SECONDS</c> (0: every
    /// report), else 5.
    /// </summary>
    public static TimeSpan Interval =>
        double.TryParse(Environment.GetEnvironmentVariable("DEMO_PROGRESS_SECONDS"), NumberStyles.Float,
                        CultureInfo.InvariantCulture, out double s) && s >= 0
            ? TimeSpan.FromSeconds(s)
            : TimeSpan.FromSeconds(5);

    /// <summary>Cancelled by Ctrl-C: the engine stops between work items.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Whether the run was stopped.</summary>
    public bool Stopped => _stop.IsCancellationRequested;

    /// <summary>Shows the progress on a live status display instead of lines.</summary>
    public void Attach(StatusContext status) => _status = status;

    public void Report(ImportanceProgress value)
    {
        if (_stopWhen?.Invoke(value) == true) _stop.Cancel();
        if (_status is not null)
        {
            _status.Status(Markup.Escape(Line(value)));
            return;
        }
        if (Stopwatch.GetElapsedTime(_lastLine) < Interval && value.Done != value.Total) return;
        _lastLine = Stopwatch.GetTimestamp();
        lock (_lines) _lines.WriteLine(Line(value));
    }

    /// <summary>
    /// One progress line: <c>occlusion: 120/576 items (21%), about 14 s left</c>, the network named when there are
    /// several (<c>permutation, network 2/5: ...</c>); the time left is the rate so far times the items left of those
    /// the method has announced.
    /// </summary>
    public static string Line(ImportanceProgress p)
    {
        string network = p.Networks > 1 ? $", network {p.Network + 1}/{p.Networks}" : "";
        string left = p.Remaining is { } r ? $"about {Seconds(r)} left" : "estimating the time left";
        return string.Create(CultureInfo.InvariantCulture,
                             $"{p.Method}{network}: {p.Done}/{p.Total} items ({100 * p.Fraction:0}%), {left}");
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds < 90
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(t.TotalSeconds):0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(t.TotalMinutes):0} min");

    public void Dispose()
    {
        Console.CancelKeyPress -= _onCancel;
        _stop.Dispose();
    }
}
