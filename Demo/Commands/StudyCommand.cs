using System.CommandLine;
using System.Globalization;
using Demo.Data;
using Demo.Reports;
using Demo.Sharding;
using Demo.Study;
using Engine.Importance;
using Engine.Kernels;

namespace Demo.Commands;

/// <summary>
/// <c>demo study</c>: the Olden, Joy &amp; Death (2004) comparison on LSTMs. K replicate data sets with a known
/// ranking (<see cref="StudyDesign"/>), an LSTM trained on each, every importance method run on each network, and each
/// method's ranking compared with the truth (<see cref="StudyRunner"/>); prints the table, optionally JSON and a
/// report.
/// </summary>
public static class StudyCommand
{
    private static readonly Option<int> Replicates = CommandOptions.PositiveInt("--replicates", 100,
                                                                                "K, replicate data sets and networks.");
    private static readonly Option<string?> Methods = new("--methods")
    {
        Description =
            $"Methods, comma-separated, or all: {string.Join(", ", ImportanceMethods.Names)}. Default: all but " +
            $"connection-weights-test (it ranks as connection-weights does).",
    };
    private static readonly Option<string> Kind = CommandOptions.Kind("regression", classes: true);
    private static readonly Option<string> Effects =
        new("--effects")
        {
            Description = "b_j, the effect of each input on the target's score, comma-separated (0 = " +
                                         "no effect); sets F.", DefaultValueFactory = _ => "1,0.75,0.5,0.25,0"
        };
    private static readonly Option<string> Lags =
        new("--lags")
        {
            Description = "lag_j: input j acts lag_j steps later, comma-separated, one per effect.",
            DefaultValueFactory = _ => "0,2,0,0,0"
        };
    private static readonly Option<float> TargetNoise =
        new("--target-noise")
        {
            Description = "SD of the noise added to the target's score.",
            DefaultValueFactory = _ => 1f
        };
    private static readonly Option<float> Phi =
        new("--phi")
        {
            Description = "AR(1) coefficient of the inputs, in [0, 1): how much neighbouring steps " +
                                     "resemble each other.", DefaultValueFactory = _ => 0.7f
        };
    private static readonly Option<float> Correlation =
        new("--correlation")
        {
            Description = "Correlation between any two inputs at the same step, in [0, 1) (0: independent inputs).",
            DefaultValueFactory = _ => 0f,
        };
    private static readonly Option<int> Steps = CommandOptions.Steps(12);
    private static readonly Option<int> TrainSeries = CommandOptions.PositiveInt("--train-series", 100,
                                                                                 "Training series per replicate.");
    private static readonly Option<int> EvalSeries = CommandOptions.PositiveInt("--eval-series", 200,
        "Fresh evaluation series per replicate, on which the methods run.");
    private static readonly Option<string> Cell = CommandOptions.Cell();
    private static readonly Option<int> Units = CommandOptions.PositiveInt("--units", 8, "Recurrent units.");
    private static readonly Option<string> CellActivation = CommandOptions.CellActivation();
    private static readonly Option<int> Epochs = CommandOptions.Epochs(30);
    private static readonly Option<int> Batch = CommandOptions.BatchSize(16);
    private static readonly Option<int> OldBatch = CommandOptions.OldName(CommandOptions.BatchSize(16, "--batch"));
    private static readonly Option<float> LearningRate = CommandOptions.LearningRate(0.01f);
    private static readonly Option<int> Repeats = CommandOptions.Repeats(5);
    private static readonly Option<int?> RetrainEpochs = CommandOptions.RetrainEpochs();
    private static readonly Option<int> Restarts = CommandOptions.Restarts(1);
    private static readonly Option<int> RetrainPatience = CommandOptions.RetrainPatience();
    private static readonly Option<ulong> Seed = CommandOptions.Seed();
    private static readonly Option<int> Threads = CommandOptions.Threads();
    private static readonly Option<string?> Report = CommandOptions.Report();
    private static readonly Option<string?> Json = CommandOptions.Json();
    private static readonly Option<string> Format = CommandOptions.Format();
    private static readonly Option<string?> Shard = ShardOptions.Shard();
    private static readonly Option<string?> WorkDirectory = ShardOptions.WorkDir();
    private static readonly Option<bool> NoTimings = ShardOptions.NoTimings();

    public static Command Build()
    {
        var command = new Command("study",
                                  "Olden et al. (2004) on LSTMs: how often does each importance method recover a " +
                                  "known ranking of the inputs?");
        foreach (Option o in new Option[] { Replicates, Methods, Kind, Effects, Lags, TargetNoise, Phi, Correlation,
            Steps, TrainSeries, EvalSeries, Cell, Units, CellActivation, Epochs, Batch, OldBatch, LearningRate,
            Repeats, RetrainEpochs, Restarts, RetrainPatience, Seed, Threads, Report, Json, Format, Shard,
            WorkDirectory, NoTimings })
            command.Options.Add(o);
        command.SetAction(parse => Run(parse, merge: false));
        return command;
    }

    // "1,0.5,0": the numbers of a comma list; a bad entry is an input error naming the option.
    private static T[] Numbers<T>(string text, string option, Func<string, IFormatProvider, T> parse) =>
        CommandOptions.SplitList(text).Select(v =>
        {
            try { return parse(v, CultureInfo.InvariantCulture); }
            catch (FormatException) { throw new InputException($"{option}: '{v}' is not a number"); }
            catch (OverflowException) { throw new InputException($"{option}: '{v}' is out of range"); }
        }).ToArray();

