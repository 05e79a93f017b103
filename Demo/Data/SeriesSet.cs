using System.Globalization;

namespace Demo.Data;

/// <summary>How to read series out of a long-format CSV table.</summary>
/// <param name="Target">Target column; null when the data is only predicted on and has no target.</param>
/// <param name="Features">Feature columns; null for every other numeric column.</param>
/// <param name="SeriesColumn">Series-id column; null for the first column named series or id, if any.</param>
/// <param name="TimeColumn">Time column; null for the first column named time or t, if any (else file order).</param>
/// <param name="Window">Cut each series (or the whole file, without a series column) into windows of this many steps.</param>
/// <param name="TargetOptional">When true a missing target column is not an error (predict).</param>
public sealed record DataOptions(string? Target, string[]? Features, string? SeriesColumn, string? TimeColumn, int? Window, bool TargetOptional = false,
                                 string? Model = null);

/// <summary>
/// Series cut out of a long-format table: inputs (N, T, F) and targets (N, T), batch-major as the engine takes them,
/// with each row's id, time text and file line for reports, predictions and error messages.
/// </summary>
public sealed class SeriesSet
{
    public required string Path { get; init; }
    public required string[] FeatureNames { get; init; }
    public string? TargetName { get; init; }
    public string? SeriesColumn { get; init; }
    public string? TimeColumn { get; init; }
    public int? Window { get; init; }
    public required int Count { get; init; }
    public required int Steps { get; init; }
    public int Features => FeatureNames.Length;
    /// <summary>(N, T, F) inputs.</summary>
    public required float[] Inputs { get; init; }
    /// <summary>(N, T) targets, or null when the data has none.</summary>
    public float[]? Targets { get; init; }
    /// <summary>(N) series id of each series or window.</summary>
    public required string[] Ids { get; init; }
    /// <summary>(N, T) time of each step as written in the file.</summary>
    public required string[] Times { get; init; }
    /// <summary>(N, T) file line of each step.</summary>
    public required int[] Lines { get; init; }
    /// <summary>Rows left over at the end of series that do not fill a whole window.</summary>
    public int DroppedRows { get; init; }

    /// <summary>The same names, counts and shape without the values (inputs, targets, ids, times, lines), so that
    /// a caller that keeps only subsets lets the whole set's arrays go.</summary>
    public SeriesSet ShapeOnly() => new()
    {
        Path = Path, FeatureNames = FeatureNames, TargetName = TargetName, SeriesColumn = SeriesColumn, TimeColumn = TimeColumn,
        Window = Window, Count = Count, Steps = Steps, Inputs = [], Ids = [], Times = [], Lines = [], DroppedRows = DroppedRows,
    };

    /// <summary>Whether every target is 0 or 1.</summary>
    public bool BinaryTarget => Targets is not null && Targets.All(v => v is 0f or 1f);

    /// <summary>The series at the given indices, in that order (this set itself for 0, 1, ..., N - 1).</summary>
    public SeriesSet Subset(IReadOnlyList<int> indices)
    {
        if (indices.Count == Count && indices.Select((s, i) => s == i).All(same => same)) return this;
        int perIn = Steps * Features;
        var x = new float[indices.Count * perIn];
        var y = Targets is null ? null : new float[indices.Count * Steps];
        var times = new string[indices.Count * Steps];
        var lines = new int[indices.Count * Steps];
        for (int i = 0; i < indices.Count; i++)
        {
            int s = indices[i];
            Inputs.AsSpan(s * perIn, perIn).CopyTo(x.AsSpan(i * perIn));
            Targets?.AsSpan(s * Steps, Steps).CopyTo(y.AsSpan(i * Steps));
            Times.AsSpan(s * Steps, Steps).CopyTo(times.AsSpan(i * Steps));
            Lines.AsSpan(s * Steps, Steps).CopyTo(lines.AsSpan(i * Steps));
        }
        return new SeriesSet
        {
            Path = Path, FeatureNames = FeatureNames, TargetName = TargetName, SeriesColumn = SeriesColumn, TimeColumn = TimeColumn, Window = Window,
            Count = indices.Count, Steps = Steps, Inputs = x, Targets = y, Ids = indices.Select(i => Ids[i]).ToArray(), Times = times, Lines = lines,
        };
    }

    /// <summary>
    /// Reads series from a CSV file. Rows are grouped by the series column (or the whole file is one series), ordered
    /// by time, then cut into windows of <see cref="DataOptions.Window"/> steps if given; without a window every series
    /// must have the same number of steps. Every cell of the target and feature columns must be a finite number: the
    /// default features are the other columns that hold any number, and a column that mixes numbers with anything
    /// else is an error naming the first such cell.
    /// </summary>
    public static SeriesSet Load(string path, DataOptions options) => Load(path, _ => options);

