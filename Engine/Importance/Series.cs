using Engine.Models;

namespace Engine.Importance;

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
        ctx.Loss.Value(Predict(model, inputs, ctx.Count, ctx.Steps),
                       ctx.RequireTargets("a loss-based importance method"));

    /// <summary>The columns <paramref name="features"/> of (N, T, F) inputs, as (N, T, features.Length).</summary>
    public static float[] SelectFeatures(ReadOnlySpan<float> inputs, int features, int[] selected)
    {
        var result = new float[inputs.Length / features * selected.Length];
        SelectFeatures(result, inputs, features, selected);
        return result;
    }

    /// <summary>Writes the columns <paramref name="selected"/> of (rows, F) <paramref name="inputs"/> into (rows,
    /// selected.Length).</summary>
    public static void SelectFeatures(Span<float> destination, ReadOnlySpan<float> inputs, int features, int[] selected)
    {
        int rows = inputs.Length / features;
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < selected.Length; j++)
                destination[r * selected.Length + j] = inputs[r * features + selected[j]];
    }
}
