using Engine.Importance;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// The methods' settings at and past their boundaries: the first value refused names the setting and its value, the
/// boundary itself is accepted, and a method's own setting overrides the context's. Written for the survivors of the
/// mutation run over Engine/Importance (docs/TESTING.md): no other test gave a method a setting out of range.
/// </summary>
public class SettingsBoundaryTests
{
    private static ImportanceContext Context(int repeats = 3) =>
        Fixtures.Context(Fixtures.Model(1), 1, repeats: repeats);

    private static void Refused<T>(Func<object> run, params string[] words) where T : Exception
    {
        var e = Assert.Throws<T>(run);
        foreach (var word in words) Assert.Contains(word, e.Message);
    }

    [Fact]
    public void RepeatsMustBePositiveAndTheMethodsOwnCountWins()
    {
        var context = Context(repeats: 3);
        Refused<ArgumentOutOfRangeException>(() => new Permutation { Repeats = 0 }.Compute(context), "Repeats", "0");
        Refused<ArgumentOutOfRangeException>(() => new InputPerturbation { Repeats = 0 }.Compute(context),
                                             "Repeats", "0");
        Refused<ArgumentOutOfRangeException>(() => new Permutation().Compute(context with { Repeats = 0 }),
                                             "Repeats");
        // The method's Repeats (2) rather than the context's (3); one repeat: no spread, no statistics for the noise.
        Assert.Equal(2, new Permutation { Repeats = 2 }.Compute(context).Features[0].Statistics!.Value.Count);
        Assert.Equal(2, new InputPerturbation { Repeats = 2 }.Compute(context).Features[0].Statistics!.Value.Count);
        Assert.Equal(3, new Permutation().Compute(context).Features[0].Statistics!.Value.Count);
        Assert.Equal(1, new Permutation { Repeats = 1 }.Compute(context).Features[0].Statistics!.Value.Count);
        Assert.Null(new InputPerturbation { Repeats = 1 }.Compute(context).Features[0].Statistics);
    }

    [Fact]
    public void PerturbationSigmaAndScaleMustBeFiniteAndSigmaNonNegative()
    {
        var context = Context();
        foreach (float sigma in new[] { -0.1f, float.NaN, float.PositiveInfinity })
            Refused<InvalidOperationException>(() => new InputPerturbation { Sigma = sigma }.Compute(context),
                                               $"Sigma = {sigma}: sigma must be a finite, non-negative number");
        foreach (float p in new[] { float.NaN, float.NegativeInfinity })
            Refused<InvalidOperationException>(() => new InputPerturbation { Scale = p }.Compute(context),
                                               $"Scale = {p}", "finite");
        // The boundaries: no noise and no scaling change nothing.
        Assert.All(new InputPerturbation { Sigma = 0 }.Compute(context).Scores, s => Assert.Equal(0.0, s));
        Assert.All(new InputPerturbation { Scale = 0 }.Compute(context).Scores, s => Assert.Equal(0.0, s));
    }

    [Fact]
    public void TheScoreMeaningsNameTheLossAndTheSettings()
    {
        var context = Context();
        Assert.Equal("rise in binary_crossentropy", new Permutation().Compute(context).ScoreMeaning);
        Assert.Contains("noise sd 0.3", new InputPerturbation { Sigma = 0.3f }.Compute(context).ScoreMeaning);
        Assert.Contains("x(1+0.25)", new InputPerturbation { Scale = 0.25f }.Compute(context).ScoreMeaning);
    }

    [Fact]
    public void IntegratedGradientsStepsCapAndToleranceAreChecked()
    {
        var context = Context();
        Refused<ArgumentOutOfRangeException>(() => new IntegratedGradients { Steps = 0 }.Compute(context), "Steps");
        Refused<InvalidOperationException>(() => new IntegratedGradients { Steps = 8, MaxSteps = 7 }.Compute(context),
                                           "MaxSteps (7)", "Steps (8)");
        foreach (double tolerance in new[] { -0.01, double.NaN })
            Refused<InvalidOperationException>(() => new IntegratedGradients { Tolerance = tolerance }.Compute(context),
                                               "Tolerance", tolerance.ToString());
        // The boundaries: a cap equal to the start, a tolerance of 0 (never met: the cap stops the search).
        var capped = new IntegratedGradients { Steps = 4, MaxSteps = 4, Tolerance = 0 }.Compute(context);
        Assert.Equal(4, capped.Completeness!.Intervals);
    }

