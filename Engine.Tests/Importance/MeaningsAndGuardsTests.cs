using System.Globalization;
using System.Text.RegularExpressions;
using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// What each method says its score means, the settings and callbacks it refuses and why, and the edge cases of the
/// shared helpers (stepwise differences of unequal restarts, Kendall's W on two inputs, a Jacobian over more than one
/// batch, the noise baseline). Each test here was written against a mutant that survived the rest of the suite
/// (docs/TESTING.md, "Engine/Importance, 2026-12-04").
/// </summary>
public class MeaningsAndGuardsTests
{
    private static readonly string[] Names = ["x1", "x2", "x3"];

    // LSTM(4) -> LSTM(3, sequences) -> Dense(1, sigmoid): 3 features, 4 steps, 4 outputs a series; BCE, targets given.
    private static ImportanceContext Sequence(ulong seed = 1) => Fixtures.Context(Fixtures.Model(seed), seed);

    // The same data on LSTM(4) -> LSTM(3, last step) -> Dense(2, sigmoid): 2 outputs a series.
    private static ImportanceContext LastStep(ulong seed = 1) =>
        Fixtures.Context(Fixtures.Model(seed, lastStep: true), seed);

    [Fact]
    public void EveryMethodStatesWhatItsScoreMeans()
    {
        var context = Sequence();
        Retrainer retrain = (features, seed) => Fixtures.Model(seed, features: features.Length);
        context = context with { Retrain = retrain, RetrainPermuted = retrain };
        string bce = "binary_crossentropy";
        var expected = new Dictionary<IImportanceMethod, string>
        {
            [new ConnectionWeightsTest { Networks = 2 }] =
                "signed weight product W1c..v, ranked by |CW|; p from 2 networks on permuted targets",
            [new ImprovedStepwise(useMeans: false)] = $"rise in {bce} at removal (weights = 0)",
            [new ImprovedStepwise(useMeans: true)] = $"rise in {bce} at removal (x = mean)",
            [new RetrainingStepwise(forward: true) { Restarts = 1 }] = $"drop in {bce} at entry",
            [new RetrainingStepwise(forward: false) { Restarts = 1 }] = $"rise in {bce} at removal",
            [new ModelRandomisation { Networks = 2 }] = "partial-derivatives share on randomised weights",
            [new PartialDerivatives()] = "share of sum (dy/dx)^2",
            [new SensitivityAnalysis()] = "range of the median profile",
        };
        foreach (var (method, meaning) in expected) Assert.Equal(meaning, method.Compute(context).ScoreMeaning);
        // Across networks: the first network's meaning and the count.
        var one = new PartialDerivatives().Compute(context);
        Assert.Equal("share of sum (dy/dx)^2, mean of 2 networks",
                     ImportanceStatistics.AcrossNetworks([one, one]).ScoreMeaning);
    }

    [Fact]
    public void MethodsThatScoreGroupsScoreTheUnitsThemselves()
    {
        // A group's features removed, permuted or occluded together is not the sum of their one-at-a-time scores: the
        // five methods that say they score groups return what Compute gives on the grouped context.
        Retrainer retrain = (features, seed) => Fixtures.Model(seed, features: features.Length);
        var scoring = ImportanceMethods.Names.Select(n => ImportanceMethods.Create(n)).Where(m => m.ScoresGroups)
                                       .Select(m => m.Name).ToArray();
        string[] documented = ["forward-stepwise", "backward-stepwise", "improved-stepwise-1", "improved-stepwise-2",
                               "permutation", "occlusion", "input-perturbation"];
        Assert.Equal(documented.Order(), scoring.Order());
        foreach (var method in new IImportanceMethod[]
                 {
                     new ImprovedStepwise(false), new ImprovedStepwise(true),
                     new RetrainingStepwise(true) { Restarts = 1 },
                 })
        {
            // A stepwise sum telescopes when a group's members leave one after another, so the groupings are tried
            // until one tells the joint score from the sum (one must).
            bool told = false;
            foreach (var spec in new[] { "g=x1,x2", "g=x1,x3", "g=x2,x3" })
            {
                var context = Sequence() with { Groups = FeatureGroups.Parse(spec, Names), Retrain = retrain };
                var scored = method.Scored(context);
                Assert.Equal(method.Compute(context).Scores, scored.Scores);
                told |= !context.Groups!.Sum(method.Compute(context with { Groups = null }), method.Ranking).Scores
                                .SequenceEqual(scored.Scores);
            }
            Assert.True(told, method.Name);
        }
    }

