using System.CommandLine;
using System.Globalization;
using Demo.Data;
using Demo.Reports;
using Engine.IO;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Metrics;
using Engine.Models;
using Engine.Optimizers;
using Engine.Random;
using Engine.Training;
using Spectre.Console;

namespace Demo.Commands;

/// <summary>
/// <c>demo train</c>: reads a long-format CSV, standardises the features with the training series' statistics,
/// trains an LSTM (optionally with a dense head) and saves it as one safetensors model file.
/// </summary>
public static class TrainCommand
{
    private static readonly Option<string> Data = CommandOptions.Data();
    private static readonly Option<char?> Delimiter = CommandOptions.Delimiter();
    private static readonly Option<string> Target = new("--target") { Description = "Target column.", Required = true };
    private static readonly Option<string?> Features =
        new("--features") { Description = "Feature columns, comma-separated (default: every other numeric column)." };
    private static readonly Option<string?> SeriesCol =
        new("--series-col") { Description = "Series-id column (default: the column named series or id)." };
    private static readonly Option<string?> TimeCol =
        new("--time-col") { Description = "Time column (default: the column named time or t; else file order)." };
    private static readonly Option<int?> Window =
        new("--window")
        {
            Description = "Cut each series (or the whole file, without a series column) into windows " +
                                        "of N steps."
        };
    private static readonly Option<bool> NoHead =
        new("--no-head")
        {
            Description = "No dense head: the last LSTM layer's units are the outputs (as in the " +
                                         "reference model)."
        };
    private static readonly Option<string> Layers =
        new("--layers")
        {
            Description = "Units of each LSTM layer, comma-separated.",
            DefaultValueFactory = _ => "10,5"
        };
    private static readonly Option<string> ActivationOpt = CommandOptions.CellActivation();
    private static readonly Option<string> Cell = CommandOptions.Cell();
    private static readonly Option<string> RecurrentActivation = CommandOptions.RecurrentActivation();
    private static readonly Option<bool> BidirectionalOpt =
        new("--bidirectional")
        {
            Description = "Wrap each recurrent layer in Bidirectional (concat: 2 x units " +
                                               "outputs)."
        };
    private static readonly Option<float> DropoutOpt =
        new("--dropout")
        {
            Description = "Dropout rate after each recurrent layer, in [0, 1) (0: none).",
            DefaultValueFactory = _ => 0f
        };
    private static readonly Option<string> Output = CommandOptions.Choice("--output", "sequence",
        "sequence: a prediction for every step; last: one per series, at its last step.", "sequence", "last");
    private static readonly Option<string?> Loss =
        new Option<string?>("--loss")
        {
            Description = "bce (0/1 target, sigmoid output), mse (numeric target, linear output) or cce (class " +
                "labels, text or numbers: softmax output, one per class). Default: bce when every target is 0 or 1, " +
                "else mse."
        }
        .AcceptOnlyFromAmongFluent([.. LossNames.ShortNames]);
    private static readonly Option<int> Epochs = CommandOptions.Epochs(40);
    private static readonly Option<int> Batch = CommandOptions.BatchSize(32);
    private static readonly Option<int> OldBatch = CommandOptions.OldName(CommandOptions.BatchSize(32, "--batch"));
    private static readonly Option<float> LearningRate = CommandOptions.LearningRate(0.005f);
    private static readonly Option<float> Validation = new("--validation")
    {
        Description = "Fraction of the series held out for validation (0 for none).",
        DefaultValueFactory = _ => 0.2f,
        CustomParser = r =>
            r.Tokens.Count == 0 ? 0.2f : CommandOptions.Number(r, "--validation", v => v is >= 0 and < 1, "in [0, 1)"),
    };
    private static readonly Option<int?> EarlyStoppingOpt = CommandOptions.OptionalPositiveInt("--early-stopping",
        "Stop when the validation loss has not improved for PATIENCE epochs (needs --validation > 0).");
    private static readonly Option<bool> NoRestoreBest = new("--no-restore-best")
    {
        Description = "Save the last epoch's model; by default, with a validation split, the saved model is the " +
            "epoch with the lowest validation loss.",
    };
    private static readonly Option<ulong> Seed = CommandOptions.Seed();
    private static readonly Option<string> Model = CommandOptions.RequiredPath("--model",
        "Where to save the trained model (.safetensors).");
    private static readonly Option<string?> Report = CommandOptions.Report();
    private static readonly Option<string?> Json = CommandOptions.Json();

    public static Command Build()
    {
        var command = new Command("train",
                                  "Train an LSTM or GRU on your CSV and save it as a .safetensors model file.");
        foreach (Option o in new Option[]
                 {
                     Data, Target, Features, SeriesCol, TimeCol, Window, NoHead, Layers, Cell, ActivationOpt,
                     RecurrentActivation, BidirectionalOpt, DropoutOpt, Output, Loss, Epochs, Batch, OldBatch,
                     LearningRate,
                     Validation, EarlyStoppingOpt, NoRestoreBest, Seed, Model, Report, Json, Delimiter,
                 })
            command.Options.Add(o);
        command.SetAction(Run);
        return command;
    }

