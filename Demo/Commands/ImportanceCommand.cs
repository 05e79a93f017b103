using System.CommandLine;
using System.Globalization;
using Demo.Data;
using Demo.Importance;
using Demo.Reports;
using Demo.Sharding;
using Engine.Importance;
using Engine.Losses;
using Engine.Models;
using Spectre.Console;

namespace Demo.Commands;

/// <summary>
/// <c>demo importance</c>: ranks a trained model's inputs on the user's data with the importance methods of
/// <see cref="ImportanceMethods"/> (run by <see cref="ImportanceRunner"/>), prints the table (a row per method, a
/// column per feature), and optionally writes the JSON and a report with charts. Without a target column in the data,
/// the methods that need targets are skipped with a one-line note each.
/// </summary>
public static class ImportanceCommand
{
    private static readonly Option<string> Model = CommandOptions.ModelIn();
    private static readonly Option<string> Data = CommandOptions.Data();
    private static readonly Option<char?> Delimiter = CommandOptions.Delimiter();
    private static readonly Option<string> Methods =
        new("--methods")
        {
            Description = $"Methods, comma-separated, or all: {string.Join(", " +
                                         $"", ImportanceMethods.Names)}.", DefaultValueFactory = _ => "all"
        };
    private static readonly Option<int> Repeats = CommandOptions.Repeats(10);
    private static readonly Option<ulong> Seed = CommandOptions.Seed();
    private static readonly Option<int> Threads = CommandOptions.Threads();
    private static readonly Option<int?> RetrainEpochs = CommandOptions.RetrainEpochs();
    private static readonly Option<int> Restarts = CommandOptions.Restarts(3);
    private static readonly Option<int> RetrainPatience = CommandOptions.RetrainPatience();
    private static readonly Option<int> NullNetworks = CommandOptions.NullNetworks();
    private static readonly Option<int> Networks = CommandOptions.Networks();
    private static readonly Option<float> Noise = CommandOptions.Noise();
    private static readonly Option<string?> Groups =
        new("--groups")
        {
            Description = "Feature groups scored as one input, e.g. " +
                                        "\"weather=temperature,humidity;engine=rpm,load\": permutation, occlusion " +
                                        "and input-perturbation move a group's features together; the other methods " +
                                        "sum their feature scores (docs/IMPORTANCE.md)."
        };
    private static readonly Option<string?> LagGroups =
        new("--lag-groups")
        {
            Description = "Lag windows scored as one input, e.g. \"0-2,3-11\" (lag 0 = the output's own step): for " +
                          "each output, every feature at the window's steps before it (with --groups, each group " +
                          "and ungrouped feature by window). Permutation, occlusion, input-perturbation and the " +
                          "improved stepwise methods score them; the other methods are skipped.",
        };
    private static readonly Option<string> Baseline = CommandOptions.Baseline();
    private static readonly Option<string?> Report = CommandOptions.Report();
    private static readonly Option<string?> Json = CommandOptions.Json();
    private static readonly Option<string> Format = CommandOptions.Format();
    private static readonly Option<string?> Features = CommandOptions.ImportedFeatures();
    private static readonly Option<string?> Target = CommandOptions.ImportedTarget();
    private static readonly Option<string?> Shard = ShardOptions.Shard();
    private static readonly Option<string?> WorkDirectory = ShardOptions.WorkDir();
    private static readonly Option<bool> NoTimings = ShardOptions.NoTimings();
    private static readonly Option<string?> OutputIndex = CommandOptions.OutputIndex();
    private static readonly Option<bool> NoMaps = new("--no-maps")
    {
        Description = "Skip input-perturbation's time and lag maps and integrated gradients' lag map: most of those "
                      + "methods' time; the scores, ranks and other maps are unchanged.",
    };

    public static Command Build()
    {
        var command = new Command("importance",
                                  "Rank the inputs of a trained model on your data: which features matter, and when.");
        foreach (Option o in new Option[] { Model, Data, Methods, Repeats, Seed, Threads, Noise, Baseline, Restarts,
            NullNetworks, RetrainEpochs, RetrainPatience, Networks, Groups, LagGroups, Report, Json, Format, Features,
            Target, OutputIndex, Delimiter, Shard, WorkDirectory, NoTimings, NoMaps }) command.Options.Add(o);
        command.SetAction(parse => Run(parse, merge: false));
        return command;
    }

    /// <summary>Parses --methods ('all' or a comma list); an unknown name is an error listing the known ones.</summary>
    public static IReadOnlyList<string> ParseMethods(string text)
    {
        try { return ImportanceMethods.Parse(text); }
        catch (ArgumentException e) { throw new InputException($"--methods: {e.Message}"); }
    }

    /// <summary>
    /// Parses --groups over the model's features, then --lag-groups over series of <paramref name="steps"/> steps
    /// (crossed with the groups when both are given); a bad spec is an error naming the option and the problem.
    /// </summary>
    public static FeatureGroups? ParseGroups(string? spec, IReadOnlyList<string> features, string? lags = null,
                                             int steps = 0)
    {
        FeatureGroups? groups = null;
        if (spec is not null)
        {
            try { groups = FeatureGroups.Parse(spec, features); }
            catch (ArgumentException e) { throw new InputException($"--groups: {e.Message}"); }
        }
        if (lags is null) return groups;
        try { return FeatureGroups.Lags(lags, steps, features, groups); }
        catch (ArgumentException e) { throw new InputException($"--lag-groups: {e.Message}"); }
    }

    /// <summary>
    /// The training means as the model sees its inputs: 0 for a model that standardises them with the training
    /// statistics; an imported model's inputs are raw, and its means are the data's own (every series and step).
    /// </summary>
    public static float[] TrainingMeans(ModelMetadata arch, SeriesSet data)
    {
        if (arch.Imported is null) return new float[arch.Features.Length];
        int f = data.FeatureNames.Length;
        var sums = new double[f];
        for (int i = 0; i < data.Inputs.Length; i++) sums[i % f] += data.Inputs[i];
        return sums.Select(s => (float)(s / (data.Inputs.Length / f))).ToArray();
    }

    /// <summary>
    /// The outputs to score, each with its name: the model's one output (index -1: no selection); for k outputs the
    /// one <paramref name="choice"/> names (a class name, or an index 0..k-1), else every output in turn. The names
    /// are a cce model's classes, else the indices.
    /// </summary>
    public static (int Index, string Name)[] ChooseOutputs(string? choice, Sequential model, ModelMetadata arch)
    {
        int k = model.OutputUnits;
        if (k == 1)
        {
            if (choice is not null && choice != "0")
                throw new InputException($"--output-index {Engine.IO.ErrorText.Quote(choice)}: the model has one " +
                                         "output (omit --output-index)");
            return [(-1, "")];
        }
        var names = arch.Training.Classes ?? arch.Training.Targets
                    ?? [.. Enumerable.Range(0, k).Select(j => j.ToString(CultureInfo.InvariantCulture))];
        if (choice is null) return [.. names.Select((n, j) => (j, n))];
        int byName = Array.IndexOf(names, choice);
        if (byName < 0 && int.TryParse(choice, NumberStyles.None,
                                       CultureInfo.InvariantCulture, out int index) && index < k)
            byName = index;
        if (byName < 0)
            throw new InputException($"--output-index {Engine.IO.ErrorText.Quote(choice)} is not an output of the " +
                                     $"model: give one of {string.Join(", ", names)}" +
                                     (arch.Training.Classes is null ? "" : $" or an index 0..{k - 1}"));
        return [(byName, names[byName])];
    }

    /// <summary>
    /// <c>Output j of 0..k-1</c>, then <c>: the probability of class 'name'</c> (cce) or <c>: target 'name'</c>
    /// (k targets): how the commands name the output of several that they describe.
    /// </summary>
    public static string DescribeOutput(int index, string name, Sequential model, ModelMetadata arch) =>
        $"Output {index} of 0..{model.OutputUnits - 1}" +
        (arch.Training.Classes is not null ? $": the probability of class '{name}'"
         : arch.Training.Targets is not null ? $": target '{name}'" : "");

    /// <summary>
    /// A warning when a bce model's target is one class on every row of the data: the loss-based methods then measure
    /// how the model's confidence in that class changes, not how it tells the classes apart (issue 12: a one-class
    /// target used to be ranked as confidently as any).
    /// </summary>
    private static IEnumerable<string> OneClass(SeriesSet data, ILoss loss)
    {
        if (loss is not BinaryCrossEntropy || data.Targets is not { Length: > 0 } y || y.Any(v => v != y[0]))
            yield break;
        yield return $"{data.Path}: column '{data.TargetName}' is {y[0].ToString(CultureInfo.InvariantCulture)} on " +
                     "every row: one class only, so the loss-based methods measure the model's confidence in that " +
                     "class, not how it tells the classes apart";
    }

    /// <summary>
    /// Ranks the inputs; with <c>--work-dir</c> the K networks are work items (only shard k's with <c>--shard</c>,
    /// which then writes no results); <paramref name="merge"/> (<c>demo merge</c>): computes nothing, writes the
    /// results from the finished networks.
    /// </summary>
    internal static int Run(ParseResult parse, bool merge)
    {
        string modelPath = parse.GetValue(Model)!, dataPath = parse.GetValue(Data)!;
        string? reportDir = parse.GetValue(Report), json = parse.GetValue(Json);
        string? workDir = parse.GetValue(WorkDirectory);
        var shard = ShardOptions.Parse(parse.GetValue(Shard), workDir, ("--json", json), ("--report", reportDir));
        var methods = ParseMethods(parse.GetValue(Methods)!);
        var format = CommandOptions.FormatOf(parse.GetValue(Format)!);
        var info = CommandOptions.InfoWriter(format);
        OutputPaths.Check([new("--model", modelPath), new("--data", dataPath)],
            json is null ? [] : [new("--json", json)], reportDir);
        var (model, arch) = CommandOptions.LoadModel(modelPath, CommandOptions.SplitList(parse.GetValue(Features)));
        var data = CommandOptions.LoadDataFor(modelPath, arch, dataPath, targetOptional: true, parse.GetValue(Target),
            parse.GetValue(Delimiter));
        if (arch.Imported is not null)
            arch = arch with
            {
                Features = data.FeatureNames,
                Training = arch.Training with { Target = data.TargetName }
            };
        var loss = TrainCommand.LossOf(arch, modelPath);
        if (loss is BinaryCrossEntropy && data.Targets is not null && data.NonBinaryTarget(modelPath) is { } notBinary)
            throw notBinary;
        // The data checks: the model file's (training's), the file's, and a 0/1 target of one class here.
        string[] warnings = [.. arch.Warnings ?? [], .. data.Warnings, .. OneClass(data, loss)];
        DemoConsole.Warn(warnings);
        if (arch.Constant is { Length: > 0 } constant)
            info.WriteLine("Constant features, left out of training, importance 0 by every method: " +
                              string.Join(", ", constant.Select(k => k.Name)));
        var groups = ParseGroups(parse.GetValue(Groups), arch.Features, parse.GetValue(LagGroups), data.Steps);
        var labels = groups?.Names.ToArray() ?? arch.Features;
        // Without a target column the methods that measure a loss (or retrain) are skipped, each with a note.
        var targets = data.Targets is null ? null : TrainCommand.TargetsFor(data, model.OutputsSequence);
        int retrainEpochs = parse.GetValue(RetrainEpochs) ?? arch.Training.Epochs;
        if (retrainEpochs <= 0)
            throw new InputException($"--retrain-epochs must be a positive whole number, got {retrainEpochs}");
        // The stepwise retrainings stop early on the series held out (the same ones for every subset); connection-
        // weights-test's null networks and the extra networks train as the model did.
        int patience = CommandOptions.RetrainPatienceFor(parse, RetrainPatience, data.Count, dataPath);
        var stopping = patience == 0 ? null
            : new RetrainStopping(patience, new Engine.Random.RandomSource(parse.GetValue(Seed))
                                      .Fork(DemoStreams.Importance.RetrainingSplit).NextUInt64());
        var tally = new RetrainingTally();
        var context = new ImportanceContext
        {
            Model = model, Inputs = data.Inputs, Targets = targets, Count = data.Count, Steps = data.Steps, Loss = loss,
            Groups = groups, Seed = parse.GetValue(Seed), Repeats = parse.GetValue(Repeats),
            Threads = parse.GetValue(Threads),
            FeatureMeans = TrainingMeans(arch, data),
            Retrain = targets is null ? null
                : Retrainer(model, arch, data, targets, loss, retrainEpochs, stopping: stopping, tally: tally),
            RetrainPermuted = targets is null ? null : Retrainer(model, arch, data, targets, loss, retrainEpochs,
                                                                 permuteTargets: true),
            RetrainMasked = targets is null ? null : Retrainers.MaskedFromArrays(Build(model), data.Inputs, targets,
                data.Count, data.Steps, data.Features, loss, retrainEpochs, Math.Max(1, arch.Training.BatchSize),
                arch.Training.LearningRate, stopping, tally),
        };
        string targetColumn = arch.Training.Target is { } column ? $"the target column '{column}'" : "a target column";
        string target =
            targets is null ? $"no target column ({targetColumn})" : $"target '{data.TargetName}' " +
                                                                     $"({arch.Training.Loss})";
        info.WriteLine($"Data: {dataPath}: {data.Count} series x {data.Steps} steps; features {string.Join(", " +
                       $"", arch.Features)}; {target}");
        int networkCount = parse.GetValue(Networks);
        var networks = new[] { context };
        if (networkCount > 1)
        {
            if (targets is null)
                throw new InputException($"{dataPath}:1: --networks trains networks on {targetColumn}, and the data " +
                                         $"has none");
            // The model file keeps the architecture and training settings but not the training data: the extra networks
            // are trained on the data given here (every series), for the model's own epochs. With --work-dir each
            // network is a work item, trained below.
            if (workDir is null)
            {
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                networks =
                    [.. ImportanceRunner.Networks(context,
                                                  Retrainer(model, arch, data, targets, loss, arch.Training.Epochs),
                                                  networkCount, context.Threads, arch.Training.Seed)];
                info.WriteLine($"Trained {networkCount - 1} more networks on {dataPath} in " +
                               $"{System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds:F2} s");
            }
        }

        var options = new ImportanceOptions
        {
            Noise = parse.GetValue(Noise), Restarts = parse.GetValue(Restarts),
            NullNetworks = parse.GetValue(NullNetworks), TimeMaps = !parse.GetValue(NoMaps),
        }
            .WithBaseline(parse.GetValue(Baseline)!, arch);
        var instances = ImportanceMethods.Create(methods, options);
        void Skipped(string note) => info.WriteLine($"note: {note}");
        IReadOnlyList<MethodRun> runs = [];
        TrustAssessment? trust = null;
        // Progress after each work item, and Ctrl-C: the engine stops between items, the finished methods are kept.
        using var progress = new ImportanceProgressView(info);
        bool interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        var outputs = ChooseOutputs(parse.GetValue(OutputIndex), model, arch);
        if (outputs.Length > 1 && (json is not null || reportDir is not null || workDir is not null))
            throw new InputException($"--json, --report and --work-dir describe one output, and the model has " +
                                     $"{outputs.Length}: give --output-index (one of " +
                                     $"{string.Join(", ", outputs.Select(o => o.Name))})");
        // One output of several: every network scores that output alone (OutputSelection).
        static ImportanceContext Selected(ImportanceContext c, int index) =>
            index < 0 ? c : OutputSelection.ForOutput(c, index);
        ImportanceContext Watched(ImportanceContext c) => c with { Progress = progress, Cancellation = progress.Token };
        // Constant features, left out of training: importance 0, ranked last, in every table, map and document
        // (trust is assessed over the model's features, before they are appended).
        string[] constantNames = groups is null ? arch.Constant?.Select(k => k.Name).ToArray() ?? [] : [];
        string[] names = [.. labels, .. constantNames];
        string[] shownLabels = [.. labels, .. constantNames.Select(ConstantFeatures.Label)];
        foreach (var (index, name) in outputs)
        {
            if (index >= 0)
                info.WriteLine(DescribeOutput(index, name, model, arch) +
                               (loss is CategoricalCrossEntropy
                                   ? " (loss-based methods: binary cross-entropy of that probability)" : "") +
                               "; connection weights follow this output's weights only (Garson's scores are the " +
                               "same for every output: its path weights cancel)");
            if (workDir is not null)
            {
                var manifest = new WorkManifest(WorkDir.FormatTag, NetworkWork.Kind, networkCount,
                    NetworkWork.SettingsHash(parse, [Threads, Shard, WorkDirectory, Json, Report, Format, NoTimings],
                                             [Model, Data]),
                    WorkDir.CommandOf(parse, [Shard, WorkDirectory, Json, Report, Format], [Model, Data]));
                var dir = merge ? WorkDir.Load(workDir).Checked(manifest) : WorkDir.Open(workDir, manifest);
                if (!merge)
                {
                    var (ran, skipped) = NetworkWork.Run(dir, shard ?? ShardSpec.All,
                        k => Selected(k == 0 ? context : ImportanceRunner.Network(context,
                            Retrainer(model, arch, data, targets!, loss, arch.Training.Epochs), k,
                            arch.Training.Seed), index),
                        instances, k => info.WriteLine($"network {k + 1} of {networkCount} done"), Skipped);
                    info.WriteLine($"{(shard is null ? "" : $"shard {shard}: ")}{ran} network(s) computed, " +
                                   $"{skipped} found finished in {workDir}");
                    if (shard is not null) return 0;
                }
                runs = NetworkWork.Merge(dir, groups);
            }
            else
            {
                var watched = networks.Select(c => Watched(Selected(c, index))).ToArray();
                if (interactive)
                {
                    runs = AnsiConsole.Status().Start($"Running {methods[0]} (1/{methods.Count})...", ctx =>
                    {
                        progress.Attach(ctx);
                        return ImportanceRunner.Run(watched, instances, onSkipped: Skipped);
                    });
                }
                else runs = ImportanceRunner.Run(watched, instances, run =>
                    info.WriteLine($"{run.Name}: done in {run.Seconds:F2} s"), Skipped);
            }
            if (progress.Stopped)
                DemoConsole.Error.WriteLine($"stopped: {runs.Count} of {instances.Count} methods finished; " +
                                            (json is null ? "nothing written" : $"{json} marked incomplete"));
            else if (runs.Count == 0)
                throw new InputException($"{dataPath}:1: every method asked for needs {targetColumn}, and the data " +
                                         "has none");
            if (parse.GetValue(NoTimings)) runs = [.. runs.Select(r => r with { Seconds = 0 })];
            // "Can I trust this?" leads (not in CSV, whose output is the tidy table alone).
            trust = runs.Any(r => !r.Result.RandomisedModel) ? ImportanceTrust.Assess(runs) : null;
            if (trust is not null && format != TableFormat.Csv)
                Console.Write(TrustView.Console(trust, runs, labels, format, TextTable.ConsoleWidth()));
            runs = ConstantFeatures.Append(runs, constantNames.Length);
            if (runs.Count > 0) ImportanceTable.Write(runs, shownLabels, format);
            if (progress.Stopped) break;
        }
        labels = shownLabels;
        if (tally.Trainings > 0)
            info.WriteLine($"Stepwise retrainings: {tally} " + (stopping is null ? "(every epoch: --retrain-patience 0)"
                : $"(early stopping: patience {stopping.Patience} on {stopping.HeldOut(data.Count)} held-out series)"));
        if (json is not null)
            ImportanceJson.Write(json, runs, names, groups, trust, complete: !progress.Stopped,
                                 output: outputs[0].Index < 0 ? null : outputs[0].Name, constant: constantNames);
        if (progress.Stopped) return Program.Stopped;
        if (reportDir is not null)
        {
            var report = new Report(reportDir,
                                    $"Variable importance: {Path.GetFileName(modelPath)} on " +
                                    $"{Path.GetFileName(dataPath)}");
            if (trust is not null) TrustView.AddTo(report, trust, runs, labels);
            report.AddDataChecks(warnings, arch.Constant ?? []);
            report.AddModel(modelPath, arch, model);
            report.AddTraining(arch);
            report.AddImportance(runs.Select(r => Outcome(r, labels)).ToList(), labels);
            report.Write();
            info.WriteLine($"Report: {Path.Combine(reportDir, "report.md")}, " +
                           $"{Path.Combine(reportDir, "report.html")} ({string.Join(", ", report.Images)})");
        }
        return 0;
    }

    /// <summary>
    /// Retrains the model's architecture on a feature subset with its own loss, batch size and learning rate, on the
    /// importance data, for <paramref name="epochs"/> epochs (see <see cref="Retrainers.FromArrays"/>); with
    /// <paramref name="permuteTargets"/>, on the targets permuted across series.
    /// </summary>
    private static Retrainer Retrainer(Sequential trained, ModelMetadata arch, SeriesSet data, float[] targets,
                                       ILoss loss, int epochs, bool permuteTargets = false,
                                       RetrainStopping? stopping = null, RetrainingTally? tally = null)
    {
        var t = arch.Training;
        return Retrainers.FromArrays(Build(trained), data.Inputs, targets, data.Count, data.Steps, data.Features, loss,
            epochs, Math.Max(1, t.BatchSize), t.LearningRate, permuteTargets, stopping, tally);
    }

    /// <summary>A fresh model of the trained one's architecture for <c>width</c> inputs, initialised from the
    /// seed.</summary>
    private static Func<int, ulong, Sequential> Build(Sequential trained) => (width, seed) =>
    {
        var model = trained.WithInputs(width);
        model.Initialize(seed);
        return model;
    };

    /// <summary>A method's run as the report shows it; profile curves on a 0..1 scale of each feature's
    /// range.</summary>
    public static MethodOutcome Outcome(MethodRun run, string[] features)
    {
        var r = run.Result;
        var scores = r.Features.OrderBy(f => f.Feature).Select(f => f.Statistics is { Count: > 1 } s
            ? new FeatureScore(features[f.Feature], f.Score, f.Rank, s.Sd, s.Se, s.Count, [s.Ci95Low, s.Ci95High], f.P)
            : new FeatureScore(features[f.Feature], f.Score, f.Rank, P: f.P)).ToArray();
        var curves = r.Curves?.Select(c =>
        {
            double low = c.Values.Min(), span = c.Values.Max() - low;
            return (features[c.Feature], c.Values.Select(v => span > 0 ? (v - low) / span : 0).ToArray(), c.Median);
        }).ToList();
        var notes = new List<string>();
        if (ImportanceTable.Meaning(run) is { Length: > 0 } meaning) notes.Add($"Score: {meaning}.");
        if (r.Order is { } order)
            notes.Add($"Order of {run.Ranking.OrderWord()}: {string.Join(", ", order.Select(i => features[i]))}.");
        if (r.Note is { } note) notes.Add(note);
        return new MethodOutcome(run.Name, run.Seconds, scores, r.TimeMap, r.LagMap, curves,
                                 notes.Count > 0 ? string.Join(" ", notes) : null,
                                 Consensus: !r.RandomisedModel, Steps: ImportanceTable.Steps(run),
                                 OrderWord: run.Ranking.OrderWord());
    }
}
