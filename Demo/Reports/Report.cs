using System.Globalization;
using System.Net;
using System.Text;
using Demo.Data;
using Demo.Importance;
using Engine.IO;
using Engine.Models;

namespace Demo.Reports;

/// <summary>
/// A report directory: <c>report.md</c> and <c>report.html</c> with the same text, tables and PNG charts. Blocks are
/// collected in order and written by <see cref="Write"/>; each PNG is written when its block is added. The folder is
/// created when the report is (after the command's work, so a failed run leaves none), and keeps a manifest of the
/// files the report wrote (<see cref="ManifestFile"/>): a later report in the same folder first deletes those, and
/// only those, so no stale chart survives and no file of the user's is touched.
/// </summary>
public sealed class Report
{
    /// <summary>The manifest: one file name per line, the files this program wrote into the folder.</summary>
    public const string ManifestFile = "report-files.txt";

    private readonly string directory;
    private readonly string title;

    /// <summary>Creates the folder if needed and deletes the files the manifest lists
    /// (<see cref="RemovePrevious"/>).</summary>
    public Report(string directory, string title)
    {
        this.directory = directory;
        this.title = title;
        try { Directory.CreateDirectory(directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileWriteException(directory, ErrorText.Line(e.Message), e);
        }
        RemovePrevious(directory);
        WriteManifest();
    }

    /// <summary>
    /// Deletes the files a previous report wrote into <paramref name="dir"/>, as its manifest lists them: plain file
    /// names only (no folder part), report.md, report.html or a .png, regular files only (a link itself, not its
    /// target). Files the manifest does not name stay. Returns the names deleted.
    /// </summary>
    public static List<string> RemovePrevious(string dir)
    {
        var removed = new List<string>();
        foreach (var name in Listed(dir))
        {
            var file = new FileInfo(Path.Combine(dir, name));
            if (!file.Exists) continue; // gone, or a folder
            file.Delete();
            removed.Add(name);
        }
        return removed;
    }

    /// <summary>
    /// The names the manifest in <paramref name="dir"/> lists that a report may own: plain file names (no folder
    /// part), report.md, report.html or a .png. None without a manifest.
    /// </summary>
    public static IEnumerable<string> Listed(string dir)
    {
        string manifest = Path.Combine(dir, ManifestFile);
        if (!File.Exists(manifest)) yield break;
        foreach (var line in File.ReadAllLines(manifest))
        {
            string name = line.Trim();
            if (name.Length == 0 || name.StartsWith('#') || name != Path.GetFileName(name) || name is "." or ".."
                || name.Contains('/') || name.Contains('\\')
                || !(name is "report.md" or "report.html" || name.EndsWith(".png", StringComparison.Ordinal))) continue;
            yield return name;
        }
    }

    /// <summary>The training loss chart.</summary>
    public const string LossChart = "training-loss.png";

    /// <summary>The ranks-by-method chart.</summary>
    public const string RanksChart = "ranks.png";

    /// <summary>The methods' agreement heat map (the trust section).</summary>
    public const string AgreementChart = "agreement.png";

    /// <summary>The study's similarity chart.</summary>
    public const string SimilarityChart = "similarity.png";

    // A method's charts: {prefix}{method}.png (bars, time map, lag map, sensitivity profiles).
    private const string BarsPrefix = "importance-", MapPrefix = "map-", LagPrefix = "lag-", ProfilePrefix = "profile-";

    /// <summary>
    /// Whether a report may write a file of this name into its folder: report.md, report.html, the fixed charts and
    /// a method's charts. The one list the folder check (<c>OutputPaths</c>) reads before the work, and every chart
    /// written is checked against it.
    /// </summary>
    public static bool MayWrite(string name) =>
        name is "report.md" or "report.html" or LossChart or RanksChart or AgreementChart or SimilarityChart
        || (name.EndsWith(".png", StringComparison.Ordinal)
            && (name.StartsWith(BarsPrefix, StringComparison.Ordinal)
                || name.StartsWith(MapPrefix, StringComparison.Ordinal)
                || name.StartsWith(LagPrefix, StringComparison.Ordinal)
                || name.StartsWith(ProfilePrefix, StringComparison.Ordinal)));

    // The manifest lists every file written so far (rewritten as each is added, so a run cut short leaves none
    // unlisted).
    private readonly List<string> written = [];

    private void Record(string file)
    {
        if (!written.Contains(file)) written.Add(file);
        WriteManifest();
    }

    private void WriteManifest() =>
        AtomicFile.WriteAllBytes(Path.Combine(directory, ManifestFile), Encoding.UTF8.GetBytes(
        "# Files the demo wrote here; the next report in this folder deletes them first (and nothing else).\n"
        + string.Concat(written.Select(f => f + "\n"))));

    private abstract record Block;
    private sealed record Heading(string Text) : Block;
    private sealed record Paragraph(string Text) : Block;
    private sealed record Image(string File, string Alt) : Block;
    private sealed record TableBlock(string[] Header, List<string[]> Rows) : Block;

    private readonly List<Block> _blocks = [];

    /// <summary>The PNG files written so far, relative to the directory.</summary>
    public List<string> Images { get; } = [];

    // "LSTM 10 (relu / sigmoid, return_sequences) / Dropout 10 (rate=0.2) / Dense 1 (sigmoid)": each layer's output
    // width
    // and the settings the model summary shows (ModelSummary's details, one home for how a layer is described).
    private static string Layers(Sequential model) =>
        string.Join(" / ",
                    model.Layers.Zip(model.Summary(1).Rows, (l, r) => $"{l.TypeName} {l.OutputSize} ({r.Details})"));

    /// <summary>
    /// The data checks (<see cref="DataChecks"/>) at the top of a report: each warning of training and of reading the
    /// data, and the constant features left out of training, which every method ranks at importance 0. Nothing when
    /// there are none.
    /// </summary>
    public void AddDataChecks(IEnumerable<string> warnings, IReadOnlyList<ConstantFeature> constant)
    {
        var lines = warnings.Distinct().ToList();
        if (lines.Count == 0 && constant.Count == 0) return;
        _blocks.Add(new Heading("Data checks"));
        foreach (var w in lines) _blocks.Add(new Paragraph($"Warning: {Code(w)}"));
        if (constant.Count > 0)
            _blocks.Add(new Paragraph("Constant features, left out of training, importance 0 by every method: " +
                                      string.Join(", ", constant.Select(k => $"{Code(k.Name)} (always " +
                                          $"{k.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)})"))
                                              + "."));
    }

    /// <summary>The model: file, layers, inputs and how it was trained.</summary>
    public void AddModel(string modelPath, ModelMetadata arch, Sequential model)
    {
        var t = arch.Training;
        _blocks.Add(new Heading("Model"));
        _blocks.Add(new Paragraph($"{Code(Path.GetFileName(modelPath))}: {model.ParameterCount:N0} parameters; " +
                                  $"layers {Layers(model)}" +
                                  $"; {(model.OutputsSequence ? "one output per step" : "one output per series (last " +
                                  $"step)")}. " +
                                  $"Target {Code(t.Target ?? "")}, loss {t.Loss}; {arch.Features.Length} features " +
                                  $"over {arch.Steps} steps: {string.Join(", ", arch.Features.Select(Code))}."));
    }

