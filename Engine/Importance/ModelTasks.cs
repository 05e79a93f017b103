using Engine.Models;

namespace Engine.Importance;

/// <summary>
/// The parallel plumbing every method shares: independent tasks by index on up to <c>threads</c> workers, each
/// worker with its own clone of the model (a model is not thread-safe), results stored by index so the caller
/// reduces them in index order: the same numbers whatever the thread count. Workers are rented from
/// <see cref="ModelWorker"/>'s pool, so repeated calls reuse their clones and buffers.
/// </summary>
internal static class ModelTasks
{
    /// <summary>results[i] = body(worker, i) for i in [0, count).</summary>
    public static T[] Map<T>(Sequential model, int count, int threads, Func<ModelWorker, int, T> body)
    {
        var results = new T[count];
        For(model, count, threads, (worker, i) => results[i] = body(worker, i));
        return results;
    }

    /// <summary>body(worker, i) for i in [0, count); the body stores its results by index.</summary>
    /// <remarks>
    /// Under <see cref="ImportanceRunner"/> (a <see cref="WorkMeter"/>) the loop is announced, each item counted when
    /// done, and a cancellation stops it before the next item (an <see cref="OperationCanceledException"/>).
    /// </remarks>
    public static void For(Sequential model, int count, int threads, Action<ModelWorker, int> body)
    {
        var meter = WorkMeter.Current;
        meter?.Announce(count);
        if (threads <= 1 || count <= 1)
        {
            var worker = ModelWorker.Rent(model);
            for (int i = 0; i < count; i++)
            {
                meter?.Token.ThrowIfCancellationRequested();
                body(worker, i);
                meter?.Finished();
            }
            worker.Return(); // not on an exception: a worker left mid-task is simply dropped
            return;
        }
        Parallel.For(0, count, Options(threads, meter), () => ModelWorker.Rent(model),
            (i, _, worker) => { body(worker, (int)i); meter?.Finished(); return worker; }, worker => worker.Return());
    }

    /// <summary>results[i] = body(i) for i in [0, count), no model (retrainings build their own); counted and
    /// stopped as <see cref="For"/>.</summary>
    public static T[] Map<T>(int count, int threads, Func<int, T> body)
    {
        var results = new T[count];
        var meter = WorkMeter.Current;
        meter?.Announce(count);
        if (threads <= 1 || count <= 1)
            for (int i = 0; i < count; i++)
            {
                meter?.Token.ThrowIfCancellationRequested();
                results[i] = body(i);
                meter?.Finished();
            }
        else Parallel.For(0, count, Options(threads, meter), i => { results[i] = body(i); meter?.Finished(); });
        return results;
    }

    // Parallel.For starts no item once the token is cancelled, lets the running ones finish, then throws
    // OperationCanceledException.
    private static ParallelOptions Options(int threads, WorkMeter? meter) => new()
    {
        MaxDegreeOfParallelism = threads, CancellationToken = meter?.Token ?? CancellationToken.None,
    };
}

/// <summary>Receives the input gradient dInput (b, T, F) of weight set <paramref name="set"/> for series [start, start
/// + b).</summary>
internal delegate void GradientVisitor(int set, int start, int batch, ReadOnlySpan<float> dInput);
