using System.Globalization;
using System.Runtime;
using Engine.IO;
using Engine.Training;

namespace Demo.Data;

/// <summary>
/// The series of a long-format CSV file, found but not yet copied out: the table, the rows of each series (or window)
/// in time order, and their ids. <see cref="Build"/> copies any subset of the series into a <see cref="SeriesSet"/>,
/// so a training/validation split makes each subset once from the table (no copy of a whole set). Memory: the
/// table (<see cref="CsvTable"/>), and 4 bytes per row unless the file is already in series and time order.
/// </summary>
public sealed partial class SeriesLayout
{
    private CsvTable? _table;
    private int[] _featureCols;
    private readonly int _targetCol, _seriesCol, _timeCol;
    private readonly int[] _targetCols; // every target column (the first is _targetCol); empty without a target
    private readonly int[]? _classOf;   // a class target's distinct label (text id) -> its class
    private readonly int[]? _rows;      // rows in series order, each series' rows in time order; null: file order
    private readonly int[] _start;      // series -> its first row in that order
    private readonly List<string> _warnings;

    public string Path { get; }
    public string[] FeatureNames { get; private set; }
    public string? TargetName { get; }
    /// <summary>The target columns' names (k numeric targets, or one).</summary>
    public string[] TargetNames { get; }
    /// <summary>The classes of a class target (<see cref="DataOptions.Classes"/>); null for a number.</summary>
    public string[]? Classes { get; }
    public string? SeriesColumn { get; }
    public string? TimeColumn { get; }
    public int? Window { get; }
    /// <summary>Series (or windows).</summary>
    public int Count => _start.Length;
    public int Steps { get; }
    public int Features => FeatureNames.Length;
    /// <summary>(N) series id of each series or window.</summary>
    public string[] Ids { get; }
    /// <summary>Rows left over at the end of series that do not fill a whole window.</summary>
    public int DroppedRows { get; }
    /// <summary>Feature columns left out because they are constant (<see cref="LeaveOutConstantFeatures"/>).</summary>
    public IReadOnlyList<ConstantFeature> Constant { get; private set; } = [];
    /// <summary>Warnings about the file (encoding, delimiter, constant features), one line each.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The file line of step <paramref name="step"/> of series <paramref name="series"/>.</summary>
    public int Line(int series, int step) => Table.Line(Row(series, step));

    /// <summary>The time of step <paramref name="step"/> of series <paramref name="series"/> as written in the file;
    /// without a time column, the step's index in its series or window, 0 to T - 1.</summary>
    public string Time(int series, int step) => _timeCol >= 0 ? Table.Text(Row(series, step), _timeCol)
        : step.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether the data has the target column(s).</summary>
    public bool HasTarget => _targetCol >= 0;

    /// <summary>The targets of step <paramref name="step"/> of series <paramref name="series"/> into
    /// <paramref name="y"/> (<see cref="TargetWidth"/> values: a one-hot row for a class target).</summary>
    public void Target(Span<float> y, int series, int step) => Target(y, Row(series, step));

    // The table row of step t of series s.
    private int Row(int series, int step) => RowAt(_start[series] + step);

    // The row at position i of the series order.
    private int RowAt(int i) => _rows is null ? i : _rows[i];

    private CsvTable Table => _table ?? throw new InvalidOperationException("the table was released");

    /// <summary>The target column's values over every row, in file order (with their lines); empty without
    /// one.</summary>
    public IEnumerable<(float Value, int Line)> TargetCells()
    {
        var table = Table;
        foreach (int column in _targetCols)
            for (int r = 0; r < table.RowCount; r++) yield return (table.Number(r, column), table.Line(r));
    }

