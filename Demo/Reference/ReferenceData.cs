using Engine.Random;
using Engine.Training;

namespace Demo.Reference;

/// <summary>The reference data: x ~ U(0, 1) on every step and feature; y_t = 1 where x1_t x2_t &lt; 0.25, else
/// 0.</summary>
public static class ReferenceData
{
    /// <summary>Fills (N, T, F) inputs and (N, T) targets.</summary>
    internal static void Fill(Span<float> inputs, Span<float> targets, int features, RandomSource rng)
    {
        rng.FillUniform(inputs);
        for (int r = 0; r < targets.Length; r++)
            targets[r] = inputs[r * features] * inputs[r * features + 1] < 0.25f ? 1f : 0f;
    }

    /// <summary>A fresh batch for every training step, as the reference generates them.</summary>
    internal sealed class Generator(int batchSize, int steps, int features, RandomSource rng) : IBatchSource
    {
        public int BatchSize => batchSize;
        public int Steps => steps;
        public int Features => features;
        public int TargetsPerSeries => steps;
        public void NextBatch(Span<float> input, Span<float> target, int epoch, int stepInEpoch) =>
            Fill(input, target, features, rng);
    }
}
