using Engine.Importance;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>A fixed seed gives the same numbers on every run and whatever the thread count.</summary>
public class DeterminismTests
{
    /// <summary>Every registered method that trains no networks (those are tested with their retrainers).</summary>
    public static IEnumerable<object[]> Methods =>
        ImportanceMethods.Names.Where(n => (ImportanceMethods.Create(n).Needs
                                            & (ImportanceNeeds.Retraining | ImportanceNeeds.PermutedRetraining)) == 0)
            .Select(m => new object[] { m });

    [Theory]
    [MemberData(nameof(Methods))]
    public void SameSeedSameResultWithOneOrTwoThreads(string name)
    {
        var model = Fixtures.Model(21, relu: true);
        var context = Fixtures.Context(model, 99, count: 40, repeats: 5);
        var method = ImportanceMethods.Create(name);
        var first = method.Compute(context);
        var again = method.Compute(context);
        var twoThreads = method.Compute(context with { Threads = 2 });
        Assert.Equal(first.Scores, again.Scores);
        Assert.Equal(first.Scores, twoThreads.Scores);
        Assert.Equal(first.Features.Select(f => f.Statistics), twoThreads.Features.Select(f => f.Statistics));
        Assert.Equal(first.TimeMap?.Cast<double>(), twoThreads.TimeMap?.Cast<double>());
        Assert.Equal(first.LagMap?.Cast<double>(), twoThreads.LagMap?.Cast<double>());
    }

    [Theory]
    [InlineData("input-perturbation")]
    [InlineData("permutation")]
    public void ADifferentSeedGivesDifferentDraws(string name)
    {
        var model = Fixtures.Model(21);
        var context = Fixtures.Context(model, 99, count: 40);
        var method = ImportanceMethods.Create(name);
        Assert.NotEqual(method.Compute(context).Scores, method.Compute(context with { Seed = 100 }).Scores);
    }

    [Fact]
    public void RepeatedMethodsReportStatisticsOfTheirRepeats()
    {
        var context = Fixtures.Context(Fixtures.Model(3), 4, count: 30, repeats: 6);
        var result = new Permutation().Compute(context);
        foreach (var f in result.Features)
        {
            var s = f.Statistics!.Value;
            Assert.Equal(6, s.Count);
            Assert.Equal(f.Score, s.Mean);
            Assert.Equal(s.Sd / Math.Sqrt(6), s.Se, 12);
            Assert.Equal(s.Mean - 1.96 * s.Se, s.Ci95Low, 12);
        }
    }

    [Fact]
    public void ScalingVariantMultipliesTheFeature()
    {
        var model = Fixtures.Model(8);
        var context = Fixtures.Context(model, 5, count: 20);
        var result = new InputPerturbation { Scale = 0.3f }.Compute(context);
        var x = (float[])context.Inputs.Clone();
        for (int c = 2; c < x.Length; c += context.Features) x[c] *= 1.3f;
        var baseline = new float[context.Count * context.OutputsPerSeries];
        model.Predict(baseline, context.Inputs, context.Count, context.Steps);
        Assert.Equal(InputPerturbation.RmsChange(model, x, baseline, context.Count, context.Steps), result.Scores[2]);
        Assert.Null(result.Features[2].Statistics);
    }
}
