namespace Engine.Random;

/// <summary>
/// The engine's named random streams: every fixed <see cref="RandomSource.Fork"/> number the engine uses, in one
/// place, so that no two uses of one seed collide by accident. (Forks by a task index, e.g. feature i's noise
/// <c>Fork(i)</c>, are not listed: the index is the name.) The demo's streams are in its own <c>DemoStreams</c>.
/// Changing a value changes results: they are pinned by the tests of the reference experiment.
/// </summary>
internal static class RandomStreams
{
    /// <summary>
    /// Network k &gt; 0 of a multi-network run trains from <c>new RandomSource(trainingSeed).Fork(ExtraNetworks +
    /// k)</c>
    /// (<see cref="Importance.ImportanceRunner.Networks"/>); 100 keeps them clear of a caller's small stream numbers.
    /// </summary>
    public const ulong ExtraNetworks = 100;

    /// <summary>
    /// A retraining on permuted targets (<see cref="Importance.Retrainers.FromArrays"/>) permutes the series with
    /// <c>new RandomSource(seed).Fork(PermutedTargets)</c>.
    /// </summary>
    public const ulong PermutedTargets = 1;

    /// <summary>
    /// Mixed into the seed (<c>Seed ^ PerturbationMaps</c>) for input-perturbation's time and lag maps, so they never
    /// reuse the scores' noise (<see cref="Importance.InputPerturbation"/>).
    /// </summary>
    public const ulong PerturbationMaps = 0x6D61_7073_0000_0001UL;

    /// <summary>
    /// Integrated gradients' noise baseline (<see cref="Importance.IntegratedGradientsBaseline.Noise"/>) draws from
    /// <c>new RandomSource(seed).Fork(IntegratedGradientsNoise)</c>.
    /// </summary>
    public const ulong IntegratedGradientsNoise = 2;
}
