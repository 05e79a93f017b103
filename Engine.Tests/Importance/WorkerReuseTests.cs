using Engine.Importance;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// The methods rent pooled clones and buffers per model (ModelWorker): a rerun on the same model must give what a run
/// on a fresh model gives (nothing leaks through a reused buffer or workspace, whatever ran before), and a reused clone
/// must see parameters changed in between.
/// </summary>
public class WorkerReuseTests
{
    [Theory]
    [MemberData(nameof(DeterminismTests.Methods), MemberType = typeof(DeterminismTests))]
    public void RerunsMatchAFreshModelAndSeeChangedParameters(string name)
    {
        var model = Fixtures.Model(31, relu: true);
        var context = Fixtures.Context(model, 5, count: 40, repeats: 3);
        var method = ImportanceMethods.Create(name);
        // A clone is a new model with an empty pool: its run starts from freshly cloned workers.
        var fresh = method.Compute(context with { Model = model.Clone() });
        AssertSame(fresh, method.Compute(context));
        AssertSame(fresh, method.Compute(context with { Threads = 2 }));

        // Leave the pooled workers dirty: two batches of series (more than 256), other methods, two threads.
        var large = Fixtures.Context(model, 6, count: 300, repeats: 2);
        new Occlusion().Compute(large with { Threads = 2 });
        new IntegratedGradients { Steps = 2 }.Compute(large);
        new ImprovedStepwise(useMeans: false).Compute(large);
        AssertSame(fresh, method.Compute(context));

        // New parameters: the pooled clones must pick them up.
        var kernel = model.Tensor(0, "kernel");
        for (int j = 0; j < kernel.Length; j++) kernel[j] *= j % 2 == 0 ? -0.7f : 1.3f;
        var changed = method.Compute(context);
        // (model-randomisation's scores come from re-drawn weights; its note gives the trained model's shares)
        Assert.False(fresh.Scores.SequenceEqual(changed.Scores) && fresh.Note == changed.Note,
                     "the changed parameters changed nothing");
        AssertSame(method.Compute(context with { Model = model.Clone() }), changed);
    }

    private static void AssertSame(ImportanceResult expected, ImportanceResult actual)
    {
        Assert.Equal(expected.Scores, actual.Scores);
        Assert.Equal(expected.Features.Select(f => f.Statistics), actual.Features.Select(f => f.Statistics));
        Assert.Equal(expected.Features.Select(f => f.Rank), actual.Features.Select(f => f.Rank));
        Assert.Equal(expected.TimeMap?.Cast<double>(), actual.TimeMap?.Cast<double>());
        Assert.Equal(expected.LagMap?.Cast<double>(), actual.LagMap?.Cast<double>());
        Assert.Equal(expected.Order, actual.Order);
        Assert.Equal(expected.Note, actual.Note);
        Assert.Equal(expected.Curves?.SelectMany(c => c.Median), actual.Curves?.SelectMany(c => c.Median));
    }
}