    /// <summary>
    /// Reads series from a CSV file. Rows are grouped by the series column (or the whole file is one series), ordered
    /// by time, then cut into windows of <see cref="DataOptions.Window"/> steps if given; without a window every series
    /// must have the same number of steps. Every cell of the target and feature columns must be a finite number: the
    /// default features are the other columns that hold any number, and a column that mixes numbers with anything
    /// else is an error naming the first such cell. Times are all numbers or all dates/times.
    /// <paramref name="options"/> chooses the options (and may check the header) once the header is read;
    /// <paramref name="delimiter"/> null detects a comma, semicolon or tab from the header.
    /// </summary>
    public static SeriesLayout Open(string path, Func<CsvTable, DataOptions> options, char? delimiter = null)
    {
        int seriesCol = -1, timeCol = -1, targetCol = -1;
        int[] targetCols = [];
        int[]? featureCols = null;
        DataOptions o = null!;
        var table = CsvTable.Read(path, t =>
        {
            o = options(t);
            seriesCol = o.SeriesColumn is { } sc ? t.Column(sc, "--series-col") : t.FindColumn("series", "id");
            timeCol = o.TimeColumn is { } tc ? t.Column(tc, "--time-col") : t.FindColumn("time", "t");
            if (o.Target is { } target)
            {
                // "a,b": k targets, unless a column has that whole name.
                string[] targets = Array.IndexOf(t.Header, target) >= 0 ? [target]
                    : target.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                targetCols = [.. targets.Select(n => Array.IndexOf(t.Header, n) is var c && (c >= 0 || o.TargetOptional)
                                  ? c : t.Column(n, "--target"))];
                if (targetCols.Any(c => c < 0)) targetCols = []; // data to predict on, without (all) the targets
                if (targetCols.Distinct().Count() != targetCols.Length)
                    throw new InputException($"{path}:{t.HeaderLine}: --target names a column twice");
                if (targetCols.Length > 1 && o.Classes is not null)
                    throw new InputException($"{path}:{t.HeaderLine}: --loss cce takes one target column of class " +
                                             $"labels, not {targetCols.Length}");
                targetCol = targetCols.Length > 0 ? targetCols[0] : -1;
            }
            foreach (int c in targetCols)
                if (c == seriesCol || c == timeCol)
                    throw new InputException(
                        $"{path}:{t.HeaderLine}: the target '{t.Header[c]}' is also the series or time column");
            if (o.Features is { Length: > 0 } names)
            {
                featureCols = names.Select(n => t.Column(n, "--features")).ToArray();
                foreach (int c in featureCols)
                    if (targetCols.Contains(c) || c == seriesCol || c == timeCol)
                        throw new InputException(
                            $"{path}:{t.HeaderLine}: column '{t.Header[c]}' cannot be a feature: it is the " +
                                $"target, series or time column");
                if (featureCols.Distinct().Count() != featureCols.Length)
                    throw new InputException($"{path}:{t.HeaderLine}: --features names a column twice");
            }
            return o.Classes is null ? [seriesCol, timeCol] : [seriesCol, timeCol, targetCol];
        }, delimiter);
        return new SeriesLayout(table, o, seriesCol, timeCol, targetCols, featureCols);
    }


