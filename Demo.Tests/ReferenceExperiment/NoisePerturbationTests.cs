using Demo.Reference;
using Engine.Importance;
using Engine.Random;
using Engine.Tests.Importance;
using Xunit;

namespace Demo.Tests.Reference;

/// <summary>The reference experiment's noise perturbation is the engine's input perturbation, first draw.</summary>
[Trait("Category", "Slow")] // trains the reference or study networks: left out of mutation runs (stryker-config.json)
public class NoisePerturbationTests
{
    [Fact]
    public void NoisePerturbationIsInputPerturbationsFirstDraw()
    {
        var model = Fixtures.Model(8);
        var context = Fixtures.Context(model, 5, count: 20);
        var rng = new RandomSource(77);
        var reference = NoisePerturbation.Scores(model, context.Inputs, context.Count, context.Steps, 0.2f, rng);
        var method = new InputPerturbation { Repeats = 1 }.Compute(context with { Seed = 77, Threads = 2 });
        Assert.Equal(reference, method.Scores);
        // Written out: feature 0's first draw is rng.Fork(0)'s Gaussians in (series, step) order.
        var x = (float[])context.Inputs.Clone();
        InputPerturbation.AddNoise(x, 0, context.Features, 0.2f, rng.Fork(0));
        var baseline = new float[context.Count * context.OutputsPerSeries];
        model.Predict(baseline, context.Inputs, context.Count, context.Steps);
        Assert.Equal(reference[0], InputPerturbation.RmsChange(model, x, baseline, context.Count, context.Steps));
    }
}