    /// <summary>The training and validation loss per epoch, from the model file's history.</summary>
    public void AddTraining(ModelMetadata arch)
    {
        var history = arch.Training.History;
        _blocks.Add(new Heading("Training"));
        if (history.Count == 0) { _blocks.Add(new Paragraph("The model file holds no training history.")); return; }
        bool hasValidation = history.All(e => e.ValidationLoss is not null);
        Plots.Loss(Png(LossChart), history.Select(e => (double)e.Epoch).ToList(),
                   history.Select(e => (double)e.Loss).ToList(),
            hasValidation ? history.Select(e => (double)e.ValidationLoss!.Value).ToList() : null, arch.Training.Loss);
        int restored = arch.Training.RestoredEpoch ?? 0;
        var saved = restored > 0 && restored <= history.Count ? history[restored - 1] : history[^1];
        _blocks.Add(new Paragraph(
            $"{history.Count} epochs on {arch.Training.TrainingSeries} series; " +
            (restored > 0 ? $"the model is epoch {restored}'s, the lowest validation loss: "
                : "the model is the last epoch's: ") +
            TrainingView.EpochFigures(saved, arch.Training.ValidationSeries) +
            ". A validation curve that rises while the training curve falls means overfitting: fewer epochs or a " +
            "smaller model."));
        _blocks.Add(new Image(LossChart, "Training and validation loss per epoch"));
    }

