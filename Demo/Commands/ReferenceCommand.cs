using System.CommandLine;
using System.Diagnostics;
using Demo.Data;
using Demo.Importance;
using Demo.Reference;
using Demo.Reports;
using Engine.Importance;
using Engine.Kernels;
using Engine.Losses;
using Engine.Optimizers;
using Engine.Training;

namespace Demo.Commands;

/// <summary>
/// The reference experiment: model summary, training with a line per epoch, timing, and the reference's
/// perturbation importance printed exactly as the published answer printed it; with --methods, the importance
/// table of the chosen methods instead (and --json, the same as JSON).
/// </summary>
public static class ReferenceCommand
{
    public static readonly Option<int> Epochs = CommandOptions.Epochs(5);
    public static readonly Option<int> StepsPerEpoch = CommandOptions.PositiveInt("--steps-per-epoch", 1000,
                                                                                  "Batches per epoch.");
    public static readonly Option<int> BatchSize = CommandOptions.BatchSize(5);
    public static readonly Option<int> Samples = CommandOptions.PositiveInt("--samples", 250,
                                                                            "Series for the importance estimate.");
    public static readonly Option<float> Noise = CommandOptions.Noise();
    public static readonly Option<ulong> Seed = CommandOptions.Seed();
    public static readonly Option<string> RecurrentActivation = CommandOptions.RecurrentActivation();