    /// <summary>As <see cref="Load(string, DataOptions)"/>, with options chosen (and the header checked) by
    /// <paramref name="options"/> once the header is read.</summary>
    public static SeriesSet Load(string path, Func<CsvTable, DataOptions> options)
    {
        int seriesCol = -1, timeCol = -1, targetCol = -1;
        int[]? featureCols = null;
        DataOptions o = null!;
        var table = CsvTable.Read(path, t =>
        {
            o = options(t);
            seriesCol = o.SeriesColumn is { } sc ? t.Column(sc, "--series-col") : t.FindColumn("series", "id");
            timeCol = o.TimeColumn is { } tc ? t.Column(tc, "--time-col") : t.FindColumn("time", "t");
            if (o.Target is { } target)
            {
                targetCol = Array.IndexOf(t.Header, target);
                if (targetCol < 0 && !o.TargetOptional) targetCol = t.Column(target, "--target");
            }
            if (targetCol >= 0 && (targetCol == seriesCol || targetCol == timeCol))
                throw new InputException(
                    $"{path}:{t.HeaderLine}: the target '{t.Header[targetCol]}' is also the series or time column");
            if (o.Features is { Length: > 0 } names)
            {
                featureCols = names.Select(n => t.Column(n, "--features")).ToArray();
                foreach (int c in featureCols)
                    if (c == targetCol || c == seriesCol || c == timeCol)
                        throw new InputException(
                            $"{path}:{t.HeaderLine}: column '{t.Header[c]}' cannot be a feature: it is the " +
                                $"target, series or time column");
                if (featureCols.Distinct().Count() != featureCols.Length)
                    throw new InputException($"{path}:{t.HeaderLine}: --features names a column twice");
            }
            return [seriesCol, timeCol];
        });
        // Default features: every other column with a number in it; a text column (no numbers at all) is left out.
        featureCols ??= Enumerable.Range(0, table.Header.Length)
            .Where(c => c != targetCol && c != seriesCol && c != timeCol && table.HasNumbers(c)).ToArray();
        if (featureCols.Length == 0)
            throw new InputException(
                $"{path}:{table.Line(0)}: no numeric feature column besides the target, series and time columns");
        int bad = table.FirstBadColumn(targetCol >= 0 ? [.. featureCols, targetCol] : featureCols);
        if (bad >= 0) table.CheckNumeric(bad);

        // Group rows into series, in order of first appearance, then order each by time.
        int groupCount = seriesCol >= 0 ? table.Distinct(seriesCol).Count : 1;
        var groups = new List<int>[groupCount];
        for (int g = 0; g < groupCount; g++) groups[g] = [];
        for (int r = 0; r < table.RowCount; r++)
        {
            int g = seriesCol >= 0 ? table.TextId(r, seriesCol) : 0;
            if (seriesCol >= 0 && table.Distinct(seriesCol)[g].Length == 0)
                throw table.Cell(r, seriesCol, "is empty; every row needs a series id");
            groups[g].Add(r);
        }
        string GroupId(int g) => seriesCol >= 0 ? table.Distinct(seriesCol)[g] : "all";
        if (timeCol >= 0)
        {
            // Each distinct time is parsed once.
            var distinct = table.Distinct(timeCol);
            var value = new double[distinct.Count];
            var parsed = new bool[distinct.Count];
            double Time(int r)
            {
                int id = table.TextId(r, timeCol);
                if (!parsed[id]) { value[id] = TimeValue(table, r, timeCol); parsed[id] = true; }
                return value[id];
            }
            for (int r = 0; r < table.RowCount; r++) Time(r);
            for (int g = 0; g < groupCount; g++)
            {
                var rows = groups[g];
                rows.Sort((a, b) => Time(a) != Time(b) ? Time(a).CompareTo(Time(b)) : a.CompareTo(b));
                for (int i = 1; i < rows.Count; i++)
                    if (Time(rows[i]) == Time(rows[i - 1]))
                        throw table.Cell(rows[i], timeCol, $"repeats time '{table.Text(rows[i], timeCol)}' of " +
                            $"line {table.Line(rows[i - 1])}" +
                                                         (seriesCol >= 0 ? $" in series '{GroupId(g)}'" : ""));
            }
        }

        // Cut into windows, or check that every series has the same length.
        var pieces = new List<(string Id, List<int> Rows)>();
        int steps, dropped = 0;
        if (o.Window is int window)
        {
            if (window <= 0) throw new InputException($"--window must be a positive whole number, got {window}");
            for (int g = 0; g < groupCount; g++)
            {
                var rows = groups[g];
                string id = GroupId(g);
                // The model's window when the data is read for a trained model (predict and importance have no --window).
                string what = o.Model is null ? $"--window {window}" : $"the model's window of {window} steps";
                if (rows.Count < window)
                    throw new InputException(seriesCol >= 0
                        ? $"{path}:{table.Line(rows[0])}: {what} is longer than series '{id}', which " +
                            $"has {rows.Count} rows"
                        : $"{path}: {what} is longer than the data, which has {rows.Count} rows");
                int windows = rows.Count / window;
                for (int w = 0; w < windows; w++)
                    pieces.Add((seriesCol >= 0 ? (windows == 1 ? id : $"{id}#{w + 1}") : $"w{w + 1}", rows.GetRange(w * window, window)));
                dropped += rows.Count - windows * window;
            }
            steps = window;
        }
        else
        {
            if (seriesCol < 0)
                throw new InputException(o.Model is null
                    ? $"{path}:{table.HeaderLine}: no series column (named series or id); give --series-col COL, or --window N to cut the file into windows of N steps"
                    : $"{path}:{table.HeaderLine}: no series column (named series or id); the model {o.Model} reads one series per id");
            steps = groups[0].Count;
            for (int g = 0; g < groupCount; g++)
            {
                var rows = groups[g];
                if (rows.Count != steps)
                    throw new InputException(
                        $"{path}:{table.Line(rows[0])}: series '{GroupId(g)}' has {rows.Count} steps but series " +
                            $"'{GroupId(0)}' has {steps}; every series needs the same number of steps" +
                                (o.Model is null ? " (or use --window N)" : ""));
                pieces.Add((GroupId(g), rows));
            }
        }

        int n = pieces.Count, f = featureCols.Length;
        var x = new float[(long)n * steps * f];
        var y = targetCol >= 0 ? new float[n * steps] : null;
        var timeText = new string[n * steps];
        var lines = new int[n * steps];
        for (int s = 0; s < n; s++)
        {
            for (int t = 0; t < steps; t++)
            {
                int r = pieces[s].Rows[t], cell = s * steps + t;
                for (int j = 0; j < f; j++) x[cell * f + j] = table.Number(r, featureCols[j]);
                if (y is not null) y[cell] = table.Number(r, targetCol);
                timeText[cell] = timeCol >= 0 ? table.Text(r, timeCol) : (r + 1).ToString(CultureInfo.InvariantCulture);
                lines[cell] = table.Line(r);
            }
        }
        return new SeriesSet
        {
            Path = path, FeatureNames = featureCols.Select(c => table.Header[c]).ToArray(),
            TargetName = targetCol >= 0 ? table.Header[targetCol] : null,
            SeriesColumn = seriesCol >= 0 ? table.Header[seriesCol] : null,
            TimeColumn = timeCol >= 0 ? table.Header[timeCol] : null,
            Window = o.Window, Count = n, Steps = steps, Inputs = x, Targets = y,
            Ids = pieces.Select(p => p.Id).ToArray(), Times = timeText, Lines = lines, DroppedRows = dropped,
        };
    }

