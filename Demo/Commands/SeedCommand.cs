using System.CommandLine;
using System.Diagnostics;
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
/// perturbation importance printed exactly as the published answer printed it.
/// </summary>
public static class SeedCommand
{
    public static readonly Option<int> Epochs = PositiveInt("--epochs", 5, "Training epochs.");
    public static readonly Option<int> StepsPerEpoch = PositiveInt("--steps-per-epoch", 1000, "Batches per epoch.");
    public static readonly Option<int> BatchSize = PositiveInt("--batch-size", 5, "Series per batch.");
    public static readonly Option<int> Samples = PositiveInt("--samples", 250, "Series for the importance estimate.");
    public static readonly Option<float> Noise = new("--noise")
    {
        Description = "Standard deviation of the Gaussian perturbation.",
        DefaultValueFactory = _ => 0.2f,
        Validators = { r => { if (!(r.GetValueOrDefault<float>() >= 0) || !float.IsFinite(r.GetValueOrDefault<float>())) r.AddError("--noise must be a finite number >= 0"); } },
    };
    public static readonly Option<ulong> Seed = new("--seed") { Description = "Seed for weights, data and noise.", DefaultValueFactory = _ => 42UL };
    public static readonly Option<string> RecurrentActivation = new("--recurrent-activation")
    {
        Description = "Gate activation: sigmoid (Keras 2.3+) or hard_sigmoid (older Keras).",
        DefaultValueFactory = _ => "sigmoid",
        Validators = { r => { var v = r.GetValueOrDefault<string>(); if (v is not ("sigmoid" or "hard_sigmoid")) r.AddError($"--recurrent-activation must be sigmoid or hard_sigmoid, not '{v}'"); } },
    };

    /// <summary>Adds the reference options to a command (the root, or `seed`).</summary>
    public static void AddOptions(Command command)
    {
        foreach (Option o in new Option[] { Epochs, StepsPerEpoch, BatchSize, Samples, Noise, Seed, RecurrentActivation })
            command.Options.Add(o);
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

    public static int Run(ReferenceSettings s)
    {
        var model = s.BuildModel();
        Console.WriteLine(model.Summary(s.Steps));

        var trainer = new Trainer(model, new BinaryCrossEntropy(), new Adam(s.LearningRate));
        var data = new ReferenceData.Generator(s.BatchSize, s.Steps, s.Features, s.TrainingData);
        long start = Stopwatch.GetTimestamp();
        TrainingView.Run(trainer, s.Epochs, s.StepsPerEpoch, () => trainer.Fit(data, s.Epochs, s.StepsPerEpoch));
        var elapsed = Stopwatch.GetElapsedTime(start);
        long totalSteps = (long)s.Epochs * s.StepsPerEpoch;
        Console.WriteLine($"Trained {totalSteps} steps in {elapsed.TotalSeconds:F3} s ({elapsed.TotalMicroseconds / totalSteps:F1} µs/step)");

        var x = new float[s.Samples * s.Steps * s.Features];
        var y = new float[s.Samples * s.Steps];
        ReferenceData.Fill(x, y, s.Features, s.EvaluationData);
        var scores = NoisePerturbation.Scores(model, x, s.Samples, s.Steps, s.Noise, s.ImportanceNoise);
        for (int i = 0; i < scores.Length; i++)
            Console.WriteLine($"Variable {i + 1}, perturbation effect: {scores[i]:F4}");
        return 0;
    }

    private static Option<int> PositiveInt(string name, int defaultValue, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        Validators = { r => { if (r.GetValueOrDefault<int>() <= 0) r.AddError($"{name} must be a positive whole number, got {r.GetValueOrDefault<int>()}"); } },
    };
}
