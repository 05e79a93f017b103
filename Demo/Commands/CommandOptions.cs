using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Demo.Data;
using Engine.Models;

namespace Demo.Commands;

/// <summary>Option factories and small helpers shared by the data commands (train, predict, importance, summary).</summary>
public static class CommandOptions
{
    public static Option<string> RequiredPath(string name, string description) =>
        new(name) { Description = description, Required = true };

    public static Option<string?> OptionalPath(string name, string description) => new(name) { Description = description };

    public static Option<int> PositiveInt(string name, int defaultValue, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        Validators = { r => { if (r.GetValueOrDefault<int>() <= 0) r.AddError($"{name} must be a positive whole number, got {r.GetValueOrDefault<int>()}"); } },
    };

    /// <summary>A finite number &gt; 0 (a learning rate, a scale), with a default.</summary>
    public static Option<float> PositiveFloat(string name, float defaultValue, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        Validators = { r => { float v = r.GetValueOrDefault<float>(); if (!(v > 0) || !float.IsFinite(v)) r.AddError($"{name} must be a positive number, got {v}"); } },
    };

    /// <summary>A finite number &gt;= 0 (a noise scale), with a default.</summary>
    public static Option<float> NonNegativeFloat(string name, float defaultValue, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        Validators = { r => { float v = r.GetValueOrDefault<float>(); if (!(v >= 0) || !float.IsFinite(v)) r.AddError($"{name} must be a finite number >= 0, got {v}"); } },
    };

    /// <summary>An optional whole number &gt; 0: absent means "use the default the command derives".</summary>
    public static Option<int?> OptionalPositiveInt(string name, string description) => new(name)
    {
        Description = description,
        Validators = { r => { if (r.GetValueOrDefault<int?>() is <= 0 and var v) r.AddError($"{name} must be a positive whole number, got {v}"); } },
    };

    public static Option<ulong> Seed() => new("--seed") { Description = "Seed for weights, data split and random draws; the same seed gives the same result.", DefaultValueFactory = _ => 42UL };

    public static Option<string?> Json() => new("--json") { Description = "Also write the results as JSON to this file." };

    /// <summary>One of a fixed set of words, with a default.</summary>
    public static Option<string> Choice(string name, string defaultValue, string description, params string[] values)
    {
        var o = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        o.AcceptOnlyFromAmong(values);
        return o;
    }

    /// <summary>A comma-separated list ("a,b,c"), trimmed, empty entries dropped.</summary>
    public static string[] SplitList(string? list) =>
        list is null ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Writes a results object as indented JSON (its <see cref="DemoJson"/> contract), atomically.</summary>
    public static void WriteJson<T>(string path, T value, JsonTypeInfo<T> contract)
    {
        CheckWritable(path, "--json");
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, contract);
        ModelFile.WriteAtomically(path, s => s.Write(bytes));
    }

    /// <summary>Fails early (before long work) when an output file's directory does not exist or the path is a directory.</summary>
    public static void CheckWritable(string path, string option)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new InputException($"{path}: {option} names a directory; give a file name");
        string dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) throw new InputException($"{path}: {option}: the directory '{dir}' does not exist");
    }

    /// <summary>Creates a report directory and checks that a file can be written in it, before any long work.</summary>
    public static void CheckReportDirectory(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            string probe = Path.Combine(dir, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new InputException($"{dir}: --report directory cannot be written: {e.Message}");
        }
    }

    /// <summary>Loads a model file, turning format errors into bad-input errors.</summary>
    public static (Sequential Model, ModelMetadata Metadata) LoadModel(string path)
    {
        if (Directory.Exists(path)) throw new InputException($"{path}: is a directory, not a model file");
        try
        {
            var (model, metadata) = ModelFile.Load(path);
            return (model, ModelMetadata.Read(metadata, model, path));
        }
        catch (ModelFormatException e) { throw new InputException(e.Message); }
    }

    /// <summary>
    /// Reads data for a trained model: the model's feature columns (every one must be in the file), its series and time
    /// columns and window, then standardises with the model's statistics.
    /// </summary>
    public static SeriesSet LoadDataFor(string modelPath, ModelMetadata arch, string dataPath, bool targetOptional)
    {
        var table = CsvTable.Read(dataPath);
        var missing = arch.Features.Where(f => table.FindColumn(f) < 0).ToList();
        if (missing.Count > 0)
            throw new InputException($"{dataPath}:{table.HeaderLine}: the model {modelPath} was trained on features {string.Join(", ", arch.Features)}, but the data has no column '{missing[0]}' (its columns: {string.Join(", ", table.Header)})");
        var t = arch.Training;
        string? seriesCol = t.SeriesColumn is { } s && table.FindColumn(s) >= 0 ? s : null;
        string? timeCol = t.TimeColumn is { } tc && table.FindColumn(tc) >= 0 ? tc : null;
        if (t.SeriesColumn is { } needed && seriesCol is null && t.Window is null)
            throw new InputException($"{dataPath}:{table.HeaderLine}: the model was trained on series in column '{needed}', which the data does not have");
        var data = SeriesSet.Load(table, new DataOptions(t.Target, arch.Features, seriesCol, timeCol, t.Window, targetOptional));
        if (arch.Normalisation is { } n) Standardiser.Apply(data.Inputs, n.Mean, n.Sd);
        return data;
    }
}
