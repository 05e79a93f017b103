using System.Globalization;
using System.Text;
using System.Text.Json;
using Demo.Reports;
using Engine.Importance;

namespace Demo.Importance;

/// <summary>
/// "Can I trust this?": the <see cref="ImportanceTrust"/> assessment as the console, the report and the JSON show
/// it. A plain sentence first (which inputs matter, in order, and whether the methods agree), then the consensus with
/// the judges' 95% intervals, Kendall's W, the methods set aside with the reason and the study's figures
/// (<see cref="StudyVerdicts"/>), the sanity check's verdict and integrated gradients' completeness gap, then
/// Spearman's rho between every two methods.
/// </summary>
internal static class TrustView
{
    private static string F2(double v) =>
        double.IsFinite(v) ? v.ToString("F2", CultureInfo.InvariantCulture) : "undefined";

    private static string G(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>"a", "a and b", "a, b and c".</summary>
    public static string Join(IReadOnlyList<string> names) =>
        names.Count <= 1 ? string.Concat(names) : $"{string.Join(", ", names.Take(names.Count - 1))} and {names[^1]}";

    /// <summary>
    /// The first sentence: "x1 matters most; x2 and x3 follow; x4 does not matter (all methods agree)." The inputs
    /// that matter in consensus order, then those that do not; without a judge of relevance the consensus order with
    /// a note. <paramref name="name"/> quotes an input or method name (the report's code spans).
    /// </summary>
    public static string Sentence(TrustAssessment t, IReadOnlyList<string> labels, Func<string, string>? name = null)
    {
        name ??= s => s;
        var flagged = t.Flags.Select(f => name(f.Method)).ToList();
        string agreement = t.Contenders.Count == 1 ? "(one method: nothing to compare)"
            : flagged.Count == 0 ? "(all methods agree)"
            : $"({Join(flagged)} disagree{(flagged.Count == 1 ? "s" : "")}: see below)";
        string Names(IEnumerable<int> units) => Join(units.Select(j => name(labels[j])).ToList());
        if (t.Relevant is not { } relevant)
        {
            var order = t.Order;
            return $"{name(labels[order[0]])} ranks first" +
                   (order.Length > 1 ? $"; {Names(order.Skip(1))} follow{(order.Length == 2 ? "s" : "")}" : "") +
                   $" {agreement}; whether an input matters at all is not judged: it needs " +
                   $"{Join(ImportanceTrust.JudgeMethods.Select(name).ToList())} (--methods).";
        }
        var matters = t.Order.Where(j => relevant[j]).ToList();
        var not = t.Order.Where(j => !relevant[j]).ToList();
        if (matters.Count == 0) return $"No input matters {agreement}.";
        return $"{name(labels[matters[0]])} matters most" +
               (matters.Count > 1 ? $"; {Names(matters.Skip(1))} follow{(matters.Count == 2 ? "s" : "")}" : "") +
               (not.Count > 0 ? $"; {Names(not)} do{(not.Count == 1 ? "es" : "")} not matter" : "") +
               $" {agreement}.";
    }

    /// <summary>The paragraphs after the sentence: the consensus rule, agreement, each method set aside and why, the
    /// sanity check and the completeness gap.</summary>
    public static List<string> Paragraphs(TrustAssessment t, IReadOnlyList<MethodRun> runs,
                                          IReadOnlyList<string> labels, Func<string, string>? name = null)
    {
        name ??= s => s;
        var lines = new List<string>();
        string judges = Join(t.Judges.Select(name).ToList());
        lines.Add("Consensus: each input's mean rank over " +
                  (t.Flags.Count == 0 ? $"all {t.Passed.Count} methods (sanity checks left out); "
                      : $"the {t.Passed.Count} methods not set aside ({Join(t.Passed.Select(name).ToList())}); ") +
                  (t.Judges.Count > 0
                      ? "an input does not matter when " +
                        (t.Judges.Count == 1 ? $"{judges} finds" : $"at least half of {judges} find") +
                        " its rise in loss below " +
                        $"{100 * ImportanceTrust.NegligibleShare:0.#}% of the largest or its 95% interval reaching 0."
                      : "which inputs matter is not judged (no permutation or improved stepwise run)."));
        if (t.Passed.Count >= 2)
            lines.Add($"Agreement: Kendall's W = {F2(t.KendallW)} over the methods not set aside (1 = the same " +
                      "ranking, 0 = none)" +
                      (t.Flags.Count > 0 ? $"; {F2(t.KendallWAll)} over all {t.Contenders.Count}." : "."));
        foreach (var flag in t.Flags)
        {
            string what = flag.Inversion is { } pair
                ? $"ranks {name(labels[pair.Irrelevant])}, which does not matter, above " +
                  $"{name(labels[pair.Relevant])}; " : "";
            string why = StudyVerdicts.Reasons.TryGetValue(flag.Method, out var reason) ? $" Why: {reason}." : "";
            string study = StudyVerdicts.Similarity.TryGetValue(flag.Method, out var s) && s.Lagged is not null
                ? $" In the study (docs/STUDY.md) its ranking matched the truth with similarity {s.Lagged} with a " +
                  $"lagged input" + (s.Control is null ? "." : $" and {s.Control} without.")
                : "";
            lines.Add($"Set aside: {name(flag.Method)} {what}Spearman's rho with the consensus {F2(flag.Spearman)}" +
                      $" (below {F2(ImportanceTrust.SpearmanFloor)} sets a method aside).{why}{study}");
        }
        lines.Add(t.Sanity is { } sanity
            ? $"Sanity check ({name(sanity.Method)}): " + (sanity.Passed switch
            {
                true => $"the checked method gives {name(labels[sanity.Unit])} a share of {F2(sanity.Trained)} on " +
                        $"the trained model and {F2(sanity.Randomised.Mean)} [{F2(sanity.Randomised.Ci95Low)}, " +
                        $"{F2(sanity.Randomised.Ci95High)}] on networks with randomised weights: passed, the answer " +
                        "depends on what the model learned.",
                false => "every input's share on the trained model lies within its 95% interval on networks with " +
                         "randomised weights: failed, the rankings may reflect the data or the architecture rather " +
                         "than what the model learned.",
                null => "not decidable: it needs two randomised networks or more (--repeats) and inputs not grouped.",
            })
            : $"Sanity check: not run (add {name("model-randomisation")} to --methods).");
        if (runs.FirstOrDefault(r => r.Result.Completeness is not null) is { } ig)
            lines.Add($"{name(ig.Name)}: {ig.Result.Completeness!.Describe()}" +
                      (ig.Result.Completeness.Converged ? "." : ": its attributions are approximate."));
        return lines;
    }

    /// <summary>
    /// The consensus as a table, from the most important: input, mean rank, whether it matters, and per judge its
    /// score with the 95% interval.
    /// </summary>
    public static (string[] Header, List<string[]> Rows) Consensus(TrustAssessment t, IReadOnlyList<MethodRun> runs,
                                                                   IReadOnlyList<string> labels)
    {
        var judges = t.Judges.Select(n => runs.First(r => r.Name == n)).ToList();
        string[] header = ["input", "mean rank", .. t.Relevant is null ? Array.Empty<string>() : ["matters"],
                           .. judges.Select(j => j.Result.Features.Any(f => f.Statistics is { Count: > 1 })
                               ? $"{j.Name} [95% CI]" : j.Name)];
        var rows = t.Order.Select(j =>
        {
            var row = new List<string> { labels[j], t.MeanRanks[j].ToString("F1", CultureInfo.InvariantCulture) };
            if (t.Relevant is { } relevant) row.Add(relevant[j] ? "yes" : "no");
            foreach (var judge in judges)
            {
                var f = judge.Result.Features.Single(x => x.Feature == j);
                row.Add(f.Statistics is { Count: > 1 } s ? $"{G(f.Score)} [{G(s.Ci95Low)}, {G(s.Ci95High)}]"
                            : G(f.Score));
            }
            return row.ToArray();
        }).ToList();
        return (header, rows);
    }

    /// <summary>Spearman's rho between every two methods: a row per method ("1 name"), a column per method by
    /// number, two decimals.</summary>
    public static (string[] Header, List<string[]> Rows) Spearman(TrustAssessment t)
    {
        int m = t.Contenders.Count;
        string[] header = ["Spearman's rho", .. Enumerable.Range(1, m).Select(i => i.ToString(CultureInfo
                                                                                     .InvariantCulture))];
        var rows = Enumerable.Range(0, m).Select(a => new[] { $"{a + 1} {t.Contenders[a]}" }
            .Concat(Enumerable.Range(0, m).Select(b => double.IsFinite(t.Spearman[a, b]) ? F2(t.Spearman[a, b]) : "-"))
            .ToArray()).ToList();
        return (header, rows);
    }

    /// <summary>
    /// Spearman's rho as a compact console block: a row per method ("1 name"), a column per method by number, each
    /// rho in four characters without the leading zero ("1", ".97", "-.40", "-" where undefined). Columns that do not
    /// fit in <paramref name="width"/> beside the names go to further blocks under the first (at least one column a
    /// block), as <see cref="TextTable"/> does.
    /// </summary>
    public static string CompactSpearman(TrustAssessment t, int width)
    {
        int m = t.Contenders.Count;
        var keys = t.Contenders.Select((c, i) => $"{i + 1,2} {c}").ToList();
        int key = keys.Max(k => k.Length);
        static string Short(double v) => !double.IsFinite(v) ? "-" : Math.Round(v, 2) == 1 ? "1"
            : v.ToString("0.00", CultureInfo.InvariantCulture).Replace("0.", ".", StringComparison.Ordinal);
        // Each column is " " and four characters.
        int perBlock = Math.Max(1, (width - key) / 5);
        var text = new StringBuilder("Spearman's rho between the methods' rankings (1 = the same order):\n");
        for (int first = 0; first < m; first += perBlock)
        {
            var columns = Enumerable.Range(first, Math.Min(perBlock, m - first)).ToList();
            if (first > 0) text.Append('\n');
            text.Append(new string(' ', key)).Append(string.Concat(columns.Select(b => $" {b + 1,4}"))).Append('\n');
            for (int a = 0; a < m; a++)
                text.Append(keys[a].PadRight(key))
                    .Append(string.Concat(columns.Select(b => $" {Short(t.Spearman[a, b]),4}")))
                    .Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The block the console prints before the importance table: the sentence and paragraphs wrapped to
    /// <paramref name="width"/>, the consensus and, with two methods or more, the Spearman table.</summary>
    public static string Console(TrustAssessment t, IReadOnlyList<MethodRun> runs, IReadOnlyList<string> labels,
                                 TableFormat format, int width)
    {
        var text = new StringBuilder();
        text.Append(format == TableFormat.Markdown ? "## Can I trust this?\n\n" : "Can I trust this?\n");
        foreach (var p in new[] { Sentence(t, labels) }.Concat(Paragraphs(t, runs, labels)))
        {
            if (format == TableFormat.Markdown) text.Append(p).Append("\n\n");
            else foreach (var line in TextTable.Wrap(p, width, breakAfter: "")) text.Append(line).Append('\n');
        }
        var (header, rows) = Consensus(t, runs, labels);
        var consensus = new TextTable(header) { Title = "Consensus" };
        foreach (var r in rows) consensus.Add(r);
        text.Append(consensus.Format(format, width));
        if (t.Contenders.Count >= 2)
        {
            if (format == TableFormat.Markdown)
            {
                var (sh, sr) = Spearman(t);
                text.Append('\n').Append(TextTable.Markdown(sh, sr));
            }
            else text.Append(CompactSpearman(t, width));
        }
        return text.Append('\n').ToString();
    }

    /// <summary>The report's first section: sentence, paragraphs, consensus table, Spearman heat map.</summary>
    public static void AddTo(Report report, TrustAssessment t, IReadOnlyList<MethodRun> runs,
                             IReadOnlyList<string> labels)
    {
        report.AddHeading("Can I trust this?");
        report.AddParagraph($"**{Sentence(t, labels, Report.Code)}**");
        foreach (var p in Paragraphs(t, runs, labels, Report.Code)) report.AddParagraph(p);
        var (header, rows) = Consensus(t, runs, labels);
        report.AddTable(header, rows);
        if (t.Contenders.Count >= 2)
            report.AddChart(Report.AgreementChart, "Spearman's rho between the methods' rankings",
                            path => Plots.Correlations(path, t.Contenders, t.Spearman));
    }

    /// <summary>The "trust" object of the importance JSON (docs/IMPORTANCE.md).</summary>
    public static void WriteJson(Utf8JsonWriter w, TrustAssessment t, IReadOnlyList<MethodRun> runs,
                                 IReadOnlyList<string> labels)
    {
        static void Number(Utf8JsonWriter w, string key, double v)
        {
            if (double.IsFinite(v)) w.WriteNumber(key, v);
            else w.WriteNull(key);
        }
        static void Strings(Utf8JsonWriter w, string key, IEnumerable<string> values)
        {
            w.WriteStartArray(key);
            foreach (var v in values) w.WriteStringValue(v);
            w.WriteEndArray();
        }
        w.WriteStartObject("trust");
        w.WriteString("sentence", Sentence(t, labels));
        w.WriteStartArray("consensus");
        foreach (var j in t.Order)
        {
            w.WriteStartObject();
            w.WriteString("name", labels[j]);
            w.WriteNumber("meanRank", t.MeanRanks[j]);
            if (t.Relevant is { } relevant) w.WriteBoolean("matters", relevant[j]);
            else w.WriteNull("matters");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        Strings(w, "passed", t.Passed);
        Strings(w, "judges", t.Judges);
        Number(w, "kendallW", t.KendallW);
        Number(w, "kendallWAll", t.KendallWAll);
        Strings(w, "methods", t.Contenders);
        ImportanceJson.Matrix(w, "spearman", t.Spearman);
        w.WriteStartArray("setAside");
        foreach (var flag in t.Flags)
        {
            w.WriteStartObject();
            w.WriteString("name", flag.Method);
            Number(w, "spearman", flag.Spearman);
            if (flag.Inversion is { } pair)
            {
                w.WriteString("ranksAbove", labels[pair.Irrelevant]);
                w.WriteString("aboveRelevant", labels[pair.Relevant]);
            }
            if (StudyVerdicts.Reasons.TryGetValue(flag.Method, out var reason)) w.WriteString("reason", reason);
            if (StudyVerdicts.Similarity.TryGetValue(flag.Method, out var s))
            {
                if (s.Lagged is not null) w.WriteString("studySimilarityLagged", s.Lagged);
                if (s.Control is not null) w.WriteString("studySimilarityControl", s.Control);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (t.Sanity is { } sanity)
        {
            w.WriteStartObject("sanityCheck");
            w.WriteString("method", sanity.Method);
            w.WriteString("input", labels[sanity.Unit]);
            Number(w, "trainedShare", sanity.Trained);
            Number(w, "randomisedShare", sanity.Randomised.Mean);
            w.WriteStartArray("randomisedCi95");
            foreach (var v in new[] { sanity.Randomised.Ci95Low, sanity.Randomised.Ci95High })
                if (double.IsFinite(v)) w.WriteNumberValue(v);
                else w.WriteNullValue();
            w.WriteEndArray();
            if (sanity.Passed is { } passed) w.WriteBoolean("passed", passed);
            else w.WriteNull("passed");
            w.WriteEndObject();
        }
        else w.WriteNull("sanityCheck");
        if (runs.FirstOrDefault(r => r.Result.Completeness is not null) is { Result.Completeness: { } gap })
            Number(w, "completenessGap", gap.Gap);
        w.WriteEndObject();
    }
}