    private static Option<string?> AcceptOnlyFromAmongFluent(this Option<string?> option, params string[] values)
    {
        option.AcceptOnlyFromAmong(values);
        return option;
    }

    private static int Run(ParseResult parse)
    {
        string dataPath = parse.GetValue(Data)!, modelPath = parse.GetValue(Model)!;
        string? reportDir = parse.GetValue(Report), jsonPath = parse.GetValue(Json);
        int[] units = ParseLayers(parse.GetValue(Layers)!);
        bool head = !parse.GetValue(NoHead);
        string output = parse.GetValue(Output)!;
        ulong seed = parse.GetValue(Seed);
        int epochs = parse.GetValue(Epochs), batch = CommandOptions.ValueOf(parse, Batch, OldBatch);
        float lr = parse.GetValue(LearningRate), validation = parse.GetValue(Validation);
        if (parse.GetValue(Window) is int w && w <= 0)
            throw new InputException($"--window must be a positive whole number, got {w}");
        bool classes = parse.GetValue(Loss) == "cce";
        if (classes && !head)
            throw new InputException("--loss cce needs the dense softmax head, one output per class (drop --no-head)");
        if (!head && units[^1] != 1)
            throw new InputException($"--no-head makes the last layer's units the outputs: the last of --layers must " +
                                     $"be 1 for one target, not {units[^1]}");
        bool bidirectional = parse.GetValue(BidirectionalOpt);
        if (!head && bidirectional)
            throw new InputException("--bidirectional doubles the last layer's outputs: it needs the dense head " +
                                     "(drop --no-head)");
        float dropout = parse.GetValue(DropoutOpt);
        if (!(dropout >= 0 && dropout < 1))
            throw new InputException($"--dropout must be a rate in [0, 1), got " +
                                     $"{dropout.ToString(CultureInfo.InvariantCulture)}");
        OutputPaths.Check([new("--data", dataPath)],
            [new("--model", modelPath),
             .. jsonPath is null ? Array.Empty<OutputPaths.Named>() : [new("--json", jsonPath)]], reportDir);

        var data = SeriesLayout.Open(dataPath, _ => new DataOptions(parse.GetValue(Target),
            CommandOptions.SplitList(parse.GetValue(Features)) is { Length: > 0 } f ? f : null,
            parse.GetValue(SeriesCol), parse.GetValue(TimeCol), parse.GetValue(Window),
            Classes: classes ? [] : null), parse.GetValue(Delimiter));
        string loss = DataChecks.ChooseLoss(data, parse.GetValue(Loss));
        data.LeaveOutConstantFeatures();
        int outputs = data.Classes?.Length ?? data.TargetNames.Length;
        if (!head && outputs > 1)
            throw new InputException($"--target names {outputs} columns: several targets need the dense head, one " +
                                     "output each (drop --no-head)");
        CheckSize(data.Features, units, head, outputs);
        ILoss lossFn = LossNames.Parse(loss, outputs);

        // Split whole series (or windows) into training and validation with a seeded shuffle. The validation series
        // are copied out of the table; the training series are read from it batch by batch (no copy: the table's
        // numbers are the only copy of the data, once its text cells and lines are let go).
        var (train, heldOut) = SeriesSplit.Of(data.Count, validation,
                                              new RandomSource(seed).Fork(DemoStreams.Train.ValidationSplit));
        int held = heldOut.Length;
        if (train.Length == 0)
            throw new InputException($"{dataPath}: --validation {validation} leaves no series to train on " +
                                     $"({data.Count} series)");
        int? patience = parse.GetValue(EarlyStoppingOpt);
        if (patience is not null && held == 0)
            throw new InputException(
                $"--early-stopping watches the validation loss, but no series are held out for validation " +
                $"(--validation {validation.ToString(CultureInfo.InvariantCulture)}, {data.Count} series)");
        DataChecks.ValidationSeries(data, validation, held);
        data.KeepText(times: false);
        var valid = held > 0 ? data.Build(heldOut, rows: false) : null;
        DemoConsole.Warn(data.Warnings);

        var (mean, sd) = data.FitStandardiser(train);
        if (valid is not null) Standardiser.Apply(valid.Inputs, mean, sd);

        var outActivation = lossFn is BinaryCrossEntropy ? Activation.Sigmoid : Activation.Linear;
        var act = ActivationNames.Parse(parse.GetValue(ActivationOpt)!);
        var rec = ActivationNames.Parse(parse.GetValue(RecurrentActivation)!);
        bool sequence = output == "sequence";
        var layers = new List<Layer>();
        bool gru = parse.GetValue(Cell) == "gru";
        for (int k = 0; k < units.Length; k++)
        {
            var a = !head && k == units.Length - 1 ? outActivation : act;
            bool returns = sequence || k < units.Length - 1;
            Layer cell = gru ? new Gru(units[k], a, rec, returns) : new Lstm(units[k], a, rec, returns);
            layers.Add(bidirectional ? new Bidirectional(cell) : cell);
            if (dropout > 0) layers.Add(new Dropout(dropout));
        }
        if (head) layers.Add(classes ? Dense.WithSoftmax(outputs) : new Dense(outputs, outActivation));
        var info = new TrainingInfo
        {
            Loss = loss, Epochs = epochs, BatchSize = batch, LearningRate = lr, Validation = validation, Seed = seed,
            Target = data.TargetName, Classes = data.Classes,
            Targets = data.TargetNames.Length > 1 ? data.TargetNames : null, SeriesColumn = data.SeriesColumn,
            TimeColumn = data.TimeColumn,
            Window = data.Window,
            TrainingSeries = train.Length, ValidationSeries = valid?.Count ?? 0, HeldOut = valid?.Ids ?? [],
        };
        var arch = new ModelMetadata
        {
            Features = data.FeatureNames, Steps = data.Steps, Normalisation = new Normalisation(mean, sd),
            Training = info,
            Constant = data.Constant.Count > 0 ? [.. data.Constant] : null,
            Warnings = data.Warnings.Count > 0 ? [.. data.Warnings] : null,
        };
        var model = new Sequential(data.Features, layers, flatten: sequence);
        model.Initialize(seed);

        Console.WriteLine($"Data: {dataPath}: {data.Count} series x {data.Steps} steps x {data.Features} features " +
                          $"({string.Join(", ", data.FeatureNames)}); target '{data.TargetName}'" +
                          (data.Classes is { } names ? $" ({names.Length} classes: {string.Join(", ", names)})" : "") +
                          $", loss {loss}" +
                          (data.DroppedRows > 0 ? $"; {data.DroppedRows} rows at the ends of series do not fill a " +
                                                  $"window and are left out" : ""));
        Console.WriteLine($"Split: {train.Length} training, {valid?.Count ?? 0} validation series (seed {seed})");
        SummaryCommand.Print(model, arch);

        bool restoreBest = !parse.GetValue(NoRestoreBest);
        var trainer = new Trainer(model, lossFn, new Adam(lr))
        {
            Metrics = MetricSets.For(lossFn),
            EarlyStopping = valid is not null && (patience is not null || restoreBest)
                ? new EarlyStopping(patience, restoreBest) : null,
        };
        var source = data.BatchSource(train, mean, sd, model.OutputsPerSeries(data.Steps), batch,
            new RandomSource(seed).Fork(DemoStreams.Train.BatchOrder).NextUInt64());
        var validationSet = valid is null ? null : new ValidationSet(valid.Inputs,
            TargetsFor(valid, model.OutputsSequence), valid.Count);
        IReadOnlyList<EpochResult> history;
        try
        {
            history = TrainingView.Run(trainer, epochs, source.StepsPerEpoch, () =>
                trainer.Fit(source, epochs, source.StepsPerEpoch, validationSet));
        }
        catch (TrainingDivergedException e)
        {
            throw new InputException(
                $"{dataPath}: training diverged at epoch {e.Epoch}, step {e.Step} ({e.Reason}); no model was saved. " +
                                     $"Try a smaller --lr (now {lr.ToString(CultureInfo.InvariantCulture)}), fewer " +
                                     $"or smaller --layers, or check the data for extreme values");
        }

        info.History.AddRange(history.Select(EpochLoss.Of));
        int restored = trainer.EarlyStopping?.RestoredEpoch ?? 0;
        if (restored > 0) info = info with { RestoredEpoch = restored };
        arch = arch with { Training = info };
        ModelFile.Save(modelPath, model, arch.ToEntries());
        var saved = restored > 0 ? history[restored - 1] : history[^1];
        if (outputs > 1 && valid is not null)   // per output on the held-out series (none: no line)
            PrintPerOutput(model, lossFn, data.Classes ?? data.TargetNames, valid, training: false);
        Console.WriteLine($"Saved {modelPath}: {model.ParameterCount} parameters; " +
            (restored > 0 ? $"epoch {restored} of {history.Count} (lowest validation loss): " : "final ") +
            $"loss {TrainingView.Number(saved.Loss)}" +
            (float.IsNaN(saved.ValidationLoss) ? ""
                : $", validation loss {TrainingView.Number(saved.ValidationLoss)}"));

        if (reportDir is not null)
        {
            var report = new Report(reportDir, $"Training report: {Path.GetFileName(modelPath)}");
            report.AddModel(modelPath, arch, model);
            report.AddTraining(arch);
            report.Write();
            Console.WriteLine($"Report: {Path.Combine(reportDir, "report.md")}, " +
                              $"{Path.Combine(reportDir, "report.html")}");
        }
        if (jsonPath is not null)
        {
            var document = new TrainJson(modelPath, model.ParameterCount, loss, data.Count, data.Steps,
                data.FeatureNames, info.History)
            {
                RestoredEpoch = restored > 0 ? restored : null,
                StoppedEpoch = trainer.EarlyStopping?.StoppedEpoch is int stopped and > 0 ? stopped : null,
            };
            CommandOptions.WriteJson(jsonPath, document, DemoJson.Default.TrainJson);
        }
        return 0;
    }

