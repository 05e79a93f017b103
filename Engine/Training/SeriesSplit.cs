using Engine.Random;

namespace Engine.Training;

/// <summary>The one rule that splits whole series into training and validation (demo train, retraining with early
/// stopping).</summary>
internal static class SeriesSplit
{
    /// <summary>
    /// Series 0..<paramref name="count"/>-1 shuffled by <paramref name="rng"/> (<see cref="RandomSource.Shuffle{T}"/>);
    /// the first <c>round(fraction count)</c> of that order are held out for validation (at least one when
    /// <paramref name="fraction"/> &gt; 0 and count &gt; 1), the rest train; both lists ascending. The training list is
    /// empty when the fraction holds out every series: the caller refuses that.
    /// </summary>
    public static (int[] Training, int[] Validation) Of(int count, float fraction, RandomSource rng)
    {
        Check.Positive(count, nameof(count));
        var order = Enumerable.Range(0, count).ToArray();
        rng.Shuffle<int>(order);
        int held = Math.Min(count, (int)Math.Round(fraction * count));
        if (fraction > 0 && held == 0 && count > 1) held = 1;
        return (order[held..].Order().ToArray(), order[..held].Order().ToArray());
    }

    /// <summary>The rows <paramref name="series"/> of (count, per) <paramref name="values"/>, in that order.</summary>
    public static float[] Rows(float[] values, int per, int[] series)
    {
        var result = new float[(long)series.Length * per];
        for (int n = 0; n < series.Length; n++)
            values.AsSpan(series[n] * per, per).CopyTo(result.AsSpan(n * per, per));
        return result;
    }
}
