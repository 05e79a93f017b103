using Engine.Models;
using Engine.Random;

namespace Engine.Importance;

/// <summary>
/// The reference demo's perturbation importance: for each feature i, add N(0, sigma^2) noise to x[., ., i]
/// at every step of every series (the other features untouched), predict, and score
/// <c>sqrt(mean((f(x') - f(x))^2))</c>, the root-mean-square change of every output.
/// </summary>
public static class NoisePerturbation
{
    /// <summary>
    /// Scores each feature of <paramref name="inputs"/> (N, T, F). Feature i's noise comes from
    /// <c>rng.Fork(i)</c>, so each score depends only on the seed and the feature, not on order or threads.
    /// </summary>
    public static double[] Scores(Sequential model, ReadOnlySpan<float> inputs, int count, int steps, float sigma, RandomSource rng)
    {
        if (!(sigma >= 0) || !float.IsFinite(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be a finite, non-negative number");
        int features = model.InputFeatures, outputs = count * model.OutputsPerSeries(steps);
        var baseline = new float[outputs];
        model.Predict(baseline, inputs, count, steps);
        var perturbed = new float[inputs.Length];
        var prediction = new float[outputs];
        var scores = new double[features];
        for (int i = 0; i < features; i++)
        {
            inputs.CopyTo(perturbed);
            var noise = rng.Fork((ulong)i);
            for (int cell = i; cell < perturbed.Length; cell += features) perturbed[cell] += sigma * noise.NextGaussian();
            model.Predict(prediction, perturbed, count, steps);
            double sum = 0;
            for (int j = 0; j < outputs; j++) { double d = prediction[j] - baseline[j]; sum += d * d; }
            scores[i] = Math.Sqrt(sum / outputs);
        }
        return scores;
    }
}