    [Fact]
    public void IntegratedGradientsRefusesMisshapenBaselinesAndWeights()
    {
        var context = Context();
        var model = context.Model;
        var ig = new IntegratedGradients { From = IntegratedGradientsBaseline.Zero, ZeroPoint = [0f, 0f] };
        Refused<ArgumentException>(() => ig.Baseline(context), "ZeroPoint", "F=3", "has 2");
        int outputs = model.OutputsPerSeries(context.Steps);
        var x = context.Inputs;
        Refused<ArgumentException>(() => new IntegratedGradients().Explain(model, x, new float[x.Length - 1],
                                                                           context.Count, context.Steps,
                                                                           new float[outputs]), "baseline has");
        Refused<ArgumentException>(() => new IntegratedGradients().Explain(model, x, new float[x.Length],
                                                                           context.Count, context.Steps,
                                                                           new float[outputs + 1]),
                                   $"must hold {outputs} values", $"have {outputs + 1}");
        Assert.Throws<ArgumentNullException>(() => new IntegratedGradients().Explain(null!, x, x, context.Count,
                                                                                     context.Steps,
                                                                                     new float[outputs]));
    }

    [Fact]
    public void JacobianOutputMustBeAnOutputOfTheSeries()
    {
        var context = Context();
        int outputs = context.Model.OutputsPerSeries(context.Steps);
        foreach (int output in new[] { -1, outputs })
            Refused<ArgumentOutOfRangeException>(() => PartialDerivatives.Jacobian(context.Model, context.Inputs,
                                                                                   context.Count, context.Steps,
                                                                                   output), $"[0, {outputs})");
        Assert.Equal(context.Inputs.Length,
                     PartialDerivatives.Jacobian(context.Model, context.Inputs, context.Count, context.Steps,
                                                 outputs - 1).Length);
    }

    [Fact]
    public void SensitivityNeedsTwoPoints()
    {
        var context = Context();
        Refused<InvalidOperationException>(() => new SensitivityAnalysis { Points = 1 }.Compute(context),
                                           "Points = 1", "at least 2");
        Assert.Equal(2, new SensitivityAnalysis { Points = 2 }.Compute(context).Curves![0].Values.Length);
    }

    [Fact]
    public void StepwiseSearchesHandleOneToSixtyTwoFeatures()
    {
        static double[][] Loss(ulong[] masks) =>
            [.. masks.Select(m => new[] { -(double)System.Numerics.BitOperations.PopCount(m) })];
        foreach (int features in new[] { 0, 63 })
        {
            Refused<ArgumentOutOfRangeException>(() => StepwiseSearch.Forward(features, Loss), "1 to 62",
                                                 $"not {features}");
            Refused<ArgumentOutOfRangeException>(() => StepwiseSearch.Backward(features, Loss), "1 to 62");
        }
        // 62 features: every one enters (and leaves), each changing the loss by exactly 1.
        var forward = StepwiseSearch.Forward(62, Loss);
        var backward = StepwiseSearch.Backward(62, Loss);
        Assert.Equal(Enumerable.Range(0, 62), forward.Order);
        Assert.Equal(Enumerable.Range(0, 62), backward.Order);
        Assert.All(forward.Scores, s => Assert.Equal(1.0, s.Mean));
        Assert.All(backward.Scores, s => Assert.Equal(1.0, s.Mean));
        Assert.Equal(1, StepwiseSearch.Forward(1, Loss).Ranks[0]);
    }

    [Fact]
    public void StatisticsRefuseEmptyAndMismatchedInputs()
    {
        Refused<ArgumentException>(() => ImportanceStatistics.Summarise([]), "at least one sample");
        Refused<ArgumentException>(() => ImportanceStatistics.Spearman([1, 2], [1, 2, 3]), "a has 2", "b has 3");
        Refused<ArgumentException>(() => ImportanceStatistics.AcrossNetworks([]), "at least one result");
        var a = ImportanceResult.FromScores("m", [1, 2]);
        var b = ImportanceResult.FromScores("m", [1]);
        Refused<ArgumentException>(() => ImportanceStatistics.AcrossNetworks([a, b]), "method m with 2 features");
        // Shares of nothing are nothing (not 0 / 0).
        Assert.Equal([0.0, 0.0], ImportanceStatistics.Shares([0.0, 0.0]));
        Assert.Equal([0.25, 0.75], ImportanceStatistics.Shares([1.0, 3.0]));
    }
}