    private SeriesLayout(CsvTable table, DataOptions o, int seriesCol, int timeCol, int[] targetCols,
                         int[]? featureCols)
    {
        int targetCol = targetCols.Length > 0 ? targetCols[0] : -1;
        string path = table.Path;
        _table = table;
        _warnings = [.. table.Warnings];
        // Default features: every other column with a number in it; a text column (no numbers at all) is left out.
        var others = Enumerable.Range(0, table.Header.Length)
            .Where(c => !targetCols.Contains(c) && c != seriesCol && c != timeCol).ToArray();
        if (featureCols is null)
        {
            // A column of decimals with commas is not text: say so rather than leave it out.
            if (others.FirstOrDefault(table.HasDecimalComma, -1) is var comma and >= 0) table.CheckNumeric(comma);
            featureCols = others.Where(table.HasNumbers).ToArray();
        }
        if (featureCols.Length == 0)
            throw new InputException(
                $"{path}:{table.Line(0)}: no numeric feature column besides the target, series and time columns");
        int bad = table.FirstBadColumn(o.Classes is null ? [.. featureCols, .. targetCols] : featureCols);
        if (bad >= 0) table.CheckNumeric(bad);
        if (targetCol >= 0 && o.Classes is not null) (Classes, _classOf) = ClassesOf(table, targetCol, o);

        // Group rows into series, in order of first appearance (a counting sort), then order each by time. A file
        // already in that order (each series' rows together, in time order: the usual case) keeps no row order.
        int groupCount = seriesCol >= 0 ? table.Distinct(seriesCol).Count : 1;
        int Group(int r) => seriesCol >= 0 ? table.TextId(r, seriesCol) : 0;
        var groupStart = new int[groupCount + 1];
        for (int r = 0; r < table.RowCount; r++) groupStart[Group(r) + 1]++;
        for (int g = 0; g < groupCount; g++) groupStart[g + 1] += groupStart[g];
        // Ids count up in order of first appearance: the rows are grouped when each id is the one before or the next.
        bool grouped = true;
        for (int r = 1; r < table.RowCount && grouped; r++) grouped = Group(r) - Group(r - 1) is 0 or 1;
        if (!grouped)
        {
            _rows = new int[table.RowCount];
            var fill = groupStart[..groupCount];
            for (int r = 0; r < table.RowCount; r++) _rows[fill[Group(r)]++] = r;
        }
        string GroupId(int g) => seriesCol >= 0 ? table.Distinct(seriesCol)[g] : "all";
        if (seriesCol >= 0)
            for (int g = 0; g < groupCount; g++)
                if (GroupId(g).Length == 0)
                    throw table.Cell(RowAt(groupStart[g]), seriesCol, "is empty; every row needs a series id");
        if (timeCol >= 0)
        {
            var time = TimeValues(table, timeCol);
            double Time(int r) => time[table.TextId(r, timeCol)];
            for (int r = 1; r < table.RowCount && _rows is null; r++)
                if (Group(r) == Group(r - 1) && !(Time(r) > Time(r - 1)))
                    _rows = [.. Enumerable.Range(0, table.RowCount)];
            for (int g = 0; g < groupCount && _rows is not null; g++)
            {
                var rows = _rows.AsSpan(groupStart[g], groupStart[g + 1] - groupStart[g]);
                rows.Sort((a, b) => Time(a) != Time(b) ? Time(a).CompareTo(Time(b)) : a.CompareTo(b));
                for (int i = 1; i < rows.Length; i++)
                    if (Time(rows[i]) == Time(rows[i - 1]))
                        throw table.Cell(rows[i], timeCol, $"repeats time '{table.Text(rows[i], timeCol)}' of " +
                            $"line {table.Line(rows[i - 1])}" + (seriesCol >= 0 ? $" in series '{GroupId(g)}'" : ""));
            }
        }

        // Cut into windows, or check that every series has the same length.
        var starts = new List<int>();
        var ids = new List<string>();
        int dropped = 0;
        if (o.Window is int window)
        {
            if (window <= 0) throw new InputException($"--window must be a positive whole number, got {window}");
            for (int g = 0; g < groupCount; g++)
            {
                int length = groupStart[g + 1] - groupStart[g];
                string id = GroupId(g);
                // The model's window when the data is read for a trained model (predict and importance have no
                // --window).
                string what = o.Model is null ? $"--window {window}" : $"the model's window of {window} steps";
                if (length < window)
                    throw new InputException(seriesCol >= 0
                        ? $"{path}:{table.Line(RowAt(groupStart[g]))}: {what} is longer than series " +
                            $"'{id}', which has {length} rows"
                        : $"{path}: {what} is longer than the data, which has {length} rows");
                int windows = length / window;
                for (int w = 0; w < windows; w++)
                {
                    starts.Add(groupStart[g] + w * window);
                    ids.Add(seriesCol >= 0 ? (windows == 1 ? id : $"{id}#{w + 1}") : $"w{w + 1}");
                }
                dropped += length - windows * window;
            }
            Steps = window;
        }
        else
        {
            if (seriesCol < 0)
                throw new InputException(o.Model is null
                    ? $"{path}:{table.HeaderLine}: no series column (named series or id); give --series-col COL, or " +
                        "--window N to cut the file into windows of N steps"
                    : $"{path}:{table.HeaderLine}: no series column (named series or id); the model {o.Model} reads " +
                        "one series per id");
            Steps = groupStart[1];
            for (int g = 0; g < groupCount; g++)
            {
                int length = groupStart[g + 1] - groupStart[g];
                if (length != Steps)
                    throw new InputException(
                        $"{path}:{table.Line(RowAt(groupStart[g]))}: series '{GroupId(g)}' has {length} steps but " +
                            $"series '{GroupId(0)}' has {Steps}; every series needs the same number of steps" +
                                (o.Model is null ? " (or use --window N)" : ""));
                starts.Add(groupStart[g]);
                ids.Add(GroupId(g));
            }
        }
        _start = [.. starts];
        Ids = [.. ids];
        DroppedRows = dropped;
        _featureCols = featureCols;
        _targetCol = targetCol;
        _targetCols = targetCols;
        _seriesCol = seriesCol;
        _timeCol = timeCol;
        Path = path;
        FeatureNames = featureCols.Select(c => table.Header[c]).ToArray();
        TargetNames = [.. targetCols.Select(c => table.Header[c])];
        TargetName = targetCol >= 0 ? string.Join(",", TargetNames) : null;
        SeriesColumn = seriesCol >= 0 ? table.Header[seriesCol] : null;
        TimeColumn = timeCol >= 0 ? table.Header[timeCol] : null;
        Window = o.Window;
    }

