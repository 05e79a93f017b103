using System.Globalization;
using Demo.Reports;
using Engine.Importance;
using Engine.Kernels;

namespace Demo.Study;

/// <summary>The study's table, JSON and report.</summary>
public static class StudyOutput
{
    /// <summary>Olden, Joy &amp; Death (2004): the connection weights' mean similarity on MLPs.</summary>
    public const double OldenConnectionWeights = 0.92;

    private static string F(double v, string format = "F2") =>
        double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    /// <summary>"0.85 [0.78, 0.92]": the mean and its 95% interval over replicates (the mean alone for one
    /// replicate).</summary>
    public static string WithInterval(SampleStatistics s) =>
        s.Count > 1 ? $"{F(s.Mean)} [{F(s.Ci95Low)}, {F(s.Ci95High)}]" : F(s.Mean);

    /// <summary>"0.85±0.07": the mean and the half-width of its 95% interval (1.96 SE), for the narrow console
    /// table.</summary>
    public static string PlusMinus(SampleStatistics s) =>
        s.Count > 1 ? $"{F(s.Mean)}±{F(ImportanceStatistics.Z95 * s.Se)}" : F(s.Mean);

    /// <summary>
    /// A row per method: similarity with its 95% interval, per input the share of replicates at its true rank,
    /// Spearman, irrelevant
    /// last, seconds. <paramref name="compact"/>: intervals as ± half-widths and short headers (the console).
    /// </summary>
    public static (string[] Header, List<string[]> Rows) Rows(StudyResult result, bool compact = false)
    {
        Func<SampleStatistics, string> interval = compact ? PlusMinus : WithInterval;
        var design = result.Settings.Design;
        var names = design.FeatureNames;
        var truth = design.TrueRanks;
        var header = new[] { "method", compact ? "similarity" : "similarity [95% CI]" }
            .Concat(names.Select((n, j) => $"{n} (#{truth[j]})"))
            .Concat([compact ? "Spearman" : "Spearman [95% CI]", compact ? "irr. last" : "irrelevant last",
                     compact ? "s" : "s / replicate"]).ToArray();
        var rows = result.Methods.Select(m => new[] { m.ChanceLevel ? m.Name + " *" : m.Name, interval(m.Similarity) }
            .Concat(m.CorrectByFeature.Select(c => F(c)))
            .Concat([interval(m.Spearman), F(m.IrrelevantLast),
                     F(m.Seconds, compact ? "F3" : "F4")]).ToArray()).ToList();
        return (header, rows);
    }