    public static readonly Option<string?> Methods = new("--methods")
    {
        Description =
            $"Importance methods to run after training, comma-separated, or all: {string.Join(", " +
            $"", ImportanceMethods.Names)}. Prints one table instead of the reference lines.",
        Validators =
        {
            r =>
            {
                try { ImportanceMethods.Parse(r.GetValueOrDefault<string?>() ?? ""); }
                catch (ArgumentException e) { r.AddError("--methods: " + e.Message); }
            },
        },
    };
    public static readonly Option<string?> Json = CommandOptions.Json();
    public static readonly Option<int> Repeats = CommandOptions.Repeats(10);
    public static readonly Option<int> Threads = CommandOptions.Threads();
    public static readonly Option<int> Networks = CommandOptions.Networks();
    public static readonly Option<int> Restarts = CommandOptions.Restarts(3);
    public static readonly Option<int> NullNetworks = CommandOptions.NullNetworks();
    public static readonly Option<int?> RetrainEpochs = CommandOptions.RetrainEpochs();
    public static readonly Option<int?> RetrainSteps = CommandOptions.OptionalPositiveInt("--retrain-steps",
        "Batches per epoch of each stepwise retraining (default: --steps-per-epoch).");
    public static readonly Option<int?> Seeds = CommandOptions.OptionalPositiveInt("--seeds",
        "Train N reference networks, from seeds --seed, --seed+1, ... (in parallel on --threads), and show the " +
        "distribution of the final loss and the three effects and the share of converged, partially trained and " +
        "dead trainings.",
        max: 100_000);
    /// <summary><c>--png</c>: with --seeds, the trainings as a PNG.</summary>
    public static readonly Option<string?> Png = CommandOptions.Png();
    private static readonly Option<string?> OldPng = CommandOptions.OldName(CommandOptions.Png("--plot"));

    /// <summary>
    /// <c>demo reference</c> (also <c>demo seed</c>, its old name): the same as <c>demo</c> with no command. The root
    /// command gets the same options and action from <see cref="AddTo"/>.
    /// </summary>
    public static Command Build()
    {
        var command = new Command("reference",
                                  "The reference experiment: train the 10/5/1 LSTM and print the perturbation " +
                                  "importance (what `demo` alone runs).");
        command.Aliases.Add("seed");
        AddTo(command);
        return command;
    }

    /// <summary>Gives <paramref name="command"/> (the root, or <c>reference</c>) the reference options and runs the
    /// experiment.</summary>
    public static void AddTo(Command command)
    {
        AddOptions(command);
        command.SetAction(parse => Run(parse));
    }

    /// <summary>Adds the reference options to a command (the root, or `reference`).</summary>
    public static void AddOptions(Command command)
    {
        foreach (Option o in new Option[] { Epochs, StepsPerEpoch, BatchSize, Samples, Noise, Seed, RecurrentActivation,
            Methods, Json, Repeats, Threads, Networks, Restarts, NullNetworks, RetrainEpochs, RetrainSteps, Seeds,
            Png, OldPng })
            command.Options.Add(o);
    }

    /// <summary>What --methods asks for: the method names, repeats, threads, JSON file, networks and retraining
    /// schedule.</summary>
    public sealed record ImportanceRequest(IReadOnlyList<string> Methods, int Repeats, int Threads, string? Json,
                                           int Restarts, int RetrainEpochs, int RetrainSteps, int Networks = 1,
                                           int NullNetworks = 19);

    /// <summary>The --methods request, or null for the reference's three lines.</summary>
    public static ImportanceRequest? Request(ParseResult parse) => parse.GetValue(Methods) is { } methods
        ? new ImportanceRequest(ImportanceMethods.Parse(methods), parse.GetValue(Repeats), parse.GetValue(Threads),
                                parse.GetValue(Json), parse.GetValue(Restarts),
                                parse.GetValue(RetrainEpochs) ?? parse.GetValue(Epochs), parse.GetValue(RetrainSteps)
                                    ?? parse.GetValue(StepsPerEpoch), parse.GetValue(Networks),
                                    parse.GetValue(NullNetworks))
        : null;

    /// <summary>Runs the reference experiment with the options of <paramref name="parse"/>.</summary>
    public static int Run(ParseResult parse)
    {
        if (parse.GetValue(Seeds) is { } seeds)
        {
            if (parse.GetValue(Methods) is not null)
                throw new InputException("--seeds and --methods cannot be combined");
            return RunSeeds(Settings(parse), seeds, parse.GetValue(Threads), parse.GetValue(Json),
                            CommandOptions.ValueOf(parse, Png, OldPng));
        }
        if (CommandOptions.ValueOf(parse, Png, OldPng) is not null)
            throw new InputException("--png draws the results of --seeds; give --seeds too");
        if (parse.GetValue(Json) is not null && parse.GetValue(Methods) is null)
        {
            Console.Error.WriteLine("error: --json writes the results of --methods or --seeds; give one of them too");
            return 1;
        }
        if (parse.GetValue(Json) is { } json) CommandOptions.CheckWritable(json, "--json");
        return Run(Settings(parse), Request(parse));
    }

    /// <summary>
    /// <c>demo --seeds N</c>: N reference trainings (<see cref="ReferenceSeeds"/>), their histograms and mode shares on
    /// the console, and optionally the JSON and the PNG.
    /// </summary>
    public static int RunSeeds(ReferenceSettings s, int count, int threads, string? json, string? plot)
    {
        if (json is not null) CommandOptions.CheckWritable(json, "--json");
        if (plot is not null) CommandOptions.CheckWritable(plot, "--png");
        Console.WriteLine($"Training {count} reference networks ({(long)s.Epochs * s.StepsPerEpoch} steps each) " +
                          $"on {threads} thread(s)...");
        long start = Stopwatch.GetTimestamp();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var runs = ReferenceSeeds.Run(s, count, threads);
        var elapsed = Stopwatch.GetElapsedTime(start);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine($"Trained {count} networks in {elapsed.TotalSeconds:F2} s " +
                          $"({cpu.TotalSeconds:F2} s of CPU time)");
        ReferenceSeeds.Write(Console.Out, runs);
        if (json is not null)
        {
            CommandOptions.WriteJson(json, SeedsJson.Of(runs), DemoJson.Default.SeedsJson);
            Console.WriteLine($"wrote {json}");
        }
        if (plot is not null)
        {
            Plots.SeedSweep(plot, runs.Select(r => (double)r.FinalLoss).ToArray(),
                            runs.Select(r => r.Effects).ToArray(),
                            ReferenceSeeds.PublishedLoss, ReferenceSeeds.PublishedEffects, ReferenceSeeds.ConvergedLoss,
                            ReferenceSeeds.DeadLoss);
            Console.WriteLine($"wrote {plot}");
        }
        return 0;
    }

    public static ReferenceSettings Settings(ParseResult parse) => new()
    {
        Epochs = parse.GetValue(Epochs),
        StepsPerEpoch = parse.GetValue(StepsPerEpoch),
        BatchSize = parse.GetValue(BatchSize),
        Samples = parse.GetValue(Samples),
        Noise = parse.GetValue(Noise),
        Seed = parse.GetValue(Seed),
        RecurrentActivation = ActivationNames.Parse(parse.GetValue(RecurrentActivation)!),
    };

    public static int Run(ReferenceSettings s, ImportanceRequest? request = null)
    {
        var model = s.BuildModel();
        Console.WriteLine(model.Summary(s.Steps));

        var trainer = new Trainer(model, new BinaryCrossEntropy(), new Adam(s.LearningRate));
        var data = new ReferenceData.Generator(s.BatchSize, s.Steps, s.Features, s.TrainingData);
        long start = Stopwatch.GetTimestamp();
        TrainingView.Run(trainer, s.Epochs, s.StepsPerEpoch, () => trainer.Fit(data, s.Epochs, s.StepsPerEpoch));
        var elapsed = Stopwatch.GetElapsedTime(start);
        long totalSteps = (long)s.Epochs * s.StepsPerEpoch;
        Console.WriteLine($"Trained {totalSteps} steps in {elapsed.TotalSeconds:F3} s " +
                          $"({elapsed.TotalMicroseconds / totalSteps:F1} µs/step)");

        var (x, y) = ReferenceImportance.EvaluationSet(s);
        if (request is not null) return RunMethods(s, request, model, x, y);
        var scores = NoisePerturbation.Scores(model, x, s.Samples, s.Steps, s.Noise, s.ImportanceNoise);
        for (int i = 0; i < scores.Length; i++)
            Console.WriteLine($"Variable {i + 1}, perturbation effect: {scores[i]:F4}");
        return 0;
    }

    // The --methods table: every method on the trained model and the evaluation set, the noise seeded as the
    // reference's.
    private static int RunMethods(ReferenceSettings s, ImportanceRequest request, Engine.Models.Sequential model,
                                  float[] x, float[] y)
    {
        var names = ReferenceImportance.FeatureNames(s);
        var context = new ImportanceContext
        {
            Model = model, Inputs = x, Targets = y, Count = s.Samples, Steps = s.Steps, Loss = new BinaryCrossEntropy(),
            Seed = s.ImportanceNoise.Seed, Repeats = request.Repeats, Threads = request.Threads,
            Retrain = ReferenceImportance.Retrainer(s, request.RetrainEpochs, request.RetrainSteps),
            RetrainPermuted = ReferenceImportance.Retrainer(s, request.RetrainEpochs, request.RetrainSteps,
                                                            permuteTargets: true),
        };
        long start = Stopwatch.GetTimestamp();
        var networks = ReferenceImportance.Networks(s, context, request.Networks, request.Threads);
        if (request.Networks > 1)
            Console.WriteLine($"Trained {request.Networks - 1} more networks in " +
                              $"{Stopwatch.GetElapsedTime(start).TotalSeconds:F2} s");
        var options = new ImportanceOptions
        {
            Noise = s.Noise, Restarts = request.Restarts,
            NullNetworks = request.NullNetworks
        };
        var runs = ImportanceRunner.Run(networks, ImportanceMethods.Create(request.Methods, options),
            run => Console.WriteLine($"{run.Name}: {run.Seconds:F2} s"));
        ImportanceTable.Write(runs, names);
        if (request.Json is { } path)
        {
            try
            {
                ImportanceJson.Write(path, runs, names);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: cannot write {path}: {e.Message}");
                return 1;
            }
            Console.WriteLine($"wrote {path}");
        }
        return 0;
    }
}