    /// <summary>
    /// Leaves out the feature columns that hold the same number on every row (nothing to learn from; training
    /// standardises them to 0), each with a warning, and lists them in <see cref="Constant"/>. An error when every
    /// feature is constant.
    /// </summary>
    public void LeaveOutConstantFeatures()
    {
        var table = Table;
        var constant = new List<ConstantFeature>();
        foreach (int c in _featureCols)
            if (table.IsConstant(c, out float value)) constant.Add(new ConstantFeature(table.Header[c], value));
        if (constant.Count == 0) return;
        if (constant.Count == _featureCols.Length)
            throw new InputException(
                $"{Path}: every feature column is constant ({Names(constant)}): there is nothing to learn from");
        foreach (var k in constant)
            _warnings.Add($"{Path}: feature {ErrorText.Quote(k.Name)} is {Number(k.Value)} on every row: left out " +
                          "of training (its importance is 0)");
        var left = constant.Select(k => k.Name).ToHashSet(StringComparer.Ordinal);
        _featureCols = _featureCols.Where(c => !left.Contains(table.Header[c])).ToArray();
        FeatureNames = _featureCols.Select(c => table.Header[c]).ToArray();
        Constant = constant;
    }

    /// <summary>
    /// Lets the table go once the last subset is built (a later <see cref="Build"/> is a bug), and collects it now:
    /// otherwise no collection runs before the buffers allocated next (predictions, metrics), which then come on top
    /// of the table (4 bytes a cell, 4 a row) instead of in its place: demo train on 5 M rows peaked 87 MB lower.
    /// </summary>
    public void Release()
    {
        _table = null;
        Collect();
    }

    /// <summary>
    /// Lets go of the text cells only the checks read (1 to 4 bytes a cell: <see cref="CsvTable"/>), once every check
    /// is done: the series column's, and the time column's unless <paramref name="times"/> (<see cref="Time"/>,
    /// <see cref="Build"/> with rows); a class target's stay (<see cref="Target(Span{float}, int, int)"/>). Training
    /// reads only numbers (<see cref="BatchSource"/>, <see cref="Build"/> without rows). Collects them at once, as
    /// <see cref="Release"/>.
    /// </summary>
    public void KeepText(bool times)
    {
        var keep = new List<int>();
        if (_classOf is not null) keep.Add(_targetCol);
        if (times && _timeCol >= 0) keep.Add(_timeCol);
        Table.KeepText(keep);
        Collect();
    }