    /// <summary>
    /// The first target that is not 0 or 1, as an error naming file, line and column; null when all are. For data read
    /// for a trained <paramref name="model"/> the error names the model's loss (importance has no --loss to change).
    /// </summary>
    public InputException? NonBinaryTarget(string? model = null)
    {
        if (Targets is null) return null;
        for (int i = 0; i < Targets.Length; i++)
            if (Targets[i] is not (0f or 1f))
                return new InputException($"{Path}:{Lines[i]}: column '{TargetName}' has {Targets[i].ToString(CultureInfo.InvariantCulture)}, but " + (model is null
                    ? "--loss bce needs targets of 0 or 1 (use --loss mse for a numeric target)"
                    : $"the model {model} was trained with loss bce, which needs targets of 0 or 1"));
        return null;
    }

    // A time is a number, or a date/time (ISO 8601 or similar), compared as ticks.
    private static double TimeValue(CsvTable table, int row, int column)
    {
        string cell = table.Text(row, column);
        if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)) return v;
        if (DateTimeOffset.TryParse(cell, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d)) return d.UtcTicks;
        throw table.Cell(row, column, $"{Engine.IO.ErrorText.Quote(cell)} is neither a number nor a date/time");
    }
}

/// <summary>Per-feature standardisation with the training data's mean and SD (population SD; a constant feature gets SD 1).</summary>
public static class Standardiser
{
    /// <summary>Mean and SD of each feature over all series and steps of (N, T, F) inputs.</summary>
    public static (float[] Mean, float[] Sd) Fit(ReadOnlySpan<float> inputs, int features)
    {
        var sum = new double[features];
        var sq = new double[features];
        long rows = inputs.Length / features;
        for (long r = 0; r < rows; r++)
            for (int j = 0; j < features; j++) sum[j] += inputs[(int)(r * features + j)];
        var mean = new float[features];
        for (int j = 0; j < features; j++) mean[j] = (float)(sum[j] / rows);
        for (long r = 0; r < rows; r++)
            for (int j = 0; j < features; j++) { double d = inputs[(int)(r * features + j)] - mean[j]; sq[j] += d * d; }
        var sd = new float[features];
        for (int j = 0; j < features; j++)
        {
            float s = (float)Math.Sqrt(sq[j] / rows);
            sd[j] = s > 1e-12f ? s : 1f;
        }
        return (mean, sd);
    }

    /// <summary>x' = (x - mean) / sd in place, feature by feature.</summary>
    public static void Apply(Span<float> inputs, ReadOnlySpan<float> mean, ReadOnlySpan<float> sd)
    {
        int f = mean.Length;
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (inputs[i] - mean[i % f]) / sd[i % f];
    }
}