    /// <summary>
    /// Targets per series as the model outputs them: (N, T x K) for a sequence output, (N, K) = the last step's
    /// targets otherwise; K = <see cref="SeriesSet.TargetWidth"/> (a one-hot row per step for classes, else 1).
    /// </summary>
    public static float[] TargetsFor(SeriesSet data, bool sequence)
    {
        var y = data.Targets ?? throw new InputException($"{data.Path}: the data has no target column");
        if (sequence) return y;
        int k = data.TargetWidth;
        var last = new float[data.Count * k];
        for (int s = 0; s < data.Count; s++)
            y.AsSpan(((s + 1) * data.Steps - 1) * k, k).CopyTo(last.AsSpan(s * k, k));
        return last;
    }

    /// <summary>Each output's metrics (<see cref="MetricSets.PerOutput"/>: each class's recall, or each target's
    /// mae and r2_score) on <paramref name="set"/> (the validation series, else the training ones), one line.</summary>
    private static void PrintPerOutput(Sequential model, ILoss loss, string[] names, SeriesSet set, bool training)
    {
        var prediction = new float[set.Count * model.OutputsPerSeries(set.Steps)];
        model.Predict(prediction, set.Inputs, set.Count, set.Steps);
        var values = MetricSets.Compute(MetricSets.PerOutput(loss, names), prediction,
                                        TargetsFor(set, model.OutputsSequence));
        Console.WriteLine($"Per {(loss is CategoricalCrossEntropy ? "class" : "target")} on the " +
                          $"{(training ? "training" : "validation")} series: " +
                          string.Join(", ", values.Select(m => $"{m.Name} {TrainingView.Number(m.Value)}")));
    }