    // A full, compacting collection, the large object heap included (the table's chunks live there): what was let go
    // leaves no holes between the chunks that stay, so the large buffers allocated next fill its place.
    private static void Collect()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>Mean and SD of each feature (<see cref="Standardiser.Fit(long, int, Func{long, int, float})"/>) over
    /// every step of the series at <paramref name="series"/>, in that order, read from the table.</summary>
    public (float[] Mean, float[] Sd) FitStandardiser(IReadOnlyList<int> series)
    {
        var table = Table;
        int steps = Steps;
        return Standardiser.Fit((long)series.Count * steps, Features, (r, j) =>
            table.Number(Row(series[(int)(r / steps)], (int)(r % steps)), _featureCols[j]));
    }

    /// <summary>
    /// Training batches of the series at <paramref name="series"/> read straight out of the table, standardised as
    /// they are copied, x' = (x - mean_j) / sd_j (the float operations of <see cref="Standardiser.Apply"/>): the
    /// batches of an <see cref="ArrayBatchSource"/> over a standardised copy of those series (drawn in the same
    /// <see cref="SeriesOrder"/>), without the copy. Targets: every step's with <paramref name="targetsPerSeries"/>
    /// equal to <see cref="Steps"/> (a sequence output), else the last step's.
    /// </summary>
    public TableSource BatchSource(int[] series, float[] mean, float[] sd, int targetsPerSeries, int batchSize,
                                    ulong seed)
    {
        if (_targetCol < 0) throw new InputException($"{Path}: the data has no target column");
        if (targetsPerSeries != TargetWidth && targetsPerSeries != Steps * TargetWidth)
            throw new ArgumentOutOfRangeException(nameof(targetsPerSeries), targetsPerSeries, "K or Steps x K");
        return new TableSource(this, series, mean, sd, targetsPerSeries, Math.Min(batchSize, series.Length), seed);
    }

    /// <summary>Batches read out of the table (<see cref="BatchSource"/>).</summary>
    public sealed class TableSource(SeriesLayout layout, int[] series, float[] mean, float[] sd, int targetsPerSeries,
                                     int batchSize, ulong seed) : IBatchSource
    {
        private readonly SeriesOrder _order = new(series.Length, seed);
        private readonly CsvTable _table = layout.Table;

        public int BatchSize => batchSize;
        public int Steps => layout.Steps;
        public int Features => layout.Features;
        public int TargetsPerSeries => targetsPerSeries;
        /// <summary>Steps that cover the series once.</summary>
        public int StepsPerEpoch => _order.StepsPerEpoch(batchSize);

        public void NextBatch(Span<float> input, Span<float> target, int epoch, int stepInEpoch)
        {
            int steps = Steps, f = Features, width = layout.TargetWidth, first = steps - targetsPerSeries / width;
            var cols = layout._featureCols;
            for (int b = 0; b < batchSize; b++)
            {
                int s = series[_order.Next(epoch)];
                var x = input.Slice(b * steps * f, steps * f);
                for (int t = 0; t < steps; t++)
                {
                    int r = layout.Row(s, t);
                    for (int j = 0; j < f; j++) x[t * f + j] = (_table.Number(r, cols[j]) - mean[j]) / sd[j];
                    if (t >= first)
                        layout.Target(target.Slice(b * targetsPerSeries + (t - first) * width, width), r);
                }
            }
        }
    }

    /// <summary>Targets per step: K for a class target (a one-hot row), else the number of target columns.</summary>
    public int TargetWidth => Classes?.Length ?? Math.Max(1, _targetCols.Length);

