using System.Numerics;
using System.Runtime.CompilerServices;

namespace Engine.Random;

/// <summary>
/// A seeded xoshiro256** generator (Blackman &amp; Vigna), seeded through SplitMix64.
/// Fast (a few ns a number, where <c>new System.Random(seed)</c> falls back to a slow legacy algorithm)
/// and reproducible: the same seed gives the same numbers on every machine.
/// <see cref="Fork"/> derives independent streams by index, so parallel work is deterministic
/// whatever the thread count.
/// </summary>
internal sealed class RandomSource
{
    private ulong _s0, _s1, _s2, _s3;
    private float _spareGaussian;
    private bool _hasSpare;

    /// <summary>The seed this source was created with.</summary>
    public ulong Seed { get; }

    public RandomSource(ulong seed)
    {
        Seed = seed;
        ulong sm = seed;
        _s0 = SplitMix64(ref sm); _s1 = SplitMix64(ref sm); _s2 = SplitMix64(ref sm); _s3 = SplitMix64(ref sm);
    }

    /// <summary>An independent source for sub-task <paramref name="stream"/>, a pure function of (Seed,
    /// stream).</summary>
    public RandomSource Fork(ulong stream)
    {
        ulong sm = Seed ^ (0x9E3779B97F4A7C15UL * (stream + 1));
        return new RandomSource(SplitMix64(ref sm));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [low, high).</summary>
    public float Uniform(float low, float high) => low + (high - low) * NextFloat();

    /// <summary>Uniform integer in [0, n), unbiased (Lemire's method).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be positive");
        ulong bound = (ulong)n;
        ulong m = Math.BigMul(NextUInt64(), bound, out ulong low);
        if (low < bound)
        {
            ulong threshold = (0 - bound) % bound;
            while (low < threshold) m = Math.BigMul(NextUInt64(), bound, out low);
        }
        return (int)m;
    }

    /// <summary>Standard normal N(0, 1) (Marsaglia's polar method, the second value kept for the next call).</summary>
    public float NextGaussian()
    {
        if (_hasSpare) { _hasSpare = false; return _spareGaussian; }
        double u, v, s;
        do
        {
            u = 2.0 * NextDouble() - 1.0;
            v = 2.0 * NextDouble() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        double factor = Math.Sqrt(-2.0 * Math.Log(s) / s);
        _spareGaussian = (float)(v * factor);
        _hasSpare = true;
        return (float)(u * factor);
    }

    /// <summary>Fills <paramref name="destination"/> with U(low, high).</summary>
    public void FillUniform(Span<float> destination, float low = 0f, float high = 1f)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = low + (high - low) * NextFloat();
    }

    /// <summary>Fills <paramref name="destination"/> with N(mean, sd^2).</summary>
    public void FillGaussian(Span<float> destination, float mean = 0f, float sd = 1f)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = mean + sd * NextGaussian();
    }

    /// <summary>Fisher-Yates shuffle.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