    /// <summary>The model's loss (<see cref="LossNames.Parse"/>, cce over its classes); an unknown name is a bad
    /// model file.</summary>
    public static ILoss LossOf(ModelMetadata arch, string modelPath)
    {
        try { return LossNames.Parse(arch.Training.Loss, arch.Training.Classes?.Length ?? 1); }
        catch (ArgumentException e) { throw new ModelFormatException(modelPath, ErrorText.Message(e)); }
    }

    private static int[] ParseLayers(string text)
    {
        var parts = CommandOptions.SplitList(text);
        if (parts.Length == 0) throw new InputException($"--layers needs at least one layer size, e.g. 10,5");
        if (text.Split(',').Any(string.IsNullOrWhiteSpace))
            throw new InputException($"--layers: {ErrorText.Quote(text)} has an empty size (give sizes like 10,5,1)");
        if (parts.Length > MaxLayers) throw new InputException(
            $"--layers: {parts.Length} layers, over the limit of {MaxLayers}");
        return parts.Select(p => !int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int u) || u <= 0
            ? throw new InputException(
                $"--layers: {ErrorText.Quote(p)} is not a positive whole number (give sizes like 10,5,1)")
            : u > MaxUnits ? throw new InputException(
                $"--layers: {u} units, over the limit of {MaxUnits} per layer") : u).ToArray();
    }

    /// <summary>Most units per LSTM layer: 4 (F + H + 1) H parameters, 8.4 million at H = 1024.</summary>
    public const int MaxUnits = 1024;

    /// <summary>Most LSTM layers.</summary>
    public const int MaxLayers = 64;

    /// <summary>Most parameters of a trained model: with Adam's two moments, the gradient and the workspaces a
    /// training step keeps about six copies, 240 MB at this size.</summary>
    public const long MaxParameters = 10_000_000;

    // Refuses a model too large to train in memory, before it is built.
    private static void CheckSize(int features, int[] units, bool head, int outputs)
    {
        long parameters = 0;
        int inputs = features;
        foreach (int h in units)
        {
            parameters += 4L * (inputs + h + 1) * h;
            inputs = h;
        }
        if (head) parameters += (inputs + 1L) * outputs;
        if (parameters > MaxParameters)
            throw new InputException(
                $"--layers {string.Join(',', units)} on {features} features make {parameters} parameters, " +
                                     $"over the limit of {MaxParameters}");
    }
}
