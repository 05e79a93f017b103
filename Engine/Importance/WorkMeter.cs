using System.Diagnostics;

namespace Engine.Importance;

/// <summary>
/// Counts the work items of the method running in this flow of execution and stops them when asked:
/// <see cref="ImportanceRunner"/> opens one per method and network, <see cref="ModelTasks"/> announces its loops,
/// checks <see cref="Token"/> before each item and counts each finished item. Ambient (an
/// <see cref="AsyncLocal{T}"/>, which the parallel loops' tasks inherit), so the methods need no change.
/// </summary>
internal sealed class WorkMeter
{
    private static readonly AsyncLocal<WorkMeter?> Ambient = new();
    private readonly IProgress<ImportanceProgress>? _progress;
    private readonly string _method;
    private readonly int _network, _networks;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly Lock _gate = new();
    private long _done, _total;

    private WorkMeter(IProgress<ImportanceProgress>? progress, string method, int network, int networks,
                      CancellationToken token)
    {
        _progress = progress;
        Token = token;
        _method = method;
        _network = network;
        _networks = networks;
    }

    /// <summary>The meter of the running method, or null outside <see cref="ImportanceRunner"/>.</summary>
    public static WorkMeter? Current => Ambient.Value;

    /// <summary>Stops the work between items.</summary>
    public CancellationToken Token { get; }

    /// <summary>Runs <paramref name="body"/> with a meter for <paramref name="method"/> on one network.</summary>
    public static T Run<T>(ImportanceContext context, string method, int network, int networks, Func<T> body)
    {
        var previous = Ambient.Value;
        Ambient.Value = new WorkMeter(context.Progress, method, network, networks, context.Cancellation);
        try { return body(); }
        finally { Ambient.Value = previous; }
    }

    /// <summary>A loop of <paramref name="items"/> starts.</summary>
    public void Announce(int items)
    {
        Token.ThrowIfCancellationRequested();
        if (_progress is null) return;
        lock (_gate) { _total += items; Report(); }
    }

    /// <summary>One item finished.</summary>
    public void Finished()
    {
        if (_progress is null) return;
        lock (_gate) { _done++; Report(); }
    }

    // Under the lock: one report at a time, in the order of the counts.
    private void Report() =>
        _progress!.Report(new ImportanceProgress(_method, _network, _networks, _done, _total,
                                                 Stopwatch.GetElapsedTime(_start)));
}
