using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Demo.Data;
using Demo.Study;
using Engine.Models;

namespace Demo.Commands;

// The --json documents of train, predict and summary (study's are in StudyOutput.cs); property names become snake_case
// keys.
public sealed record TrainJson(string Model, int Parameters, string Loss, int Series, int Steps, string[] Features,
    List<EpochLoss> History)
{
    /// <summary>The epoch whose parameters were saved, when not the last (restore-best).</summary>
    public int? RestoredEpoch { get; init; }

    /// <summary>The epoch after which early stopping ended training.</summary>
    public int? StoppedEpoch { get; init; }
}
public sealed record PredictJson(string Model, string Data, string Out, int Series, int Steps, int Outputs, float? Loss,
    float? Accuracy)
{
    /// <summary>Loss and metrics over every series (Loss and Accuracy above repeat them).</summary>
    public SeriesMetrics? AllSeries { get; init; }

    /// <summary>Loss and metrics over the series the model held out for validation; null when unknown.</summary>
    public SeriesMetrics? ValidationSeries { get; init; }

    /// <summary>Why there are no validation figures, or that only some held-out series are in the data.</summary>
    public string? Note { get; init; }
}

/// <summary>The loss and the metrics by Keras name over some series.</summary>
public sealed record SeriesMetrics(int Series, float Loss, Dictionary<string, float> Metrics);
public sealed record SummaryJson(string Model, string Format, int Parameters, IReadOnlyList<SummaryRow> Layers,
                                 JsonObject Architecture, ModelMetadata Data);

/// <summary>
/// <c>demo --seeds N --json</c>: the published Keras run, the thresholds of the modes, each mode's count and share
/// (95% Wilson interval), and every training (seed, final loss, effects of x1..x3, mode).
/// </summary>
public sealed record SeedsJson(SeedsPublished Published, SeedsThresholds Thresholds, List<SeedsMode> Modes,
    List<SeedsRun> Runs)
{
    public static SeedsJson Of(IReadOnlyList<Demo.Reference.SeedRun> runs) => new(
        new(Demo.Reference.ReferenceSeeds.PublishedLoss, Demo.Reference.ReferenceSeeds.PublishedEffects),
        new(Demo.Reference.ReferenceSeeds.ConvergedLoss, Demo.Reference.ReferenceSeeds.DeadLoss),
        Enum.GetValues<Demo.Reference.TrainingMode>().Select(m =>
        {
            var (share, low, high) = Demo.Reference.ReferenceSeeds.Share(runs, m);
            return new SeedsMode(Demo.Reference.ReferenceSeeds.Name(m), runs.Count(r => r.Mode == m), share, low, high);
        }).ToList(),
        runs.Select(r => new SeedsRun(r.Seed, r.FinalLoss, r.Effects, Demo.Reference.ReferenceSeeds.Name(r.Mode)))
            .ToList());
}
public sealed record SeedsPublished(double FinalLoss, double[] Effects);
public sealed record SeedsThresholds(double ConvergedLoss, double DeadLoss);
public sealed record SeedsMode(string Mode, int Count, double Share, double Low, double High);
public sealed record SeedsRun(ulong Seed, float FinalLoss, double[] Effects, string Mode);

/// <summary>
/// The --json contracts, source-generated (no reflection: the demo is published with NativeAOT); the options of
/// <see cref="ModelJson"/> (snake_case keys, nulls left out, NaN as "NaN"), indented.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
                             DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
                             NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, WriteIndented = true)]
[JsonSerializable(typeof(TrainJson))]
[JsonSerializable(typeof(PredictJson))]
[JsonSerializable(typeof(SummaryJson))]
[JsonSerializable(typeof(StudyJson))]
[JsonSerializable(typeof(SeedsJson))]
public sealed partial class DemoJson : JsonSerializerContext;