    /// <summary>Row <paramref name="r"/>'s targets into <paramref name="y"/> (<see cref="TargetWidth"/> values): the
    /// one-hot row of its class, or its target columns' numbers.</summary>
    private void Target(Span<float> y, int r)
    {
        var table = Table;
        if (_classOf is null)
            for (int k = 0; k < y.Length; k++) y[k] = table.Number(r, _targetCols[k]);
        else
        {
            y.Clear();
            y[_classOf[table.TextId(r, _targetCol)]] = 1f;
        }
    }

    /// <summary>Adds a warning (a data check) to <see cref="Warnings"/>.</summary>
    public void Warn(string warning) => _warnings.Add(warning);

    /// <summary>
    /// Copies the series at <paramref name="series"/> (all of them, in order, when null) out of the table into a
    /// <see cref="SeriesSet"/>: inputs (N, T, F), targets (N, T), ids and, with <paramref name="rows"/>, each step's
    /// time and line (12 bytes a step that training does not need: without, they are empty).
    /// </summary>
    public SeriesSet Build(IReadOnlyList<int>? series = null, bool rows = true)
    {
        var table = _table ?? throw new InvalidOperationException("the table was released");
        int n = series?.Count ?? Count, steps = Steps, f = _featureCols.Length;
        var x = new float[(long)n * steps * f];
        int width = TargetWidth;
        var y = _targetCol >= 0 ? new float[n * steps * width] : null;
        var timeText = rows ? new string[n * steps] : [];
        var lines = rows ? new int[n * steps] : [];
        var ids = new string[n];
        for (int i = 0; i < n; i++)
        {
            int s = series?[i] ?? i;
            ids[i] = Ids[s];
            Copy(s, x.AsSpan(i * steps * f, steps * f), y is null ? [] : y.AsSpan(i * steps * width, steps * width));
            if (!rows) continue;
            for (int t = 0; t < steps; t++)
            {
                timeText[i * steps + t] = Time(s, t);
                lines[i * steps + t] = table.Line(Row(s, t));
            }
        }
        return new SeriesSet
        {
            Path = Path, FeatureNames = FeatureNames, TargetName = TargetName, TargetNames = TargetNames,
            Classes = Classes,
            SeriesColumn = SeriesColumn,
            TimeColumn = TimeColumn, Window = Window, Count = n, Steps = steps, Inputs = x, Targets = y, Ids = ids,
            Times = timeText, Lines = lines, DroppedRows = DroppedRows, Warnings = Warnings,
        };
    }

    /// <summary>Copies series <paramref name="series"/> out of the table as it is in the file (not standardised): its
    /// inputs (T, F) into <paramref name="x"/> and, unless <paramref name="y"/> is empty, its targets (T,
    /// <see cref="TargetWidth"/>) into <paramref name="y"/>.</summary>
    public void Copy(int series, Span<float> x, Span<float> y)
    {
        var table = Table;
        int f = _featureCols.Length, width = TargetWidth;
        for (int t = 0; t < Steps; t++)
        {
            int r = Row(series, t);
            for (int j = 0; j < f; j++) x[t * f + j] = table.Number(r, _featureCols[j]);
            if (!y.IsEmpty) Target(y.Slice(t * width, width), r);
        }
    }

