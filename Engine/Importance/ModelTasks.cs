using Engine.Models;

namespace Engine.Importance;

/// <summary>
/// The parallel plumbing every method shares: independent tasks by index on up to <c>threads</c> workers, each
/// worker with its own clone of the model (a model is not thread-safe), results stored by index so the caller
/// reduces them in index order: the same numbers whatever the thread count.
/// </summary>
internal static class ModelTasks
{
    /// <summary>results[i] = body(clone, i) for i in [0, count).</summary>
    public static T[] Map<T>(Sequential model, int count, int threads, Func<Sequential, int, T> body)
    {
        var results = new T[count];
        if (threads <= 1 || count <= 1)
        {
            var clone = model.Clone();
            for (int i = 0; i < count; i++) results[i] = body(clone, i);
            return results;
        }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, model.Clone,
            (i, _, clone) => { results[i] = body(clone, (int)i); return clone; }, _ => { });
        return results;
    }

    /// <summary>results[i] = body(i) for i in [0, count), no model (retrainings build their own).</summary>
    public static T[] Map<T>(int count, int threads, Func<int, T> body)
    {
        var results = new T[count];
        if (threads <= 1 || count <= 1) for (int i = 0; i < count; i++) results[i] = body(i);
        else Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => results[i] = body(i));
        return results;
    }
}

/// <summary>Evaluation helpers over (N, T, F) batch-major series.</summary>
internal static class Series
{
    /// <summary>The model's predictions (N, OutputsPerSeries(T)).</summary>
    public static float[] Predict(Sequential model, ReadOnlySpan<float> inputs, int count, int steps)
    {
        var output = new float[count * model.OutputsPerSeries(steps)];
        model.Predict(output, inputs, count, steps);
        return output;
    }

    /// <summary>The context's loss of the model on <paramref name="inputs"/> against the context's targets.</summary>
    public static double Loss(Sequential model, ReadOnlySpan<float> inputs, ImportanceContext ctx) =>
        ctx.Loss.Value(Predict(model, inputs, ctx.Count, ctx.Steps), ctx.Targets);

    /// <summary>
    /// dInput (N, T, F) = d(sum_p w_p y_{n,p}) / dx_{n,t,i} for each series n, with output weights
    /// <paramref name="outputWeights"/> (OutputsPerSeries) the same for every series; series run in batches of 256.
    /// </summary>
    public static void InputGradient(Span<float> dInput, Sequential model, ReadOnlySpan<float> inputs, int count, int steps,
                                     ReadOnlySpan<float> outputWeights, int batchSize = 256)
    {
        int perIn = steps * model.InputFeatures, perOut = model.OutputsPerSeries(steps);
        int largest = Math.Min(batchSize, count);
        var output = new float[largest * perOut];
        var dOutput = new float[largest * perOut];
        for (int n = 0; n < largest; n++) outputWeights.CopyTo(dOutput.AsSpan(n * perOut, perOut));
        for (int start = 0; start < count; start += batchSize)
        {
            int b = Math.Min(batchSize, count - start);
            model.Forward(output.AsSpan(0, b * perOut), inputs.Slice(start * perIn, b * perIn), b, steps);
            model.Backward(dInput.Slice(start * perIn, b * perIn), dOutput.AsSpan(0, b * perOut));
        }
    }

    /// <summary>The columns <paramref name="features"/> of (N, T, F) inputs, as (N, T, features.Length).</summary>
    public static float[] SelectFeatures(ReadOnlySpan<float> inputs, int features, int[] selected)
    {
        var result = new float[inputs.Length / features * selected.Length];
        SelectFeatures(result, inputs, features, selected);
        return result;
    }

    /// <summary>Writes the columns <paramref name="selected"/> of (rows, F) <paramref name="inputs"/> into (rows, selected.Length).</summary>
    public static void SelectFeatures(Span<float> destination, ReadOnlySpan<float> inputs, int features, int[] selected)
    {
        int rows = inputs.Length / features;
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < selected.Length; j++)
                destination[r * selected.Length + j] = inputs[r * features + selected[j]];
    }
}
