using Demo.Data;

namespace Demo.Commands;

/// <summary>The train command's --json document (<see cref="DemoJson"/>: property names become snake_case keys).
/// </summary>
public sealed record TrainJson(string Model, int Parameters, string Loss, int Series, int Steps, string[] Features,
    List<EpochLoss> History)
{
    /// <summary>The epoch whose parameters were saved, when not the last (restore-best).</summary>
    public int? RestoredEpoch { get; init; }

    /// <summary>The epoch after which early stopping ended training.</summary>
    public int? StoppedEpoch { get; init; }
}
