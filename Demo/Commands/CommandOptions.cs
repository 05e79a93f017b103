using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Demo.Data;
using Demo.Reports;
using Engine.Import;
using Engine.Importance;
using Engine.IO;
using Engine.Models;

namespace Demo.Commands;

/// <summary>Option factories and small helpers shared by the data commands (train, predict, importance,
/// summary).</summary>
public static class CommandOptions
{
    // The characters a number option may hold (invariant culture, no group separators).
    private static readonly System.Buffers.SearchValues<char> Digits = System.Buffers.SearchValues.Create("0123456789");
    private static readonly System.Buffers.SearchValues<char> SignedDigits =
        System.Buffers.SearchValues.Create("+-0123456789");
    private static readonly System.Buffers.SearchValues<char> NumberChars =
        System.Buffers.SearchValues.Create("+-.eE0123456789");

    public static Option<string> RequiredPath(string name, string description) =>
        Path(new Option<string>(name) { Description = description, Required = true });

    public static Option<string?> OptionalPath(string name, string description) =>
        Path(new Option<string?>(name) { Description = description });

    /// <summary>
    /// <paramref name="option"/>, checked as a path when parsed: a value no file or folder can have (empty, only
    /// spaces, a NUL character) is a one-line parse error (see <see cref="OutputPaths.TextProblem"/>).
    /// </summary>
    public static Option<T> Path<T>(Option<T> option) where T : class?
    {
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is not { } value) return;
            if (OutputPaths.TextProblem(new(option.Name, value)) is { } problem) r.AddError(problem);
        });
        return option;
    }

    /// <summary>The largest whole number a count option takes unless it names its own limit: larger values would
    /// not fit memory or time, and are refused before any work.</summary>
    public const int MaxCount = 1_000_000;

    /// <summary>A whole number in [1, <paramref name="max"/>], with a default.</summary>
    public static Option<int> PositiveInt(string name, int defaultValue, string description, int max = MaxCount) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => r.Tokens.Count == 0 ? defaultValue : WholeInRange(r, name, 1, max),
        };

    /// <summary>A finite number &gt; 0 (a learning rate, a scale), with a default.</summary>
    public static Option<float> PositiveFloat(string name, float defaultValue, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => r.Tokens.Count == 0 ? defaultValue : Number(r, name, v => v > 0, "a positive number"),
    };

    /// <summary>A finite number &gt;= 0 (a noise scale), with a default.</summary>
    public static Option<float> NonNegativeFloat(string name, float defaultValue, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => r.Tokens.Count == 0 ? defaultValue : Number(r, name, v => v >= 0, "a finite number >= 0"),
    };

    /// <summary>An optional whole number in [1, <paramref name="max"/>]: absent means "use the default the command
    /// derives".</summary>
    public static Option<int?> OptionalPositiveInt(string name, string description, int max = MaxCount) => new(name)
    {
        Description = description,
        CustomParser = r => r.Tokens.Count == 0 ? null : WholeInRange(r, name, 1, max),
    };

    /// <summary>
    /// Gives every number-valued option of <paramref name="command"/> and its subcommands that has no parser of its
    /// own the strict one: invariant culture, no group separators, no spaces or NUL inside, one line naming the option
    /// and the value on failure (<c>--epochs: 'abc' is not a whole number</c>).
    /// </summary>
    public static void UseStrictNumbers(Command command)
    {
        foreach (var option in command.Options)
        {
            switch (option)
            {
                case Option<int> o when o.CustomParser is null:
                    o.CustomParser = r =>
                        r.Tokens.Count == 0 ? Default(o, r) : WholeInRange(r, o.Name, int.MinValue, int.MaxValue);
                    break;
                case Option<int?> o when o.CustomParser is null:
                    o.CustomParser = r =>
                        r.Tokens.Count == 0 ? Default(o, r) : WholeInRange(r, o.Name, int.MinValue, int.MaxValue);
                    break;
                case Option<ulong> o when o.CustomParser is null:
                    o.CustomParser = r => r.Tokens.Count == 0 ? Default(o, r) : Unsigned(r, o.Name);
                    break;
                case Option<float> o when o.CustomParser is null:
                    o.CustomParser = r =>
                        r.Tokens.Count == 0 ? Default(o, r) : Number(r, o.Name, _ => true, "a finite number");
                    break;
                case Option<double> o when o.CustomParser is null:
                    o.CustomParser = r =>
                        r.Tokens.Count == 0 ? Default(o, r) : (double)Number(r, o.Name, _ => true, "a finite number");
                    break;
            }
        }
        foreach (var sub in command.Subcommands) UseStrictNumbers(sub);
    }

    private static T? Default<T>(Option<T> o, ArgumentResult r) => o.DefaultValueFactory is { } f ? f(r) : default;

    /// <summary>A whole number as the user wrote it: optional sign and ASCII digits only.</summary>
    public static bool TryParseWhole(string text, out long value)
    {
        value = 0;
        return !text.AsSpan().ContainsAnyExcept(SignedDigits) &&
               long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A decimal number: optional sign, digits, one point, exponent; no group separators, no spaces.</summary>
    public static bool TryParseNumber(string text, out double value)
    {
        value = 0;
        // .NET's parser skips trailing NULs and reads "Infinity" and "NaN": only these characters are numbers here.
        return !text.AsSpan().ContainsAnyExcept(NumberChars) &&
               double.TryParse(text,
                               NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint
                               | NumberStyles.AllowExponent,
                               CultureInfo.InvariantCulture, out value);
    }

    private static int WholeInRange(ArgumentResult r, string name, long min, long max)
    {
        string text = r.Tokens[^1].Value;
        if (!TryParseWhole(text, out long v))
        {
            r.AddError($"{name}: {ErrorText.Quote(text)} is not a whole number");
            return 0;
        }
        if (v < min) r.AddError(min == 1 ? $"{name} must be a positive whole number, got " +
            $"{v}" : $"{name}: {v} is below {min}");
        else if (v > max) r.AddError($"{name}: {v} is over the limit of {max}");
        return v < min || v > max ? 0 : (int)v;
    }

    private static ulong Unsigned(ArgumentResult r, string name)
    {
        string text = r.Tokens[^1].Value;
        if (!text.AsSpan().ContainsAnyExcept(Digits) &&
            ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v)) return v;
        r.AddError($"{name}: {ErrorText.Quote(text)} is not a whole number from 0 to {ulong.MaxValue}");
        return 0;
    }

    /// <summary>
    /// The option's value as a finite 32-bit float that <paramref name="accept"/> takes; otherwise an error on
    /// <paramref name="r"/> (<c>--lr: '0,5' is not a number</c>, <c>--lr must be a positive number, got '0'</c>) and 0.
    /// </summary>
    public static float Number(ArgumentResult r, string name, Func<float, bool> accept, string what)
    {
        string text = r.Tokens[^1].Value;
        if (!TryParseNumber(text, out double d))
        {
            string hint = text.Contains(',') ? " (write decimals with a point, e.g. 0.5, and no group separators)" : "";
            r.AddError($"{name}: {ErrorText.Quote(text)} is not a number{hint}");
            return 0;
        }
        float v = (float)d;
        if (!float.IsFinite(v) || !accept(v))
        {
            r.AddError($"{name} must be {what}, got {ErrorText.Quote(text)}");
            return 0;
        }
        return v;
    }

    // The options several commands share, each described once here (one vocabulary: the same name means the same
    // thing everywhere; --model, --features, --target and --methods name what their command reads or runs).

    public static Option<ulong> Seed() =>
        new("--seed")
        {
            Description = "Random seed: the same seed gives the same result.",
            DefaultValueFactory = _ => 42UL
        };

    /// <summary>
    /// The <c>--delimiter</c> of every command that reads a CSV file: one character (not a quote or line break), or
    /// <c>comma</c>, <c>semicolon</c>, <c>tab</c>. Null (the default) detects a comma, semicolon or tab from the
    /// header.
    /// </summary>
    public static Option<char?> Delimiter() => new("--delimiter")
    {
        Description =
            "Field delimiter of the CSV file: one character, or comma, semicolon, tab (default: ',', or ';' or " +
                      "tab when the header has no comma but one of them).",
        CustomParser = r =>
        {
            string text = r.Tokens.Count == 0 ? "" : r.Tokens[0].Value;
            char? d = text switch
            {
                "comma" => ',',
                "semicolon" => ';',
                "tab" or "\\t" => '\t',
                { Length: 1 } when text[0] is not ('"' or '\r' or '\n' or '\0') => text[0],
                _ => null,
            };
            if (d is null)
                r.AddError($"--delimiter: {ErrorText.Quote(text)} is not one character (other than a quote or line " +
                           "break) nor comma, semicolon or tab");
            return d;
        },
    };

    public static Option<string?> Json() => OptionalPath("--json", "Also write the results as JSON to this file.");

    /// <summary>The <c>--png</c> option of the commands that draw one chart (explain; the reference experiment's
    /// --seeds, where its old name <c>--plot</c> still works: <see cref="OldName{T}"/>).</summary>
    public static Option<string?> Png(string name = "--png") => OptionalPath(name,
        "Also draw the results as a PNG to this file (explain: the input series coloured by attribution, and the " +
        "waterfall; --seeds: the final loss against the effects).");

    public static Option<string> Data() =>
        RequiredPath("--data", "CSV file in long format: one row per series and step (see docs/CLI.md).");

    /// <summary>The <c>--model</c> option of the commands that read a model.</summary>
    public static Option<string> ModelIn() =>
        RequiredPath("--model",
                     "The model file: this program's .safetensors, or a Keras (.keras, .h5) or ONNX file, imported " +
                     "as it is read.");

    public static Option<string> Out() => RequiredPath("--out", "Where to write the CSV.");

    public static Option<string?> Report() => Path(new Option<string?>("--report")
    {
        Description =
            "Write report.md and report.html with PNG charts into this folder (created when the work is done; "
            + "the files of an earlier report there are replaced, other files are left alone).",
    });

    public static Option<int> Epochs(int defaultValue) => PositiveInt("--epochs", defaultValue, "Training epochs.");

    public static Option<int> BatchSize(int defaultValue, string name = "--batch-size") =>
        PositiveInt(name, defaultValue, "Series per batch.");

    public static Option<float> LearningRate(float defaultValue) =>
        PositiveFloat("--lr", defaultValue, "Adam learning rate.");

    public static Option<int> Steps(int defaultValue) => PositiveInt("--steps", defaultValue, "Steps per series.");

    /// <summary>The target's kind: binary and regression; <paramref name="classes"/>: also classes (study).</summary>
    public static Option<string> Kind(string defaultValue, bool classes = false) => Choice("--kind", defaultValue,
        "binary: a 0/1 target (binary cross-entropy); regression: a numeric target (mean squared error); classes " +
        "(study): one class per input, the highest of b_j x_j + noise (softmax head, categorical cross-entropy).",
        classes ? ["binary", "regression", "classes"] : ["binary", "regression"]);

    public static Option<string> Cell() => Choice("--cell", "lstm",
        "Recurrent layers: lstm, or gru (Keras' GRU, reset_after).", "lstm", "gru");

    public static Option<string> CellActivation() =>
        Choice("--activation", "tanh", "Cell activation of the recurrent layers.", "tanh", "relu", "sigmoid");

    public static Option<string> RecurrentActivation() => Choice("--recurrent-activation", "sigmoid",
        "Gate activation: sigmoid (Keras 2.3+) or hard_sigmoid (older Keras).", "sigmoid", "hard_sigmoid");

    public static Option<int> Threads() =>
        PositiveInt("--threads", Environment.ProcessorCount, "Worker threads (the results do not depend on it).");

    public static Option<int> Repeats(int defaultValue) => PositiveInt("--repeats", defaultValue,
        "Repeats of the randomised methods (noise draws, permutations, randomised networks), for the SD and 95% " +
        "interval.");

    public static Option<int> Restarts(int defaultValue) =>
        PositiveInt("--restarts", defaultValue, "Trainings per feature subset in forward- and backward-stepwise.");

    public static Option<int> NullNetworks() => PositiveInt("--null-networks", 19,
        "Networks trained on permuted targets by connection-weights-test (p-values in steps of 1/(R+1)), each for " +
        "--retrain-epochs.");

    public static Option<int?> RetrainEpochs() => OptionalPositiveInt("--retrain-epochs",
        "Epochs of each retraining by forward/backward-stepwise and connection-weights-test (default: as many as the " +
        "network's own training).");

    /// <summary>--retrain-patience: early stopping of the stepwise retrainings (0: off).</summary>
    public static Option<int> RetrainPatience() => new("--retrain-patience")
    {
        Description = "Stop each forward/backward-stepwise retraining when the loss of the series held out for it " +
                      $"({(int)Math.Round(RetrainStopping.DefaultValidation * 100)}% of the training series, the " +
                      "same for every subset) " +
                      "has not improved for this many epochs, keeping the best epoch's weights; 0: off (every " +
                      "series trains for every epoch).",
        DefaultValueFactory = _ => RetrainStopping.DefaultPatience,
        CustomParser = r => r.Tokens.Count == 0
            ? RetrainStopping.DefaultPatience : WholeInRange(r, "--retrain-patience", 0, MaxCount),
    };

    /// <summary>
    /// The patience of --retrain-patience for retrainings on <paramref name="series"/> training series (0: off): a
    /// held-out series needs another to train on, so with fewer than 2 the default is off and a given value is an
    /// input error naming <paramref name="data"/>.
    /// </summary>
    public static int RetrainPatienceFor(ParseResult parse, Option<int> option, int series, string data)
    {
        int patience = parse.GetValue(option);
        if (patience == 0 || series >= 2) return patience;
        if (parse.GetResult(option) is { Implicit: false })
            throw new InputException($"{data}: --retrain-patience holds out training series for validation, and " +
                                     $"there is {series}: give --retrain-patience 0");
        return 0;
    }

    public static Option<int> Networks() => PositiveInt("--networks", 1,
        "Networks: the model plus K-1 trained from other seeds with its settings; each method's scores become the " +
        "mean and 95% interval across them.");

    public static Option<float> Noise() =>
        NonNegativeFloat("--noise", 0.2f,
                         "SD of input-perturbation's Gaussian noise, in the model's input units (standardised for " +
                         "your data).");

    /// <summary>
    /// An option under its old name (e.g. <c>BatchSize(32, "--batch")</c>): it still works, but help does not list it.
    /// Read it with the current one through <see cref="ValueOf{T}"/>.
    /// </summary>
    public static Option<T> OldName<T>(Option<T> option)
    {
        option.Hidden = true;
        return option;
    }

    /// <summary>The value of <paramref name="current"/>, or of its <paramref name="old"/> name where that was
    /// given.</summary>
    public static T ValueOf<T>(ParseResult parse, Option<T> current, Option<T> old) =>
        (parse.GetResult(old) is { Implicit: false } ? parse.GetValue(old) : parse.GetValue(current))!;

    /// <summary>--baseline: where integrated gradients' path starts.</summary>
    public static Option<string> Baseline() => Choice("--baseline", "mean",
        "Integrated gradients' baseline: mean (every feature at its training mean), zero (every feature at 0 in the " +
        "data's units) or noise (the mean plus Gaussian noise with each feature's SD).", "mean", "zero", "noise");

    /// <summary>
    /// The importance options' baseline for a --baseline word: zero is each feature's 0 in the data's units, as the
    /// model sees it ((0 - mean) / sd when the model standardises its inputs; an imported model's inputs are raw).
    /// </summary>
    public static ImportanceOptions WithBaseline(this ImportanceOptions options, string word, ModelMetadata arch) =>
        word switch
        {
            "mean" => options with { Baseline = IntegratedGradientsBaseline.Mean },
            "noise" => options with { Baseline = IntegratedGradientsBaseline.Noise },
            "zero" => options with
            {
                Baseline = IntegratedGradientsBaseline.Zero,
                ZeroPoint = arch.Normalisation is { } n ? n.Mean.Select((m, i) => -m / n.Sd[i]).ToArray() : null,
            },
            _ => throw new InputException($"--baseline must be mean, zero or noise, not '{word}'"),
        };

    /// <summary>One of a fixed set of words, with a default.</summary>
    public static Option<string> Choice(string name, string defaultValue, string description, params string[] values)
    {
        var o = new Option<string>(name)
        {
            Description = description, DefaultValueFactory = _ => defaultValue, HelpName = string.Join("|", values),
        };
        o.CompletionSources.Add(values);
        o.Validators.Add(r =>
        {
            string? value = r.GetValueOrDefault<string?>();
            if (value is not null && !values.Contains(value, StringComparer.Ordinal))
                r.AddError($"{name}: {ErrorText.Quote(value)} is not one of {string.Join(", ", values)}");
        });
        return o;
    }

    /// <summary>The <c>--format</c> option of the commands that print a results table (importance, study).</summary>
    public static Option<string> Format() => Choice("--format", "table",
        "How to print the results: table (fitted to the console, 100 columns when piped), csv or markdown (for other "
        + "programs and documents: only the results go to stdout, progress lines to stderr).", "table", "csv",
        "markdown");

    /// <summary>The value of a <see cref="Format"/> option.</summary>
    public static TableFormat FormatOf(string value) => value switch
    {
        "csv" => TableFormat.Csv,
        "markdown" => TableFormat.Markdown,
        _ => TableFormat.Table,
    };

    /// <summary>Where a command writes its progress and remarks: stdout under a table, stderr when stdout carries CSV
    /// or markdown.</summary>
    public static TextWriter InfoWriter(TableFormat format) =>
        format == TableFormat.Table ? Console.Out : Console.Error;

    /// <summary>A comma-separated list ("a,b,c"), trimmed, empty entries dropped.</summary>
    public static string[] SplitList(string? list) =>
        list is null ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Writes a results object as indented JSON (its <see cref="DemoJson"/> contract), atomically.</summary>
    public static void WriteJson<T>(string path, T value, JsonTypeInfo<T> contract)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, contract);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Checks one output file before long work (see <see cref="OutputPaths.Check"/>).</summary>
    public static void CheckWritable(string path, string option) => OutputPaths.Check([], [new(option, path)]);

    /// <summary>Creates a report directory and checks that its files can be written, before any long work.</summary>
    public static void CheckReportDirectory(string dir) => OutputPaths.Check([], [], dir);

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
                    throw new InputException($"--features applies to imported models; {path} was trained on " +
                                             $"{string.Join(", ", record.Features)}");
                if (features.Length != model.InputFeatures)
                    throw new InputException($"--features names {features.Length} columns, but the model {path} " +
                                             $"takes {model.InputFeatures} inputs");
                record = record with { Features = features };
            }
            return (model, record);
        }
        catch (ModelFormatException e) { throw new InputException(e.Message); }
    }

    /// <summary>The <c>--output-index</c> option (importance, explain; <see cref="ImportanceCommand.ChooseOutputs"/>).
    /// </summary>
    public static Option<string?> OutputIndex() => new("--output-index")
    {
        Description = "For a model with several outputs: the one to explain, by class name (cce: e.g. rain), target " +
            "name (--target a,b) or index 0..k-1. Default: importance scores each in turn (--json and --report need " +
            "one), explain the first.",
    };

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
    public static SeriesSet LoadDataFor(string modelPath, ModelMetadata arch, string dataPath, bool targetOptional,
                                        string? target = null, char? delimiter = null)
    {
        var layout = LayoutFor(modelPath, arch, dataPath, targetOptional, target, delimiter);
        var data = layout.Build();
        layout.Release();
        if (arch.Normalisation is { } n) Standardiser.Apply(data.Inputs, n.Mean, n.Sd);
        return data;
    }

    /// <summary>
    /// Finds the series of the data for a trained model (<see cref="LoadDataFor"/> without the copy:
    /// <see cref="SeriesLayout.Build"/> copies them out, not yet standardised).
    /// </summary>
    public static SeriesLayout LayoutFor(string modelPath, ModelMetadata arch, string dataPath, bool targetOptional,
                                         string? target = null, char? delimiter = null)
    {
        if (arch.Imported is not null)
            return ImportedLayout(modelPath, arch, dataPath, target, targetOptional, delimiter);
        if (target is not null && target != arch.Training.Target)
            throw new InputException($"--target applies to imported models; {modelPath} was trained on target " +
                                     $"'{arch.Training.Target}'");
        var t = arch.Training;
        return SeriesLayout.Open(dataPath, table =>
        {
            var missing = arch.Features.FirstOrDefault(f => table.FindColumn(f) < 0);
            if (missing is not null)
                throw new InputException(
                    $"{dataPath}:{table.HeaderLine}: the model {modelPath} was trained on features " +
                                         $"{string.Join(", ", arch.Features.Take(20))}, but the data has no column " +
                                         $"{ErrorText.Quote(missing)} (its columns: {table.Columns()})");
            string? seriesCol = t.SeriesColumn is { } s && table.FindColumn(s) >= 0 ? s : null;
            string? timeCol = t.TimeColumn is { } tc && table.FindColumn(tc) >= 0 ? tc : null;
            if (t.SeriesColumn is { } needed && seriesCol is null && t.Window is null)
                throw new InputException($"{dataPath}:{table.HeaderLine}: the model was trained on series in column " +
                                         $"{ErrorText.Quote(needed)}, which the data does not have");
            return new DataOptions(t.Target, arch.Features, seriesCol, timeCol, t.Window, targetOptional, modelPath,
                                   t.Classes);
        }, delimiter);
    }

    /// <summary>
    /// Data for an imported model: its named features, else every column other than series (series/id), time (time/t)
    /// and <paramref name="target"/>, in file order; windows of the model's steps when its input shape fixes them;
    /// no standardisation. The number of inputs must be the model's.
    /// </summary>
    private static SeriesLayout ImportedLayout(string modelPath, ModelMetadata arch, string dataPath, string? target,
                                               bool targetOptional, char? delimiter)
    {
        int inputs = arch.Imported!["features"]!.GetValue<int>();
        string[]? features = arch.Features.Length > 0 ? arch.Features : null;
        var options = new DataOptions(target, features, null, null, arch.Training.Window,
            targetOptional && target is null, modelPath, arch.Training.Classes);
        var data = SeriesLayout.Open(dataPath, _ => options, delimiter);
        if (data.FeatureNames.Length != inputs)
            throw new InputException($"{dataPath}: the model {modelPath} takes {inputs} inputs, but the data has "
                + $"{data.FeatureNames.Length} feature columns: name the inputs with --features and the target with " +
                  $"--target "
                + $"(columns: {string.Join(", ", data.FeatureNames.Take(20))})");
        return data;
    }
}
