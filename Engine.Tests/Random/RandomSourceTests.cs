using Engine.Random;
using Xunit;

namespace Engine.Tests.Random;

public class RandomSourceTests
{
    private static ulong[] Draw(RandomSource rng, int count) =>
        Enumerable.Range(0, count).Select(_ => rng.NextUInt64()).ToArray();

    [Fact]
    public void SameSeedGivesTheSameStream()
    {
        Assert.Equal(Draw(new RandomSource(123), 1000), Draw(new RandomSource(123), 1000));
        Assert.NotEqual(Draw(new RandomSource(123), 10), Draw(new RandomSource(124), 10));
        var a = new RandomSource(5);
        var b = new RandomSource(5);
        Assert.Equal(Enumerable.Range(0, 100).Select(_ => a.NextGaussian()),
                     Enumerable.Range(0, 100).Select(_ => b.NextGaussian()));
    }

    [Fact]
    public void ForkIsDeterministicAndIndependentOfTheParentsPosition()
    {
        var parent = new RandomSource(77);
        var early = Draw(parent.Fork(3), 100);
        Draw(parent, 50); // consuming the parent does not change its forks
        Assert.Equal(early, Draw(parent.Fork(3), 100));
        Assert.Equal(early, Draw(new RandomSource(77).Fork(3), 100));
        Assert.NotEqual(early, Draw(new RandomSource(78).Fork(3), 100));
    }

    [Fact]
    public void ForkedStreamsAreUncorrelated()
    {
        var root = new RandomSource(42);
        var streams = new[] { root, root.Fork(0), root.Fork(1), root.Fork(2) }
            .Select(r => Enumerable.Range(0, 20000).Select(_ => (double)r.NextFloat()).ToArray()).ToArray();
        for (int a = 0; a < streams.Length; a++)
            for (int b = a + 1; b < streams.Length; b++)
                Assert.InRange(Correlation(streams[a], streams[b]), -0.03, 0.03); // 4 standard errors at n = 20000
        Assert.Equal(4, streams.Select(s => s[0]).Distinct().Count());
    }

    private static double Correlation(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>NextInt(n) stays in [0, n) and its counts pass a chi-square test (p = 0.001 critical values).</summary>
    [Theory]
    [InlineData(2, 10.83)]
    [InlineData(3, 13.82)]
    [InlineData(7, 22.46)]
    [InlineData(10, 27.88)]
    public void NextIntIsUnbiasedOverItsRange(int n, double critical)
    {
        var rng = new RandomSource((ulong)n);
        var counts = new int[n];
        const int draws = 70000;
        for (int i = 0; i < draws; i++)
        {
            int v = rng.NextInt(n);
            Assert.InRange(v, 0, n - 1);
            counts[v]++;
        }
        double expected = (double)draws / n;
        double chiSquare = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chiSquare < critical, $"chi-square {chiSquare:F2} over counts [{string.Join(", ", counts)}]");
    }

    [Fact]
    public void NextIntHandlesTheExtremes()
    {
        var rng = new RandomSource(1);
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(0, rng.NextInt(1)));
        Assert.All(Enumerable.Range(0, 1000), _ => Assert.InRange(rng.NextInt(int.MaxValue), 0, int.MaxValue - 1));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
        Assert.Equal("n", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(-5));
    }

    [Fact]
    public void FloatsAndGaussiansHaveTheRightMoments()
    {
        var rng = new RandomSource(3);
        var u = Enumerable.Range(0, 50000).Select(_ => (double)rng.NextFloat()).ToArray();
        Assert.All(u, v => Assert.InRange(v, 0, Math.BitDecrement(1.0)));
        Assert.InRange(u.Average(), 0.495, 0.505);
        var g = Enumerable.Range(0, 50000).Select(_ => (double)rng.NextGaussian()).ToArray();
        Assert.InRange(g.Average(), -0.02, 0.02);
        Assert.InRange(g.Average(v => v * v), 0.97, 1.03);
    }

    [Fact]
    public void ShuffleIsAPermutation()
    {
        var items = Enumerable.Range(0, 100).ToArray();
        new RandomSource(8).Shuffle<int>(items);
        Assert.NotEqual(Enumerable.Range(0, 100), items);
        Assert.Equal(Enumerable.Range(0, 100), items.Order());
    }
}