    /// <summary>
    /// The importance results: a ranking table across methods, then per method a bar chart (with 95% intervals
    /// where there are any), its steps x features heatmap if it has one, and the profile curves if it has them.
    /// </summary>
    public void AddImportance(IReadOnlyList<MethodOutcome> methods, string[] features,
                              IReadOnlyList<string>? stepLabels = null)
    {
        _blocks.Add(new Heading("Which inputs matter: ranking by method"));
        _blocks.Add(new Paragraph("Rank 1 is the most important feature. Where methods agree, the answer is robust; " +
                                  "where they disagree, read the method's notes below." +
                                  (methods.Any(m =>
                                      !m.Consensus) ? " Sanity checks (marked *) score a network with randomised " +
                                                      "weights and are left out of the mean rank: their ranks should " +
                                                      "look unlike the others." : "")));
        var rankMatrix = new int[methods.Count, features.Length];
        for (int i = 0; i < methods.Count; i++)
            for (int j = 0; j < features.Length; j++) rankMatrix[i, j] = methods[i].Features[j].Rank;
        Plots.Ranks(Png(RanksChart), methods.Select(m => m.Consensus ? m.Name : m.Name + " *").ToList(), features,
                    rankMatrix);
        _blocks.Add(new Image(RanksChart, "Rank of each feature by method"));
        string[] header = ["method", .. features, "seconds"];
        var rows = methods.Select(m =>
            new[] { m.Consensus ? m.Name : m.Name
                + " *" }.Concat(m.Features.Select(f => f.Rank.ToString(CultureInfo.InvariantCulture)))
            .Append(m.Seconds.ToString("F2", CultureInfo.InvariantCulture)).ToArray()).ToList();
        var consensus = methods.Where(m => m.Consensus).ToList();
        if (consensus.Count > 1)
        {
            // Mid ranks (ties share the mean of their positions), as the consensus of "Can I trust this?".
            var meanRank = Engine.Importance.ImportanceAgreement.MeanRanks(
                consensus.Select(m => m.Features.Select(f => f.Rank).ToArray()).ToList());
            rows.Add(["**mean rank**", .. meanRank.Select(r => r.ToString("F1", CultureInfo.InvariantCulture)), ""]);
        }
        _blocks.Add(new TableBlock(header, rows));

        foreach (var m in methods)
        {
            _blocks.Add(new Heading($"Method: {m.Name}"));
            if (m.Note is not null) _blocks.Add(new Paragraph(m.Note));
            string bars = $"{BarsPrefix}{Slug(m.Name)}.png";
            var chart = Bars(m);
            Plots.Scores(Png(bars), chart.Title, features, chart.Values, m.Features.Select(f => f.Rank).ToList(),
                         chart.Intervals, chart.Axis, chart.Labels);
            _blocks.Add(new Image(bars, m.Steps is null ? $"{m.Name} scores" : $"{m.Name} order of {m.OrderWord}"));
            bool tested = m.Features.Any(f => f.P is not null);
            string[] columns = m.Steps is null ? ["feature", "score", "rank", "SD", "SE", "count", "95% interval"]
                : ["feature", "loss change at that step", "step", "rank", "SD", "SE", "count", "95% interval"];
            _blocks.Add(new TableBlock(tested ? [.. columns, "p"] : columns,
                m.Features.Select(f =>
                {
                    string[] cells =
                    [
                        f.Name, G(f.Score),
                        .. m.Steps is { } steps ? [ImportanceTable.StepText(steps[Array.IndexOf(m.Features, f)])]
                            : Array.Empty<string>(),
                        f.Rank.ToString(CultureInfo.InvariantCulture), f.Sd is { } sd ? G(sd) : "",
                        f.Se is { } se ? G(se) : "",
                        f.Count?.ToString(CultureInfo.InvariantCulture) ?? "",
                        f.Ci95 is [var lo, var hi] ? $"[{G(lo)}, {G(hi)}]" : "",
                    ];
                    return tested ? [.. cells, f.P is { } p ? G(p) : ""] : cells;
                }).ToList()));
            if (m.Map is { } map)
            {
                string heat = $"{MapPrefix}{Slug(m.Name)}.png";
                Plots.Map(Png(heat), $"{m.Name}: importance by step and feature", features, map, "step", stepLabels);
                _blocks.Add(new Paragraph("Brighter cells matter more: read along a row to see when a feature " +
                                          "matters."));
                _blocks.Add(new Image(heat, $"{m.Name} steps x features map"));
            }
            if (m.LagMap is { } lags)
            {
                string lag = $"{LagPrefix}{Slug(m.Name)}.png";
                Plots.Map(Png(lag), $"{m.Name}: importance by lag and feature", features, lags,
                          "lag (output step - input step)");
                _blocks.Add(new Paragraph("Lag 0 is the input's effect on the same step's output; a bright cell at " +
                                          "lag k means the input acts k steps later."));
                _blocks.Add(new Image(lag, $"{m.Name} lags x features map"));
            }
            if (m.Curves is { Count: > 0 } curves)
            {
                string profile = $"{ProfilePrefix}{Slug(m.Name)}.png";
                Plots.Profiles(Png(profile), $"{m.Name}: output as each feature sweeps its range", curves,
                               "position in the feature's range (0 = min, 1 = max)", "mean model output");
                _blocks.Add(new Paragraph("A flat curve means the output does not respond to that feature; a steep " +
                                          "one means it does."));
                _blocks.Add(new Image(profile, $"{m.Name} profile curves"));
            }
        }
    }

