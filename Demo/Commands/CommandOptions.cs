using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Demo.Data;
using Engine.Import;
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

    /// <summary>
    /// Loads a model file, told by its content: this program's safetensors, or a Keras file imported on the fly
    /// (<see cref="ImportCommand.Load"/>, inputs named by <paramref name="features"/> or by the data). Format errors
    /// become bad-input errors.
    /// </summary>
    public static (Sequential Model, ModelMetadata Metadata) LoadModel(string path, string[]? features = null)
    {
        if (Directory.Exists(path)) throw new InputException($"{path}: is a directory, not a model file");
        try
        {
            if (ModelImport.Detect(path) != ModelFileKind.SafeTensors) return ImportCommand.Load(path, features ?? []);
            var (model, metadata) = ModelFile.Load(path);
            var record = ModelMetadata.Read(metadata, model, path);
            if (features is { Length: > 0 })
            {
                if (record.Imported is null)
                    throw new InputException($"--features applies to imported models; {path} was trained on {string.Join(", ", record.Features)}");
                if (features.Length != model.InputFeatures)
                    throw new InputException($"--features names {features.Length} columns, but the model {path} takes {model.InputFeatures} inputs");
                record = record with { Features = features };
            }
            return (model, record);
        }
        catch (ModelFormatException e) { throw new InputException(e.Message); }
    }

    /// <summary>The <c>--features</c> option of the commands that take an imported model.</summary>
    public static Option<string?> ImportedFeatures() => new("--features")
    {
        Description = "For an imported model: its input columns, comma-separated, in the model's order (default: the "
            + "data's columns other than series, time and target, in file order).",
    };

    /// <summary>The <c>--target</c> option of the commands that take an imported model.</summary>
    public static Option<string?> ImportedTarget() => new("--target")
    {
        Description = "For an imported model: the target column, if the data has one (it is not an input).",
    };

    /// <summary>
    /// Reads data for a trained model: the model's feature columns (every one must be in the file), its series and time
    /// columns and window, then standardises with the model's statistics.
    /// </summary>
    public static SeriesSet LoadDataFor(string modelPath, ModelMetadata arch, string dataPath, bool targetOptional, string? target = null)
    {
        var table = CsvTable.Read(dataPath);
        if (arch.Imported is not null) return LoadImportedData(modelPath, arch, table, target, targetOptional);
        if (target is not null && target != arch.Training.Target)
            throw new InputException($"--target applies to imported models; {modelPath} was trained on target '{arch.Training.Target}'");
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

    /// <summary>
    /// Data for an imported model: its named features, else every column other than series (series/id), time (time/t)
    /// and <paramref name="target"/>, in file order; windows of the model's steps when its input shape fixes them;
    /// no standardisation. The number of inputs must be the model's.
    /// </summary>
    private static SeriesSet LoadImportedData(string modelPath, ModelMetadata arch, CsvTable table, string? target, bool targetOptional)
    {
        int inputs = arch.Imported!["features"]!.GetValue<int>();
        string[]? features = arch.Features.Length > 0 ? arch.Features : null;
        var data = SeriesSet.Load(table, new DataOptions(target, features, null, null, arch.Training.Window, targetOptional && target is null));
        if (data.FeatureNames.Length != inputs)
            throw new InputException($"{table.Path}:{table.HeaderLine}: the model {modelPath} takes {inputs} inputs, but the data has "
                + $"{data.FeatureNames.Length} feature columns ({string.Join(", ", data.FeatureNames)}); name the inputs with --features "
                + "and the target with --target");
        return data;
    }
}