    /// <summary>
    /// Runs the study, or with <c>--work-dir</c> its missing replicates (only shard k's with <c>--shard</c>, which
    /// then writes no results); <paramref name="merge"/> (<c>demo merge</c>): computes nothing, writes the results
    /// from the finished replicates.
    /// </summary>
    internal static int Run(ParseResult parse, bool merge)
    {
        string? json = parse.GetValue(Json), reportDir = parse.GetValue(Report);
        string? workDir = parse.GetValue(WorkDirectory);
        var shard = ShardOptions.Parse(parse.GetValue(Shard), workDir, ("--json", json), ("--report", reportDir));
        var format = CommandOptions.FormatOf(parse.GetValue(Format)!);
        var info = CommandOptions.InfoWriter(format);
        var design = new StudyDesign
        {
            Coefficients = Numbers(parse.GetValue(Effects)!, "--effects", double.Parse),
            Lags = Numbers(parse.GetValue(Lags)!, "--lags", int.Parse),
            Noise = parse.GetValue(TargetNoise), Phi = parse.GetValue(Phi), Steps = parse.GetValue(Steps),
            Correlation = parse.GetValue(Correlation),
            Binary = parse.GetValue(Kind) == "binary",
            Classes = parse.GetValue(Kind) == "classes",
        };
        try { design.Validate(); }
        catch (ArgumentException e)
        {
            throw new InputException($"--effects/--lags/--target-noise/--phi/--correlation/--steps: " +
                                                               $"{e.Message}");
        }
        var settings = new StudySettings
        {
            Design = design,
            Replicates = parse.GetValue(Replicates), TrainSeries = parse.GetValue(TrainSeries),
            EvaluationSeries = parse.GetValue(EvalSeries),
            Gru = parse.GetValue(Cell) == "gru", Units = parse.GetValue(Units),
            CellActivation = ActivationNames.Parse(parse.GetValue(CellActivation)!),
            Epochs = parse.GetValue(Epochs), BatchSize = CommandOptions.ValueOf(parse, Batch, OldBatch),
            LearningRate = parse.GetValue(LearningRate),
            Methods = parse.GetValue(Methods) is { } list
                ? ImportanceCommand.ParseMethods(list) : StudySettings.DefaultMethods,
            Repeats = parse.GetValue(Repeats),
            RetrainEpochs = parse.GetValue(RetrainEpochs) ?? parse.GetValue(Epochs),
            Restarts = parse.GetValue(Restarts), Seed = parse.GetValue(Seed), Threads = parse.GetValue(Threads),
            RetrainPatience = CommandOptions.RetrainPatienceFor(parse, RetrainPatience, parse.GetValue(TrainSeries),
                                                                "--train-series"),
        };
        if (json is not null) CommandOptions.CheckWritable(json, "--json");
        if (reportDir is not null) CommandOptions.CheckReportDirectory(reportDir);

        info.WriteLine($"Study: {settings.Replicates} replicates x {settings.Methods.Count} methods on " +
                       $"{settings.Threads} thread(s)...");
        int done = 0;
        var gate = new Lock();
        void OnReplicate(ReplicateResult r)
        {
            lock (gate)
            {
                done++;
                info.WriteLine($"replicate {r.Index + 1} done ({done}/{settings.Replicates}): loss " +
                               $"{r.Loss.ToString("F3", CultureInfo.InvariantCulture)} " +
                                  $"(constant {r.ConstantLoss.ToString("F3", CultureInfo.InvariantCulture)}), " +
                                  $"{r.Runs.Sum(x => x.Seconds).ToString("F1", CultureInfo.InvariantCulture)} s of " +
                                  $"methods");
            }
        }
        StudyResult result;
        if (workDir is null) result = StudyRunner.Run(settings, OnReplicate);
        else
        {
            var manifest = new WorkManifest(WorkDir.FormatTag, StudyWork.Kind, settings.Replicates,
                StudyWork.SettingsHash(settings),
                WorkDir.CommandOf(parse, [Shard, WorkDirectory, Json, Report, Format], []));
            var dir = merge ? WorkDir.Load(workDir).Checked(manifest) : WorkDir.Open(workDir, manifest);
            if (!merge)
            {
                var (ran, skipped) = StudyWork.Run(dir, settings, shard ?? ShardSpec.All, OnReplicate);
                info.WriteLine($"{(shard is null ? "" : $"shard {shard}: ")}{ran} replicate(s) computed, {skipped} " +
                               $"found finished in {workDir}");
                if (shard is not null) return 0;
            }
            result = StudyWork.Merge(dir, settings);
        }
        if (parse.GetValue(NoTimings)) result = StudyWork.Untimed(result);
        StudyOutput.WriteTable(result, format);
        if (json is not null) CommandOptions.WriteJson(json, StudyOutput.ToJson(result), DemoJson.Default.StudyJson);
        if (reportDir is not null)
        {
            var report = StudyOutput.WriteReport(reportDir, result);
            info.WriteLine($"Report: {Path.Combine(reportDir, "report.md")}, " +
                           $"{Path.Combine(reportDir, "report.html")} ({string.Join(", ", report.Images)})");
        }
        return 0;
    }
}