    // The classes of a label column and each distinct label's class: the data's labels sorted (ordinal) when
    // o.Classes is empty, else o.Classes, every label among them.
    private static (string[] Classes, int[] ClassOf) ClassesOf(CsvTable table, int column, DataOptions o)
    {
        var labels = table.Distinct(column);
        var firstRow = new int[labels.Count];
        Array.Fill(firstRow, -1);
        for (int r = 0; r < table.RowCount; r++)
            if (firstRow[table.TextId(r, column)] < 0) firstRow[table.TextId(r, column)] = r;
        for (int id = 0; id < labels.Count; id++)
            if (labels[id].Trim().Length == 0 && firstRow[id] >= 0)
                throw table.Cell(firstRow[id], column, "is empty; every row needs a class label");
        string[] classes = o.Classes is { Length: > 0 } given ? given
            : [.. labels.Where((_, id) => firstRow[id] >= 0).Order(StringComparer.Ordinal)];
        if (classes.Length < 2 && o.Classes is { Length: 0 })
            throw new InputException($"{table.Path}: column {ErrorText.Quote(table.Header[column])} has one class " +
                                     $"only ({ErrorText.Quote(classes.FirstOrDefault() ?? "")}): nothing to learn " +
                                     "(give data with two classes or more)");
        var index = classes.Select((c, k) => (c, k)).ToDictionary(p => p.c, p => p.k, StringComparer.Ordinal);
        var classOf = new int[labels.Count];
        for (int id = 0; id < labels.Count; id++)
        {
            if (index.TryGetValue(labels[id], out int k)) classOf[id] = k;
            else if (firstRow[id] >= 0)
                throw table.Cell(firstRow[id], column, $"has the class {ErrorText.Quote(labels[id])}, which the " +
                                 $"model {o.Model} was not trained on (its classes: {string.Join(", ", classes)})");
        }
        return (classes, classOf);
    }

    private const string IsoDates = "write dates as ISO 8601, year first: 2024-03-01 or 2024-03-01T12:00";

    // A date that starts with two numbers of one or two digits, then a year: 01/03/2024, 1.3.24, 01-03-2024 12:00.
    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*[0-9]{1,2}([/.-])[0-9]{1,2}\1[0-9]{2,4}(?![0-9])")]
    private static partial System.Text.RegularExpressions.Regex DayMonthDate();

    // Each distinct time parsed once, in order of first appearance: all numbers, or all dates/times (as ticks).
    private static double[] TimeValues(CsvTable table, int column)
    {
        var distinct = table.Distinct(column);
        var value = new double[distinct.Count];
        var seen = new bool[distinct.Count];
        int firstRow = -1;
        bool firstIsNumber = false;
        for (int r = 0; r < table.RowCount; r++)
        {
            int id = table.TextId(r, column);
            if (seen[id]) continue;
            seen[id] = true;
            string cell = distinct[id];
            bool number = double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) &&
                          double.IsFinite(v);
            if (!number && string.IsNullOrWhiteSpace(cell))
                throw table.Cell(r, column, "is empty; every row needs a time");
            if (!number)
            {
                // The invariant culture reads 01/03/2024 month first: a day-first date would be misread, and its
                // steps misordered without a word, while no day is over 12.
                if (DayMonthDate().IsMatch(cell))
                    throw table.Cell(r, column, $"{ErrorText.Quote(cell)} is a date whose day and month cannot be " +
                                                $"told apart (day/month or month/day?); {IsoDates}");
                if (!DateTimeOffset.TryParse(cell, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal,
                                             out var d))
                    throw table.Cell(r, column, $"{ErrorText.Quote(cell)} is neither a number nor a date/time; " +
                                                IsoDates);
                v = d.UtcTicks;
            }
            if (firstRow < 0) (firstRow, firstIsNumber) = (r, number);
            else if (number != firstIsNumber)
                throw table.Cell(r, column,
                    $"{ErrorText.Quote(cell)} is {(number ? "a number" : "a date/time")}, but line " +
                        $"{table.Line(firstRow)} has {(firstIsNumber ? "the number" : "the date/time")} " +
                        $"{ErrorText.Quote(table.Text(firstRow, column))}; times must be all numbers or all dates");
            value[id] = v;
        }
        return value;
    }

    private static string Names(IEnumerable<ConstantFeature> features) =>
        string.Join(", ", features.Take(5).Select(k => k.Name)) + (features.Count() > 5 ? ", ..." : "");

    private static string Number(float v) => v.ToString(CultureInfo.InvariantCulture);
}
