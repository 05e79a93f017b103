using System.Globalization;

namespace Demo.Data;

/// <summary>
/// Series cut out of a long-format table: inputs (N, T, F) and targets (N, T), batch-major as the engine takes them,
/// with each row's id, time text and file line for reports, predictions and error messages.
/// </summary>
public sealed class SeriesSet
{
    public required string Path { get; init; }
    public required string[] FeatureNames { get; init; }
    public string? TargetName { get; init; }

    /// <summary>The target columns: one, or k numeric targets; empty without a target.</summary>
    public string[] TargetNames { get; init; } = [];
    public string? SeriesColumn { get; init; }
    public string? TimeColumn { get; init; }
    public int? Window { get; init; }
    public required int Count { get; init; }
    public required int Steps { get; init; }
    public int Features => FeatureNames.Length;
    /// <summary>(N, T, F) inputs.</summary>
    public required float[] Inputs { get; init; }
    /// <summary>(N, T) targets, or (N, T, K) one-hot rows for K classes; null when the data has none.</summary>
    public float[]? Targets { get; init; }

    /// <summary>The class labels of a class target (index = position in a one-hot row); null for a number.</summary>
    public string[]? Classes { get; init; }

    /// <summary>Targets per step: K for a class target, else the number of target columns (1 or k).</summary>
    public int TargetWidth => Classes?.Length ?? Math.Max(1, TargetNames.Length);
    /// <summary>(N) series id of each series or window.</summary>
    public required string[] Ids { get; init; }
    /// <summary>(N, T) time of each step as written in the file; without a time column, the step's index in its series
    /// or window, 0 to T - 1 (empty when built without rows, for training).</summary>
    public required string[] Times { get; init; }
    /// <summary>(N, T) file line of each step (empty when built without rows).</summary>
    public required int[] Lines { get; init; }
    /// <summary>Rows left over at the end of series that do not fill a whole window.</summary>
    public int DroppedRows { get; init; }
    /// <summary>Warnings about the file (encoding, delimiter, data checks), one line each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Whether every target is 0 or 1.</summary>
    public bool BinaryTarget => Targets is not null && Targets.All(v => v is 0f or 1f);

    /// <summary>
    /// Reads series from a CSV file (<see cref="SeriesLayout.Open"/>) and copies all of them out
    /// (<see cref="SeriesLayout.Build"/>).
    /// </summary>
    public static SeriesSet Load(string path, DataOptions options, char? delimiter = null) =>
        Load(path, _ => options, delimiter);

    /// <summary>As <see cref="Load(string, DataOptions, char?)"/>, with options chosen (and the header checked) by
    /// <paramref name="options"/> once the header is read.</summary>
    public static SeriesSet Load(string path, Func<CsvTable, DataOptions> options, char? delimiter = null)
    {
        var layout = SeriesLayout.Open(path, options, delimiter);
        var set = layout.Build();
        layout.Release();
        return set;
    }

    /// <summary>
    /// The first target that is not 0 or 1, as an error naming file, line and column; null when all are. For data read
    /// for a trained <paramref name="model"/> the error names the model's loss (importance has no --loss to change).
    /// </summary>
    public InputException? NonBinaryTarget(string? model = null)
    {
        if (Targets is null) return null;
        for (int i = 0; i < Targets.Length; i++)
            if (Targets[i] is not (0f or 1f)) return NonBinaryTarget(Path, Lines[i], TargetName, Targets[i], model);
        return null;
    }

    /// <summary>The error of <see cref="NonBinaryTarget(string?)"/>: line <paramref name="line"/> of
    /// <paramref name="path"/> has the target <paramref name="value"/>.</summary>
    public static InputException NonBinaryTarget(string path, int line, string? targetName, float value,
                                                 string? model) =>
        new($"{path}:{line}: column '{targetName}' has {value.ToString(CultureInfo.InvariantCulture)}, but " +
            (model is null
                ? "--loss bce needs targets of 0 or 1 (use --loss mse for a numeric target)"
                : $"the model {model} was trained with loss bce, which needs targets of 0 or 1"));
}
