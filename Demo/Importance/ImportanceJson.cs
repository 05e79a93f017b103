using System.Text.Json;
using Engine.Importance;
using Engine.IO;

namespace Demo.Importance;

/// <summary>
/// Importance results as JSON: <c>{ "complete": true (false: the run was stopped and holds the methods finished
/// before), "features": [...], "methods": [ { "name", "seconds", "scoreMeaning",
/// "features": [ { "name", "score", "rank", "sd", "se", "count", "ci95": [low, high], "p"? } ], "order"?, "note"?,
/// "completeness"? (integrated gradients: { "gap", "difference", "intervals", "tolerance", "converged" }),
/// "timeMap"?, "lagMap"?, "gateScores"?, "curves"? } ], "groups"? }</c>. With feature groups the "features"
/// and every feature "name" are the scored units (groups, then ungrouped features) and "groups" is
/// <c>[ { "name", "features": [...] } ]</c>, one per unit. sd, se and ci95 are null where the method does not
/// repeat (count 1); p appears only where a method tests its scores (connection-weights-test). "constant"? names the
/// features left out of training as constant: they are the last features, score 0 and ranked last by every method
/// (<see cref="ConstantFeatures"/>). Written to a temporary
/// file and renamed, so a reader never sees half a file.
/// </summary>
public static class ImportanceJson
{
    /// <summary>Writes <paramref name="runs"/> to <paramref name="path"/> atomically (temporary file, then
    /// rename).</summary>
    public static void Write(string path, IReadOnlyList<MethodRun> runs, IReadOnlyList<string> featureNames,
                             FeatureGroups? groups = null) => Write(path, runs, featureNames, groups, null);

    /// <summary>The same, with the "trust" object (<see cref="TrustView.WriteJson"/>) after the features;
    /// <paramref name="complete"/> false: the run was stopped (Ctrl-C) and <paramref name="runs"/> are the methods
    /// finished before, written as <c>"complete": false</c>. For a model of several outputs, <paramref name="output"/>
    /// names the one scored (key <c>output</c>); <paramref name="constant"/>: the constant features' names
    /// (<see cref="ConstantFeatures"/>, the last of <paramref name="featureNames"/>).</summary>
    internal static void Write(string path, IReadOnlyList<MethodRun> runs, IReadOnlyList<string> featureNames,
                               FeatureGroups? groups, TrustAssessment? trust, bool complete = true,
                               string? output = null, IReadOnlyList<string>? constant = null)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            Write(writer, runs, featureNames, groups, trust, complete, output, constant);
        });
    }

    /// <summary>The JSON text (for tests and other writers).</summary>
    public static string ToJson(IReadOnlyList<MethodRun> runs, IReadOnlyList<string> featureNames)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            Write(writer, runs, featureNames);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter w, IReadOnlyList<MethodRun> runs, IReadOnlyList<string> featureNames,
                              FeatureGroups? groups = null, TrustAssessment? trust = null, bool complete = true,
                              string? output = null, IReadOnlyList<string>? constant = null)
    {
        w.WriteStartObject();
        w.WriteBoolean("complete", complete);
        if (output is not null) w.WriteString("output", output);
        w.WriteStartArray("features");
        foreach (var name in featureNames) w.WriteStringValue(name);
        w.WriteEndArray();
        if (constant is { Count: > 0 })
        {
            w.WriteStartArray("constant");
            foreach (var name in constant) w.WriteStringValue(name);
            w.WriteEndArray();
        }
        if (trust is not null) TrustView.WriteJson(w, trust, runs, featureNames);
        w.WriteStartArray("methods");
        foreach (var run in runs)
        {
            var r = run.Result;
            w.WriteStartObject();
            w.WriteString("name", run.Name);
            w.WriteNumber("seconds", run.Seconds);
            w.WriteString("scoreMeaning", r.ScoreMeaning);
            w.WriteStartArray("features");
            foreach (var f in r.Features)
            {
                w.WriteStartObject();
                w.WriteString("name", featureNames[f.Feature]);
                Number(w, "score", f.Score);
                w.WriteNumber("rank", f.Rank);
                var s = f.Statistics is { Count: > 1 } st ? st : (SampleStatistics?)null;
                Number(w, "sd", s?.Sd ?? double.NaN);
                Number(w, "se", s?.Se ?? double.NaN);
                w.WriteNumber("count", f.Statistics?.Count ?? 1);
                if (s is { } c)
                {
                    w.WriteStartArray("ci95");
                    Value(w, c.Ci95Low);
                    Value(w, c.Ci95High);
                    w.WriteEndArray();
                }
                else w.WriteNull("ci95");
                if (f.P is { } p) Number(w, "p", p);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (r.Order is { } order)
            {
                w.WriteStartArray("order");
                foreach (var i in order) w.WriteStringValue(featureNames[i]);
                w.WriteEndArray();
            }
            if (r.Note is { } note) w.WriteString("note", note);
            if (r.Completeness is { } gap)
            {
                w.WriteStartObject("completeness");
                Number(w, "gap", gap.Gap);
                Number(w, "difference", gap.Difference);
                w.WriteNumber("intervals", gap.Intervals);
                w.WriteNumber("tolerance", gap.Tolerance);
                w.WriteBoolean("converged", gap.Converged);
                w.WriteEndObject();
            }
            Matrix(w, "timeMap", r.TimeMap);
            Matrix(w, "lagMap", r.LagMap);
            Matrix(w, "gateScores", r.GateScores);
            if (r.Curves is { } curves)
            {
                w.WriteStartArray("curves");
                foreach (var c in curves)
                {
                    w.WriteStartObject();
                    w.WriteString("feature", featureNames[c.Feature]);
                    Array(w, "values", c.Values);
                    w.WriteStartArray("levels");
                    foreach (var level in c.Levels)
                    {
                        w.WriteStartArray();
                        foreach (var v in level) Value(w, v);
                        w.WriteEndArray();
                    }
                    w.WriteEndArray();
                    Array(w, "median", c.Median);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (groups is not null) Groups(w, groups);
        w.WriteEndObject();
    }

    // "groups": [ { "name", "features": [...], "lags"?: [first, last] } ], the features by their names in the model.
    private static void Groups(Utf8JsonWriter w, FeatureGroups groups)
    {
        w.WriteStartArray("groups");
        for (int u = 0; u < groups.Count; u++)
        {
            w.WriteStartObject();
            w.WriteString("name", groups.Names[u]);
            w.WriteStartArray("features");
            foreach (var i in groups.Members[u]) w.WriteStringValue(groups.FeatureNames[i]);
            w.WriteEndArray();
            if (groups.Windows[u] is { } window)
            {
                w.WriteStartArray("lags");
                w.WriteNumberValue(window.First);
                w.WriteNumberValue(window.Last);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>A matrix as an array of rows under <paramref name="name"/> (nothing when null); non-finite values as
    /// null.</summary>
    internal static void Matrix(Utf8JsonWriter w, string name, double[,]? m)
    {
        if (m is null) return;
        w.WriteStartArray(name);
        for (int i = 0; i < m.GetLength(0); i++)
        {
            w.WriteStartArray();
            for (int j = 0; j < m.GetLength(1); j++) Value(w, m[i, j]);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    private static void Array(Utf8JsonWriter w, string name, double[] values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) Value(w, v);
        w.WriteEndArray();
    }

    // JSON has no NaN or infinity: write null.
    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }

    private static void Value(Utf8JsonWriter w, double value)
    {
        if (double.IsFinite(value)) w.WriteNumberValue(value);
        else w.WriteNullValue();
    }
}