    /// <summary>
    /// What a method's bar chart draws. A ranking by score: the scores, with their 95% intervals. A stepwise search
    /// (<see cref="MethodOutcome.Steps"/>): its order, which is its answer, not the loss change at each step: bar
    /// length F + 1 - rank (the first to enter, or the last removed, longest), each bar labelled with its step.
    /// </summary>
    public static (string Title, List<double> Values, List<(double Low, double High)?> Intervals, string Axis,
                   List<string>? Labels) Bars(MethodOutcome m)
    {
        int n = m.Features.Length;
        if (m.Steps is { } steps)
            return ($"{m.Name}: order of {m.OrderWord}", m.Features.Select(f => (double)(n + 1 - f.Rank)).ToList(),
                    m.Features.Select(_ => ((double, double)?)null).ToList(),
                    m.OrderWord == "entry" ? "order of entry (the first to enter has the longest bar)" : "order of " +
                        "removal (the last removed has the longest bar)",
                    steps.Select(s => $"step {ImportanceTable.StepText(s)}").ToList());
        var intervals = m.Features.Select(f =>
            f.Ci95 is [var lo, var hi] ? ((double, double)?)(lo, hi) : null).ToList();
        return ($"{m.Name}: score per feature" + (intervals.Any(i => i is not null) ? " (95% interval)" : ""),
                m.Features.Select(f => f.Score).ToList(),
                intervals, "score", null);
    }

    /// <summary>A section heading.</summary>
    public void AddHeading(string text) => _blocks.Add(new Heading(text));

    /// <summary>A paragraph (markdown `code` and **bold** carry over to the HTML).</summary>
    public void AddParagraph(string text) => _blocks.Add(new Paragraph(text));

    /// <summary>A table: the first column left-aligned, the others right-aligned.</summary>
    public void AddTable(string[] header, IEnumerable<string[]> rows) =>
        _blocks.Add(new TableBlock(header, rows.ToList()));

    /// <summary>A chart: <paramref name="draw"/> writes the PNG to the path it is given.</summary>
    public void AddChart(string file, string alt, Action<string> draw)
    {
        draw(Png(file));
        _blocks.Add(new Image(file, alt));
    }