    [Fact]
    public void TheRandomisationTestRefusesNoNetworksAMissingCallbackAndAWrongShapedNullNetwork()
    {
        var context = Sequence();
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new ConnectionWeightsTest { Networks = 0 }.Compute(context with
            {
                RetrainPermuted = (f, s) => Fixtures.Model(s),
            }));
        var missing = Assert.Throws<InvalidOperationException>(() => new ConnectionWeightsTest().Compute(context));
        Assert.Equal("connection-weights-test trains networks on permuted targets: give the context a " +
                     "RetrainPermuted callback", missing.Message);
        // Two inputs instead of three (same outputs), then the right inputs but one output a series instead of four.
        var fewer = Assert.Throws<InvalidOperationException>(() => new ConnectionWeightsTest { Networks = 1 }.Compute(
            context with { RetrainPermuted = (f, s) => Fixtures.Model(s, features: 2) }));
        Assert.Equal("the retrainer returned a model with 2 inputs and 4 outputs per series; expected 3 and 4",
                     fewer.Message);
        var outputs = Assert.Throws<InvalidOperationException>(() => new ConnectionWeightsTest { Networks = 1 }.Compute(
            context with { RetrainPermuted = (f, s) => Fixtures.Model(s, lastStep: true) }));
        Assert.Equal("the retrainer returned a model with 3 inputs and 2 outputs per series; expected 3 and 4",
                     outputs.Message);
    }

    [Fact]
    public void StepwiseRefusesNoRestartsAMissingCallbackAWrongShapedModelAndWindowsOnSequences()
    {
        var context = LastStep();
        Retrainer retrain = (features, seed) => Fixtures.Model(seed, lastStep: true, features: features.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RetrainingStepwise(forward: true) { Restarts = 0 }.Compute(context with { Retrain = retrain }));
        var missing = Assert.Throws<InvalidOperationException>(() => new RetrainingStepwise(forward: false)
                                                                   .Compute(context));
        Assert.Equal("backward-stepwise retrains the network on subsets of the inputs: give the context a Retrain " +
                     "callback", missing.Message);
        var windows = context with { Groups = FeatureGroups.Lags("0,1-3", Fixtures.Steps, Names) };
        var masked = Assert.Throws<InvalidOperationException>(() => new RetrainingStepwise(forward: true)
                                                                  .Compute(windows));
        Assert.Equal("forward-stepwise retrains the network on subsets of the inputs: give the context a " +
                     "RetrainMasked callback", masked.Message);
        // A subset of one input retrained into a model that still takes three.
        var wrong = Assert.Throws<InvalidOperationException>(() => new RetrainingStepwise(forward: true)
        {
            Restarts = 1,
        }.Compute(context with { Retrain = (f, s) => Fixtures.Model(s, lastStep: true) }));
        Assert.Equal("the retrainer returned a model with 3 inputs and 2 outputs per series; expected 1 and 2",
                     wrong.Message);
        // Lag windows on a model with an output per step: refused with the reason, before any callback is asked for.
        var sequence = Sequence() with { Groups = FeatureGroups.Lags("0,1-3", Fixtures.Steps, Names) };
        var skipped = Assert.Throws<InvalidOperationException>(() => new RetrainingStepwise(forward: true)
                                                                   .Compute(sequence));
        Assert.Equal(RetrainingStepwise.SequenceNote("forward-stepwise"), skipped.Message);
        Assert.StartsWith("forward-stepwise skipped: a lag window moves with each output step", skipped.Message);
    }

    [Fact]
    public void ConstantLossRefusesMissingArgumentsAndNoUnits()
    {
        Assert.Throws<ArgumentNullException>(() => RetrainingStepwise.ConstantLoss(null!, new MeanSquaredError()));
        Assert.Throws<ArgumentNullException>(() => RetrainingStepwise.ConstantLoss([1f], null!));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            RetrainingStepwise.ConstantLoss([1f, 0f], new MeanSquaredError(), units: 0));
    }

    [Fact]
    public void ModelRandomisationDrawsTheContextsRepeatsUnlessToldAndSaysWhatItFound()
    {
        var context = Sequence() with { Repeats = 3 };
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelRandomisation { Networks = 0 }.Compute(context));
        var result = new ModelRandomisation().Compute(context);
        Assert.All(result.Features, f => Assert.Equal(3, f.Statistics!.Value.Count));
        Assert.Equal(2, new ModelRandomisation { Networks = 2 }.Compute(context).Features[0].Statistics!.Value.Count);
        string F3(IEnumerable<double> values) =>
            string.Join(", ", values.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)));
        var note = new Regex(@"^model-randomisation \(partial-derivatives\): trained shares (.*); " +
                             @"randomised \(mean of 3\) (.*); mean Spearman\(trained, randomised\) = " +
                             @"(-?\d\.\d\d|NaN)$").Match(result.Note!);
        Assert.True(note.Success, result.Note);
        Assert.Equal(F3(result.TrainedShares!), note.Groups[1].Value);
        Assert.Equal(F3(result.Scores), note.Groups[2].Value);
    }

    [Fact]
    public void KendallsWOnTwoInputsAndTheRankingsRefused()
    {
        Assert.Equal(1.0, ImportanceAgreement.KendallW([[1, 2], [1, 2]]), 12);
        // Two rankings reversed: R = (3, 3) = m (n + 1) / 2 each, S = 0.
        Assert.Equal(0.0, ImportanceAgreement.KendallW([[1, 2], [2, 1]]), 12);
        var none = Assert.Throws<ArgumentException>(() => ImportanceAgreement.SpearmanMatrix([]));
        Assert.StartsWith("at least one ranking is needed", none.Message);
        var uneven = Assert.Throws<ArgumentException>(() => ImportanceAgreement.KendallW([[1, 2], [1, 2, 3]]));
        Assert.StartsWith("every ranking must rank the same 2 inputs", uneven.Message);
    }

    [Fact]
    public void StepwiseDifferencesBroadcastASubsetEvaluatedOnce()
    {
        // Losses by mask: {} once (a constant predictor needs no restarts), every other subset twice.
        var table = new Dictionary<ulong, double[]>
        {
            [0] = [1.0], [1] = [0.5, 0.7], [2] = [0.8, 0.9], [3] = [0.2, 0.4],
        };
        double[][] Loss(ulong[] masks) => masks.Select(m => table[m]).ToArray();
        // Forward: x1 enters first (mean 0.6 < 0.85): drops 1.0 - 0.5, 1.0 - 0.7; then x2: 0.3, 0.3.
        var (forward, _, forwardOrder) = StepwiseSearch.Forward(2, Loss);
        Assert.Equal([0, 1], forwardOrder);
        Assert.Equal(new SampleStatistics(0.4, Math.Round(Math.Sqrt(0.02), 12), 0.1, 2), Rounded(forward[0]));
        Assert.Equal(new SampleStatistics(0.3, 0, 0, 2), Rounded(forward[1]));
        // Backward: x2 goes first (0.6 < 0.85 left): rises 0.3, 0.3; then x1 down to {}: 1.0 - 0.5, 1.0 - 0.7.
        var (backward, _, backwardOrder) = StepwiseSearch.Backward(2, Loss);
        Assert.Equal([1, 0], backwardOrder);
        Assert.Equal(new SampleStatistics(0.4, Math.Round(Math.Sqrt(0.02), 12), 0.1, 2), Rounded(backward[0]));
        Assert.Equal(new SampleStatistics(0.3, 0, 0, 2), Rounded(backward[1]));
    }

    private static SampleStatistics Rounded(SampleStatistics s) =>
        new(Math.Round(s.Mean, 12), Math.Round(s.Sd, 12), Math.Round(s.Se, 12), s.Count);

    [Fact]
    public void PartialDerivativesOfAModelThatIgnoresItsInputsAreZerosNotNaN()
    {
        var context = Sequence();
        context.Model.Tensor(0, "kernel").Clear();
        context.Model.Tensor(0, "recurrent_kernel").Clear();
        var result = new PartialDerivatives().Compute(context);
        Assert.All(result.TimeMap!.Cast<double>(), v => Assert.Equal(0.0, v));
        Assert.All(result.LagMap!.Cast<double>(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void PartialDerivativesLagMapPlacesEachUnitOfAStepAtItsOwnStep()
    {
        // Two outputs a step: output p is unit p % 2 of step p / 2, and its Jacobian J_p[n, t, i] lands at lag
        // p / 2 - t. The slices come from the public Jacobian; the sums and the division by the total are here.
        var model = new Sequential(3, [new Lstm(4, returnSequences: true), new Dense(2, Activation.Sigmoid)],
                                   flatten: true);
        model.Initialize(5);
        var context = Fixtures.Context(model, 5);
        int steps = context.Steps, features = 3, count = context.Count;
        var lag = new double[steps, features];
        double total = 0;
        for (int p = 0; p < 2 * steps; p++)
        {
            var j = PartialDerivatives.Jacobian(model, context.Inputs, count, steps, p);
            for (int n = 0; n < count; n++)
                for (int t = 0; t <= p / 2; t++)
                    for (int i = 0; i < features; i++)
                    {
                        double d = j[(n * steps + t) * features + i];
                        lag[p / 2 - t, i] += d * d;
                        total += d * d;
                    }
        }
        var result = new PartialDerivatives().Compute(context);
        for (int k = 0; k < steps; k++)
            for (int i = 0; i < features; i++) Assert.Equal(lag[k, i] / total, result.LagMap![k, i], 1e-9);
    }

    [Fact]
    public void AJacobianOverMoreThanOneBatchPlacesEachBatchAtItsSeries()
    {
        // 300 series: the worker's passes take 256, then 44; each batch's slice goes to its own series.
        var model = Fixtures.Model(3);
        int count = 300, steps = 2, features = 3;
        var x = new float[count * steps * features];
        new RandomSource(8).FillUniform(x);
        var expected = new float[x.Length];
        var full = model.Clone();
        var output = new float[count * steps];
        full.Forward(output, x, count, steps);
        var dOutput = new float[count * steps];
        for (int n = 0; n < count; n++) dOutput[n * steps + 1] = 1;
        full.Backward(expected, dOutput);
        Assert.Equal(expected, PartialDerivatives.Jacobian(model, x, count, steps, 1));
        Assert.NotEqual(0f, expected[299 * steps * features]);
    }

    [Fact]
    public void TheNoiseBaselineIsTheMeanPlusTheSampleDeviationTimesTheDocumentedDraws()
    {
        var context = Sequence(seed: 6);
        var baseline = new IntegratedGradients { From = IntegratedGradientsBaseline.Noise }.Baseline(context);
        int f = context.Features;
        long n = context.Inputs.Length / f;
        var mean = new double[f];
        var squares = new double[f];
        for (int j = 0; j < context.Inputs.Length; j++) mean[j % f] += context.Inputs[j] / (double)n;
        for (int j = 0; j < context.Inputs.Length; j++)
            squares[j % f] += (context.Inputs[j] - mean[j % f]) * (context.Inputs[j] - mean[j % f]);
        var random = new RandomSource(6).Fork(RandomStreams.IntegratedGradientsNoise);
        for (int j = 0; j < baseline.Length; j++)
            Assert.Equal(mean[j % f] + Math.Sqrt(squares[j % f] / (n - 1)) * random.NextGaussian(), baseline[j], 1e-5);
        // One value per feature: no spread, the baseline is the mean itself.
        var single = context with { Inputs = [0.25f, -1f, 3f], Targets = [1f], Count = 1, Steps = 1 };
        Assert.Equal([0.25f, -1f, 3f],
                     new IntegratedGradients { From = IntegratedGradientsBaseline.Noise }.Baseline(single));
    }

    [Fact]
    public void IntegratedGradientsRefuseAnUnknownBaselineNoIntervalsAndABaselineOfAnotherShape()
    {
        var context = Sequence();
        var unknown = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new IntegratedGradients { From = (IntegratedGradientsBaseline)7 }.Baseline(context));
        Assert.Contains("unknown baseline", unknown.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => IntegratedGradients.Attributions(
            context.Model, context.Inputs, new float[context.Inputs.Length], context.Count, context.Steps, 0));
        var shape = Assert.Throws<ArgumentException>(() => IntegratedGradients.Attributions(
            context.Model, context.Inputs, new float[2], context.Count, context.Steps, 4));
        Assert.StartsWith($"baseline has 2 values but inputs have {context.Inputs.Length}: they must match",
                          shape.Message);
    }

    [Fact]
    public void MultiplyRefusesMatricesThatDoNotChain()
    {
        var e = Assert.Throws<ArgumentException>(() => WeightPaths.Multiply(new double[2, 3], new double[2, 2]));
        Assert.Equal("cannot multiply (2, 3) by (2, 2)", e.Message);
    }

    [Fact]
    public void ParseReadsAllAnywhereInTheListAndRefusesNothingNamingTheValidMethods()
    {
        Assert.Equal(ImportanceMethods.Names, ImportanceMethods.Parse("garson, ALL"));
        Assert.Equal(["garson", "permutation"], ImportanceMethods.Parse(" Garson,permutation,garson "));
        Assert.Throws<ArgumentNullException>(() => ImportanceMethods.Parse(null!));
        string valid = "valid methods: connection-weights, connection-weights-test, garson, partial-derivatives, " +
                       "input-perturbation, sensitivity-analysis, forward-stepwise, backward-stepwise, " +
                       "improved-stepwise-1, improved-stepwise-2, permutation, integrated-gradients, occlusion, " +
                       "model-randomisation, or all";
        Assert.Equal("no importance method given; " + valid,
                     Assert.Throws<ArgumentException>(() => ImportanceMethods.Parse(" , ")).Message);
        Assert.Equal("unknown importance method 'garsn'; " + valid,
                     Assert.Throws<ArgumentException>(() => ImportanceMethods.Parse("garson,garsn")).Message);
    }

    [Theory]
    [InlineData(ImportanceRanking.ByValue, false)]
    [InlineData(ImportanceRanking.Magnitude, true)]
    [InlineData(ImportanceRanking.EntryOrder, false)]
    [InlineData(ImportanceRanking.RemovalOrder, false)]
    public void OnlyMagnitudeRanksByMagnitude(ImportanceRanking ranking, bool byMagnitude) =>
        Assert.Equal(byMagnitude, ranking.ByMagnitude());
}