    /// <summary>The settings and the networks' fit in one paragraph.</summary>
    public static string Describe(StudyResult result)
    {
        var s = result.Settings;
        var d = s.Design;
        double explained = result.Replicates.Average(r => 1 - r.Loss / r.ConstantLoss);
        string correlation = d.Correlation > 0
            ? $", correlated {d.Correlation.ToString("G3", CultureInfo.InvariantCulture)}" : "";
        return $"{s.Replicates} replicates, seed {s.Seed}: {d.Features} AR(1) inputs (phi " +
               $"{d.Phi.ToString("G3", CultureInfo.InvariantCulture)}{correlation}), {d.Steps} steps, target " +
               $"{(d.Classes ? "argmax_j (b_j x_j + noise_j), one class per input," : d.Binary ? "[s > 0]" : "s")} " +
               $"with s_t = {string.Join(" + " +
               $"", Enumerable.Range(0, d.Features).Select(j =>
                   $"{d.Coefficients[j].ToString("G3", CultureInfo.InvariantCulture)} x{j + 1}"
                       + (d.Lags[j] > 0 ? $"(t-{d.Lags[j]})" : "")))}" +
               $" + {d.Noise.ToString("G3", CultureInfo.InvariantCulture)} noise; true ranks {string.Join(", " +
               $"", d.FeatureNames.Zip(d.TrueRanks, (n, r) => $"{n} #{r}"))}. " +
               $"Per replicate: {(s.Gru ? "GRU" : "LSTM")}({s.Units}, {s.CellActivation.Name()}) + dense head " +
               $"trained on {s.TrainSeries} " +
               $"series for {s.Epochs} epochs (batch {s.BatchSize}, Adam " +
               $"{s.LearningRate.ToString("G3", CultureInfo.InvariantCulture)}), " +
               $"methods on {s.EvaluationSeries} fresh series; repeats {s.Repeats}; stepwise retraining " +
               $"{s.RetrainEpochs} epochs x {s.Restarts} restart(s){RetrainingNote(result)}. " +
               $"Evaluation loss {F(result.Replicates.Average(r => r.Loss), "F3")} vs " +
               $"{F(result.Replicates.Average(r => r.ConstantLoss), "F3")} for the best constant " +
               $"(share explained {F(explained)}, lowest " +
               $"{F(result.Replicates.Min(r => 1 - r.Loss / r.ConstantLoss))}); training " +
               $"{F(result.Replicates.Average(r => r.TrainSeconds))} s per network; whole study " +
               $"{F(result.Seconds, "F1")} s.";
    }

    // ", early stopping (patience P): E of S epochs run (x%)" when the stepwise methods retrained.
    private static string RetrainingNote(StudyResult result)
    {
        var s = result.Settings;
        long trainings = result.Replicates.Sum(r => r.Retrainings);
        long epochs = result.Replicates.Sum(r => r.RetrainingEpochs);
        if (trainings == 0) return "";
        long scheduled = trainings * s.RetrainEpochs;
        return (s.RetrainPatience > 0 ? $", early stopping (patience {s.RetrainPatience})" : ", every epoch") +
               $": {epochs} of {scheduled} epochs run " +
               $"({(100.0 * epochs / scheduled).ToString("F1", CultureInfo.InvariantCulture)}%)";
    }

    /// <summary>The legend under the study's table.</summary>
    public static string Legend =>
        "similarity: mean over replicates of the share of inputs at their true rank (± half-width of the 95% " +
        "interval); x_j (#r): share of replicates ranking x_j at its true rank r; " +
        "irrelevant last (irr. last): share of replicates ranking the no-effect input(s) strictly last; s: the " +
        "method's seconds per replicate; * model-randomisation ranks a randomised network: the chance level. " +
        $"Olden et al. (MLPs): connection weights " +
        $"{OldenConnectionWeights.ToString("F2", CultureInfo.InvariantCulture)}, the other eight 0.28-0.74.";

    /// <summary>
    /// The results as <paramref name="format"/> asks: the tables fitted to <paramref name="width"/> with the settings
    /// and
    /// the legend under them; markdown (the intervals written out); or CSV, a row per method with every interval's ends
    /// in columns of their own.
    /// </summary>
    public static string Format(StudyResult result, TableFormat format, int width)
    {
        if (format == TableFormat.Csv) return Csv(result).ToCsv();
        var (header, rows) = Rows(result, compact: format == TableFormat.Table);
        var table = new TextTable(header)
        {
            Title = "Similarity of estimated and true ranks (Olden et al. 2004) on "
                    + (result.Settings.Gru ? "GRUs" : "LSTMs"),
        };
        foreach (var r in rows) table.Add(r);
        var (pathHeader, pathRows) = Paths(result);
        var paths = new TextTable(pathHeader) { Title = "Where the inputs act: shares per path, mean over replicates" };
        foreach (var r in pathRows) paths.Add(r);
        var last = pathRows.Count > 0 ? paths : table;
        last.Notes.Add(Describe(result));
        last.Notes.Add(Legend);
        return table.Format(format, width)
            + (pathRows.Count > 0 ? (format == TableFormat.Markdown ? "\n" : "") + paths.Format(format, width) : "");
    }

    /// <summary>A row per method: similarity, Spearman and their 95% intervals' ends, the share correct per input,
    /// irrelevant last and seconds per replicate, every number at full precision (empty where undefined).</summary>
    public static TextTable Csv(StudyResult result)
    {
        static string R(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
        static string[] Interval(SampleStatistics s) =>
            [R(s.Mean), s.Count > 1 ? R(s.Ci95Low) : "", s.Count > 1 ? R(s.Ci95High) : ""];
        var names = result.Settings.Design.FeatureNames;
        var table =
            new TextTable(["method", "similarity", "similarity_ci95_low", "similarity_ci95_high",
                           .. names.Select(n => $"correct_{n}"),
                                   "spearman", "spearman_ci95_low", "spearman_ci95_high", "irrelevant_last",
                                   "seconds_per_replicate"]);
        foreach (var m in result.Methods)
            table.Add([m.Name, .. Interval(m.Similarity), .. m.CorrectByFeature.Select(R), .. Interval(m.Spearman),
                       R(m.IrrelevantLast), R(m.Seconds)]);
        return table;
    }

    /// <summary>Writes the results to the console in <paramref name="format"/>, fitted to the console's
    /// width.</summary>
    public static void WriteTable(StudyResult result, TableFormat format = TableFormat.Table) =>
        Console.Write(Format(result, format, TextTable.ConsoleWidth()));

    /// <summary>
    /// Where each input acts, over all replicates: connection weights per first-layer gate block (LSTM i, f, c, o; GRU
    /// z, r, h; the layer's value gate, c or h, is the block connection-weights ranks by) and partial derivatives per
    /// lag (0 to 3), each row as the inputs' mean shares.
    /// Empty when neither method ran.
    /// </summary>
    public static List<(string Path, double[] Shares)> PathShares(StudyResult result)
    {
        int f = result.Settings.Design.Features;
        var rows = new List<(string, double[])>();
        static double[] Row(double[,] a, int i) => Enumerable.Range(0, a.GetLength(1)).Select(j => a[i, j]).ToArray();
        if (result.MeanShares("connection-weights", r => r.GateScores) is { } gates)
        {
            var cell = result.Settings.RecurrentLayer();   // gate names only: nothing to bind or initialise
            for (int g = 0; g < gates.GetLength(0); g++)
            {
                string mark = g == cell.ValueGate ? " (the method's)" : "";
                rows.Add(($"connection weights, {cell.InputGates[g]} gate{mark}", Row(gates, g)));
            }
        }
        if (result.MeanShares("partial-derivatives", r => r.LagMap) is { } lags)
            for (int k = 0; k < Math.Min(4, lags.GetLength(0)); k++)
                rows.Add(($"partial derivatives, lag {k}", Row(lags, k)));
        return rows;
    }

    /// <summary><see cref="PathShares"/> as a table.</summary>
    public static (string[] Header, List<string[]> Rows) Paths(StudyResult result) =>
        (["path (share of each input per row)", .. result.Settings.Design.FeatureNames],
         PathShares(result).Select(r => new[] { r.Path }.Concat(r.Shares.Select(v => F(v))).ToArray()).ToList());

    /// <summary>The JSON document (snake_case keys, as the other commands write).</summary>
    public static StudyJson ToJson(StudyResult result)
    {
        var s = result.Settings;
        var d = s.Design;
        static double? N(double v) => double.IsFinite(v) ? v : null;
        static StatisticsJson Stats(SampleStatistics x) =>
            new(x.Mean, N(x.Sd), N(x.Se), x.Count, x.Count > 1 ? [x.Ci95Low, x.Ci95High] : null);
        return new StudyJson(
            StudyDesignJson.Of(d), StudySettingsJson.Of(s, s.Threads),
            result.Seconds,
            result.Replicates.Select(r =>
                new ReplicateJson(r.Index, r.Loss, r.ConstantLoss, r.TrainSeconds,
                                  r.Runs.ToDictionary(x => x.Name, x => x.Result.Ranks), r.Retrainings,
                                  r.RetrainingEpochs)).ToList(),
            PathShares(result).Select(r => new PathJson(r.Path, r.Shares)).ToList(),
            result.Methods.Select(m =>
                new MethodJson(m.Name, Stats(m.Similarity), m.CorrectByFeature, Stats(m.Spearman), N(m.IrrelevantLast),
                               m.MeanRank, m.Seconds)).ToList());
    }

    /// <summary>report.md and report.html: the settings, the table and the similarity chart.</summary>
    public static Report WriteReport(string directory, StudyResult result)
    {
        var report = new Report(directory, "Do the MLP importance methods rank an LSTM's inputs correctly?");
        var d = result.Settings.Design;
        report.AddHeading("Design");
        report.AddParagraph(Describe(result));
        report.AddHeading("Similarity of estimated and true ranks");
        var methods = result.Methods;
        report.AddChart(Report.SimilarityChart, "Mean similarity per method with its 95% interval over replicates",
                        path =>
            Plots.Intervals(path,
            $"Similarity of estimated and true ranks, {result.Settings.Replicates} LSTMs (95% interval)",
            "similarity (share of inputs at their true rank)",
            methods.Select(m => m.ChanceLevel ? m.Name + " (chance)" : m.Name).ToList(),
            methods.Select(m => m.Similarity.Mean).ToList(),
            methods.Select(m =>
                m.Similarity.Count > 1 ? ImportanceStatistics.Z95 * m.Similarity.Se : double.NaN).ToList(),
            [(1.0 / d.Features, $"chance (1/{d.Features})"),
             (OldenConnectionWeights, "connection weights on MLPs (Olden 2004)")]));
        var (header, rows) = Rows(result);
        report.AddTable(header, rows);
        report.AddParagraph("Similarity: the share of inputs a method puts at their true rank, averaged over " +
                            "replicates (equivalently, the share of replicates " +
                            "ranking each input correctly, averaged over inputs: the columns x1..). Spearman: rank " +
                            "correlation of estimated and true ranks. " +
                            "Irrelevant last: the share of replicates that rank the no-effect input strictly last. " +
                            "model-randomisation (*) ranks a network with " +
                            "randomised weights: the chance level.");
        report.AddHeading("Mean rank of each input");
        report.AddTable(["method", .. d.FeatureNames.Select((n, j) => $"{n} (#{d.TrueRanks[j]})")],
            methods.Select(m => new[] { m.Name }.Concat(m.MeanRank.Select(r => F(r, "F1"))).ToArray()));
        var (pathHeader, pathRows) = Paths(result);
        if (pathRows.Count > 0)
        {
            report.AddHeading("Where the inputs act");
            report.AddParagraph("Each row: the inputs' shares of one path, averaged over replicates. Connection " +
                                "weights per first-layer gate block " +
                                "(the method ranks by the candidate block c); partial derivatives by lag (output " +
                                "step - input step).");
            report.AddTable(pathHeader, pathRows);
        }
        report.Write();
        return report;
    }
}