    /// <summary>Writes report.md and report.html (each through a temporary file and a rename).</summary>
    public void Write()
    {
        var md = new StringBuilder();
        md.Append("# ").Append(title).Append("\n\n");
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta " +
                    "charset=\"utf-8\"><title>").Append(E(title)).Append("</title>\n")
            .Append("<style>body{font-family:'DejaVu Sans',sans-serif;max-width:960px;margin:2em auto;padding:0 " +
                    "1em;color:#222}")
            .Append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px " +
                    "8px;text-align:right}")
            .Append("td:first-child,th:first-child{text-align:left}img{max-width:100%;border:1px solid " +
                    "#ddd;margin:0.5em 0}</style></head><body>\n")
            .Append("<h1>").Append(E(title)).Append("</h1>\n");
        foreach (var block in _blocks)
        {
            switch (block)
            {
                case Heading h:
                    md.Append("## ").Append(h.Text).Append("\n\n");
                    html.Append("<h2>").Append(E(h.Text)).Append("</h2>\n");
                    break;
                case Paragraph p:
                    md.Append(p.Text).Append("\n\n");
                    html.Append("<p>").Append(Inline(p.Text)).Append("</p>\n");
                    break;
                case Image i:
                    md.Append("![").Append(i.Alt).Append("](").Append(i.File).Append(")\n\n");
                    html.Append("<p><img src=\"").Append(E(i.File)).Append("\" alt=\"").Append(E(i.Alt))
                        .Append("\"></p>\n");
                    break;
                case TableBlock t:
                    md.Append(TextTable.Markdown(t.Header, t.Rows)).Append('\n');
                    html.Append("<table><tr>").Append(string.Concat(t.Header.Select(h =>
                        $"<th>{E(h)}</th>"))).Append("</tr>\n");
                    foreach (var r in t.Rows)
                        html.Append("<tr>").Append(string.Concat(r.Select(c =>
                            $"<td>{Inline(c)}</td>"))).Append("</tr>\n");
                    html.Append("</table>\n");
                    break;
            }
        }
        html.Append("</body></html>\n");
        Record("report.md");
        Record("report.html");
        AtomicFile.WriteAllBytes(Path.Combine(directory, "report.md"), Encoding.UTF8.GetBytes(md.ToString()));
        AtomicFile.WriteAllBytes(Path.Combine(directory, "report.html"), Encoding.UTF8.GetBytes(html.ToString()));
    }

    private string Png(string file)
    {
        if (!MayWrite(file))
            throw new InvalidOperationException($"the report chart '{file}' is not in Report.MayWrite's list");
        Images.Add(file);
        Record(file);
        return Path.Combine(directory, file);
    }

    private static string Slug(string name) =>
        string.Concat(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'));
    private static string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
    private static string E(string s) => WebUtility.HtmlEncode(s);

    // Markdown's `code` (any fence: a run of backticks closed by a run as long) and **bold** as HTML.
    private static string Inline(string s)
    {
        var html = new StringBuilder();
        string text = E(s);
        int i = 0;
        while (i < text.Length)
        {
            int open = text.IndexOf('`', i);
            if (open < 0) break;
            int fence = Run(text, open), close = open + fence;
            while ((close = text.IndexOf('`', close)) >= 0 && Run(text, close) != fence) close += Run(text, close);
            if (close < 0) break;
            html.Append(Bold(text[i..open]));
            string code = text[(open + fence)..close];
            if (code.Length >= 2 && code[0] == ' ' && code[^1] == ' ') code = code[1..^1];
            html.Append("<code>").Append(code.Replace("\\|", "|", StringComparison.Ordinal)).Append("</code>");
            i = close + fence;
        }
        return html.Append(Bold(text[i..])).ToString();
    }

    private static int Run(string s, int at)
    {
        int end = at;
        while (end < s.Length && s[end] == '`') end++;
        return end - at;
    }

    private static string Bold(string s)
    {
        var bold = s.Split("**");
        for (int i = 1; i < bold.Length; i += 2) bold[i] = $"<b>{bold[i]}</b>";
        return string.Join("", bold);
    }

    /// <summary>A markdown code span showing <paramref name="s"/> literally: fenced by more backticks than any run
    /// inside it, padded with spaces when it starts or ends with one, a | escaped (for tables), control characters as
    /// spaces. Raw HTML in a name stays text: code spans are never HTML.</summary>
    public static string Code(string s)
    {
        string text = new string(s.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Replace("|", "\\|");
        int longest = 0;
        for (int i = 0; i < text.Length; i += Math.Max(1, Run(text, i))) longest = Math.Max(longest, Run(text, i));
        string fence = new('`', longest + 1);
        if (text.Length == 0) return "` `";
        string pad = text.StartsWith('`') || text.EndsWith('`') ? " " : "";
        return $"{fence}{pad}{text}{pad}{fence}";
    }

    /// <summary>A markdown table cell that keeps its row whole and passes no HTML or link: | \ ` [ ] backslash-escaped,
    /// &lt; &gt; &amp; as entities, control characters as spaces (emphasis, as in **mean rank**, still
    /// works).</summary>
    public static string Cell(string s)
    {
        var md = new StringBuilder(s.Length + 8);
        foreach (char c in s)
        {
            md.Append(c switch
            {
                '<' => "&lt;",
                '>' => "&gt;",
                '&' => "&amp;",
                '\\' or '`' or '[' or ']' or '|' => $"\\{c}",
                _ when char.IsControl(c) => " ",
                _ => c.ToString(),
            });
        }
        return md.ToString();
    }
}
