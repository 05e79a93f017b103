namespace Demo.Importance;

/// <summary>
/// What the study (docs/STUDY.md, compiled into the program) found for each method: its similarity to the true
/// ranking with a lagged input (the "## Results" table) and without one (the "### Control:" table), as the committed
/// tables print it ("0.33 [0.30, 0.35]"), and, in ONE table here, why a method can disagree with the others.
/// </summary>
public static class StudyVerdicts
{
    /// <summary>Why each method can rank unlike the others: the mechanism the study (docs/STUDY.md, "What it
    /// answers") gives, one line per method.</summary>
    public static readonly IReadOnlyDictionary<string, string> Reasons = new Dictionary<string, string>
    {
        ["connection-weights"] = "it reads only the weights from an input to the same step's output, not when an " +
                                 "input acts: an input that acts with a lag looks unimportant",
        ["connection-weights-test"] = "it tests the connection weights, which see only the same-step path: an " +
                                      "input that acts with a lag looks unimportant",
        ["garson"] = "it reads only absolute first-layer weights, not when an input acts or how the recurrent path " +
                     "carries it",
        ["partial-derivatives"] = "it sums squared per-step derivatives: an effect spread over several lags of an " +
                                  "autocorrelated input scores lower than the same effect at one lag",
        ["input-perturbation"] = "it measures the response to independent per-step noise: an effect spread over " +
                                 "several lags of an autocorrelated input scores lower than the same effect at one lag",
        ["sensitivity-analysis"] = "it sweeps constant sequences, far from real series: the response to them says " +
                                   "little about the response to the data",
        ["occlusion"] = "it sums per-cell effects: an effect spread over several lags of an autocorrelated input " +
                        "scores lower than the same effect at one lag",
        ["forward-stepwise"] = "it retrains a network per subset: a short or unlucky retraining can swap inputs of " +
                               "similar effect",
        ["backward-stepwise"] = "it retrains a network per subset: a short or unlucky retraining can swap inputs of " +
                                "similar effect",
        ["improved-stepwise-1"] = "it removes inputs one at a time from the trained network without retraining: " +
                                  "inputs that stand in for each other share their effect",
        ["improved-stepwise-2"] = "it removes inputs one at a time from the trained network without retraining: " +
                                  "inputs that stand in for each other share their effect",
        ["permutation"] = "permuting an input also breaks its correlation with the others: correlated inputs share " +
                          "their importance",
        ["integrated-gradients"] = "its attributions depend on the baseline and on the step count: check the " +
                                   "completeness gap",
    };

    /// <summary>Per method: its similarity with a lagged input and without (either null when the study's table has
    /// no row for it).</summary>
    public static IReadOnlyDictionary<string, (string? Lagged, string? Control)> Similarity { get; } = Read();

    private static Dictionary<string, (string?, string?)> Read()
    {
        using var stream = typeof(StudyVerdicts).Assembly.GetManifestResourceStream("STUDY.md");
        if (stream is null) return [];
        using var reader = new StreamReader(stream);
        var lines = reader.ReadToEnd().Split('\n');
        var lagged = Table(lines, "## Results");
        var control = Table(lines, "### Control:");
        return lagged.Keys.Union(control.Keys).ToDictionary(k => k,
            k => (lagged.GetValueOrDefault(k), control.GetValueOrDefault(k)));
    }

    /// <summary>The first "| method | similarity ..." table after the first line that starts with
    /// <paramref name="heading"/>: method name (without a trailing " *") to its similarity cell.</summary>
    public static Dictionary<string, string> Table(IReadOnlyList<string> lines, string heading)
    {
        var rows = new Dictionary<string, string>();
        int i = 0;
        while (i < lines.Count && !lines[i].StartsWith(heading, StringComparison.Ordinal)) i++;
        while (i < lines.Count && !lines[i].StartsWith("| method | similarity", StringComparison.Ordinal)) i++;
        for (i += 2; i < lines.Count && lines[i].StartsWith('|'); i++)
        {
            var cells = lines[i].Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length > 2) rows[cells[1].TrimEnd('*', ' ')] = cells[2];
        }
        return rows;
    }
}
