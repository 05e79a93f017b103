using Engine.Importance;
using Engine.Losses;
using Engine.Models;
using Engine.Random;

namespace Demo.Reference;

/// <summary>
/// The reference experiment's perturbation importance, the three lines the default demo prints: input-perturbation
/// (<see cref="InputPerturbation"/>) with one noise draw per feature, feature i's noise from <c>rng.Fork(i)</c>,
/// scored by <c>sqrt(mean((f(x') - f(x))^2))</c>. Not a method of its own: input-perturbation's first repeat.
/// </summary>
public static class NoisePerturbation
{
    /// <summary>Scores each feature of <paramref name="inputs"/> (N, T, F); each score depends only on the seed and the
    /// feature.</summary>
    internal static double[] Scores(Sequential model, ReadOnlySpan<float> inputs, int count, int steps, float sigma,
                                  RandomSource rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var context = new ImportanceContext
        {
            Model = model, Inputs = inputs.ToArray(), Count = count, Steps = steps,
            Loss = new MeanSquaredError(), // unused: the score compares outputs only, no targets
            Seed = rng.Seed, Threads = 1, Repeats = 1,
        };
        return ImportanceMethods.Create("input-perturbation", new ImportanceOptions { Noise = sigma, TimeMaps = false })
            .Compute(context).Scores;
    }
}
