using Engine.Models;
using Engine.Random;

namespace Engine.Importance;

/// <summary>
/// The reference demo's perturbation importance as plain scores: <see cref="InputPerturbation"/> with one noise draw
/// per feature, feature i's noise from <c>rng.Fork(i)</c>: <c>sqrt(mean((f(x') - f(x))^2))</c>.
/// </summary>
public static class NoisePerturbation
{
    /// <summary>Scores each feature of <paramref name="inputs"/> (N, T, F); each score depends only on the seed and the feature.</summary>
    public static double[] Scores(Sequential model, ReadOnlySpan<float> inputs, int count, int steps, float sigma, RandomSource rng)
    {
        var context = new ImportanceContext
        {
            Model = model, Inputs = inputs.ToArray(), Count = count, Steps = steps,
            Targets = new float[count * model.OutputsPerSeries(steps)], // unused: the score compares outputs only
            Loss = new Losses.MeanSquaredError(), Seed = rng.Seed, Threads = 1,
        };
        return new InputPerturbation { Sigma = sigma, Repeats = 1 }.Compute(context).Scores;
    }
}
