using Engine.Importance;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>Feature groups: parsing, the grouped scores of permutation, occlusion and perturbation, and the
/// sums.</summary>
public class FeatureGroupTests
{
    private static readonly string[] Names = ["a", "b", "c"];

    // y[n, t] = k . x[n, t] + bias per step (Dense on every step, flattened): T outputs per series.
    private static Sequential Linear(float[] kernel, float bias)
    {
        var model = new Sequential(kernel.Length, [new Dense(1)], flatten: true);
        kernel.CopyTo(model.Tensor(0, "kernel"));
        model.Tensor(0, "bias")[0] = bias;
        return model;
    }

    private static ImportanceContext Context(Sequential model, float[] x, float[] targets, int count, int steps,
                                             FeatureGroups? groups = null) =>
        new()
        {
            Model = model, Inputs = x, Targets = targets, Count = count, Steps = steps, Loss = new MeanSquaredError(),
            Seed = 5, Threads = 1, Repeats = 4, Groups = groups, FeatureMeans = new float[model.InputFeatures],
        };

    // Features a and b are copies of one input u; c is an independent input. Targets = the model's own predictions.
    private static ImportanceContext Copies(FeatureGroups? groups)
    {
        const int count = 6, steps = 3;
        var model = Linear([0.7f, 0.7f, -0.4f], 0.2f);
        var x = new float[count * steps * 3];
        for (int n = 0; n < count; n++)
            for (int t = 0; t < steps; t++)
            {
                int j = (n * steps + t) * 3;
                x[j] = x[j + 1] = MathF.Sin(1.3f * n + 0.7f * t);
                x[j + 2] = MathF.Cos(0.9f * n - 0.4f * t);
            }
        var y = new float[count * steps];
        model.Predict(y, x, count, steps);
        return Context(model, x, y, count, steps, groups);
    }

    [Theory]
    [InlineData("permutation")]
    [InlineData("occlusion")]
    [InlineData("input-perturbation")]
    public void A_group_of_two_copies_scores_at_least_the_feature_alone(string method)
    {
        var m = ImportanceMethods.Create(method);
        var alone = m.Scored(Copies(null));
        var grouped = m.Scored(Copies(FeatureGroups.Parse("u=a,b", Names)));
        Assert.Equal(["u", "c"], grouped.Groups!.Names);
        Assert.Equal(2, grouped.Features.Count);
        Assert.True(alone.Features[0].Score > 0);
        Assert.True(grouped.Features[0].Score >= alone.Features[0].Score,
                    $"{grouped.Features[0].Score} < {alone.Features[0].Score}");
        if (method == "input-perturbation") return;
        // Targets = predictions, the model linear and both copies weighted alike: moving both doubles every output
        // change, so a squared-error rise is exactly 4 times (the group is unit 0 as a was: the same permutations).
        Assert.Equal(4 * alone.Features[0].Score, grouped.Features[0].Score, 1e-5 * grouped.Features[0].Score);
        // The ungrouped feature c keeps its score (unit 1 now, feature 2 before: its own draws for permutation).
        if (method == "occlusion") Assert.Equal(alone.Features[2].Score, grouped.Features[1].Score, 12);
    }

    // A hand-set model and data: F = 3, T = 2, N = 3, y = 0.5 a - b + 2 c + 0.1, MSE.
    private static readonly float[] HandKernel = [0.5f, -1f, 2f];

    private static readonly float[] HandX =
    [
        1.0f, 0.5f, -0.5f,  0.2f, -1.0f, 0.3f,
        -0.4f, 0.8f, 0.1f,  0.6f, 0.0f, -0.7f,
        0.9f, -0.3f, 0.4f,  -0.8f, 0.7f, 0.2f,
    ];

    private static readonly float[] HandTargets = [0.0f, 1.0f, -0.5f, 0.3f, 1.2f, -0.6f];

    private static double HandPrediction(double[] x, int row) =>
        0.5 * x[row * 3] - 1.0 * x[row * 3 + 1] + 2.0 * x[row * 3 + 2] + 0.1;

    [Fact]
    public void Grouped_occlusion_matches_a_hand_computation()
    {
        // Group g = {a, c} occluded by 0 at step t: D[n, t] = ((y' - z)^2 - (y - z)^2) / T for the output of step t
        // (the only one that changes), TimeMap[t, g] = mean_n |D[n, t]|, score = sum_t TimeMap[t, g].
        var groups = FeatureGroups.Parse("g=a,c", Names);
        var result = new Occlusion().Compute(Context(Linear(HandKernel, 0.1f), HandX, HandTargets, 3, 2, groups));
        double expected = 0;
        var x = HandX.Select(v => (double)v).ToArray();
        for (int t = 0; t < 2; t++)
        {
            double cell = 0;
            for (int n = 0; n < 3; n++)
            {
                int row = n * 2 + t;
                var occluded = (double[])x.Clone();
                occluded[row * 3] = 0;
                occluded[row * 3 + 2] = 0;
                double z = HandTargets[row], before = HandPrediction(x, row) - z,
                after = HandPrediction(occluded, row) - z;
                cell += Math.Abs((after * after - before * before) / 2) / 3;
            }
            Assert.Equal(cell, result.TimeMap![t, 0], 1e-6);
            expected += cell;
        }
        Assert.Equal(["g", "b"], result.Groups!.Names);
        Assert.Equal(expected, result.Features[0].Score, 1e-6);
        // Unit b = the single feature b's occlusion score.
        Assert.Equal(new Occlusion().Compute(Context(Linear(HandKernel, 0.1f), HandX, HandTargets, 3,
                                                     2)).Features[1].Score,
                     result.Features[1].Score, 12);
    }

    [Fact]
    public void Grouped_scaling_perturbation_matches_a_hand_computation()
    {
        // Scaling group {a, c} by 1.5 changes every output by 0.5 (0.5 a + 2 c): score = sqrt(mean of its squares).
        var groups = FeatureGroups.Parse("g=a,c", Names);
        var result =
            new InputPerturbation { Scale = 0.5f }.Compute(Context(Linear(HandKernel, 0.1f), HandX, HandTargets, 3, 2,
                                                                   groups));
        double squares = 0;
        for (int row = 0; row < 6; row++)
        {
            double d = 0.5 * (0.5 * HandX[row * 3] + 2.0 * HandX[row * 3 + 2]);
            squares += d * d;
        }
        Assert.Equal(Math.Sqrt(squares / 6), result.Features[0].Score, 1e-6);
    }

    [Fact]
    public void Grouped_permutation_matches_a_hand_computation()
    {
        // Two series: a permutation either keeps them or swaps them. Swapping group {b, c} between the series changes
        // the outputs by -(b' - b) + 2 (c' - c); the rise in MSE against the targets is the mean over the four outputs.
        var groups = FeatureGroups.Parse("g=b,c", Names);
        var x = HandX[..12];
        var targets = HandTargets[..4];
        var result =
            new Permutation { Repeats = 8 }.Compute(Context(Linear(HandKernel, 0.1f), x, targets, 2, 2, groups));
        var xs = x.Select(v => (double)v).ToArray();
        var swapped = (double[])xs.Clone();
        for (int t = 0; t < 2; t++)
            for (int i = 1; i < 3; i++)
                (swapped[t * 3 + i], swapped[(2 + t) * 3 + i]) = (xs[(2 + t) * 3 + i], xs[t * 3 + i]);
        double before = 0, after = 0;
        for (int row = 0; row < 4; row++)
        {
            before += Math.Pow(HandPrediction(xs, row) - targets[row], 2) / 4;
            after += Math.Pow(HandPrediction(swapped, row) - targets[row], 2) / 4;
        }
        double rise = after - before;
        var stats = result.Features[0].Statistics!.Value;
        // Each repeat's rise is 0 or the swap's: the mean is (swaps / 8) * rise with 0 < swaps < 8 for this seed.
        double swaps = stats.Mean / rise * 8;
        Assert.Equal(Math.Round(swaps), swaps, 4);
        Assert.InRange(swaps, 0.5, 7.5);
    }

    [Fact]
    public void Methods_that_cannot_group_sum_their_feature_scores()
    {
        var groups = FeatureGroups.Parse("g=c,a", Names);
        var context = Context(Linear(HandKernel, 0.1f), HandX, HandTargets, 3, 2);
        foreach (var name in new[] { "connection-weights", "partial-derivatives", "integrated-gradients" })
        {
            var method = ImportanceMethods.Create(name);
            var single = method.Compute(context).Scores;
            var grouped = method.Scored(context with { Groups = groups });
            Assert.Equal(["g", "b"], grouped.Groups!.Names);
            Assert.Equal(single[0] + single[2], grouped.Features[0].Score, 12);
            Assert.Equal(single[1], grouped.Features[1].Score, 12);
        }
    }

    [Fact]
    public void Grouped_improved_stepwise_removes_a_group_at_once()
    {
        // Units g = {a, c} and b, removed by x = 0 at every step: the unit whose removal costs least goes first
        // (score L(without it) - L(all)), the other last (L(none) - L(first gone)); MSE over the 6 outputs by hand.
        var groups = FeatureGroups.Parse("g=a,c", Names);
        var result = new ImprovedStepwise(useMeans: false).Compute(Context(Linear(HandKernel, 0.1f), HandX, HandTargets,
                                                                          3, 2, groups));
        var x = HandX.Select(v => (double)v).ToArray();
        double Loss(params int[] removed)
        {
            var kept = (double[])x.Clone();
            for (int row = 0; row < 6; row++) foreach (int i in removed) kept[row * 3 + i] = 0;
            return Enumerable.Range(0, 6).Sum(row => Math.Pow(HandPrediction(kept, row) - HandTargets[row], 2)) / 6;
        }
        double all = Loss(), withoutG = Loss(0, 2), withoutB = Loss(1), none = Loss(0, 1, 2);
        int first = withoutB < withoutG ? 1 : 0;
        Assert.Equal(["g", "b"], result.Groups!.Names);
        Assert.Equal([first, 1 - first], result.Order!);
        Assert.Equal((first == 0 ? withoutG : withoutB) - all, result.Features[first].Score, 1e-6);
        Assert.Equal(none - (first == 0 ? withoutG : withoutB), result.Features[1 - first].Score, 1e-6);
    }

    [Fact]
    public void A_stepwise_order_puts_a_group_in_with_its_first_member_and_out_with_its_last()
    {
        var groups = FeatureGroups.Parse("g=a,c", Names);
        var features = new[] { new FeatureImportance(0, 0.1, 3), new FeatureImportance(1, 0.2, 2),
            new FeatureImportance(2, 0.3, 1) };
        // Backward: a removed first, then b, then c: g (a, c) leaves with c, after b.
        var backward = groups.Sum(new ImportanceResult("m", features) { Order = [0, 1, 2] },
                                  ImportanceRanking.RemovalOrder);
        Assert.Equal([1, 0], backward.Order!);
        Assert.Equal([1, 2], backward.Ranks);
        // Forward: a enters first: g enters at step 1, b at step 2.
        var forward = groups.Sum(new ImportanceResult("m", features) { Order = [0, 1, 2] },
                                 ImportanceRanking.EntryOrder);
        Assert.Equal([0, 1], forward.Order!);
        Assert.Equal([1, 2], forward.Ranks);
        Assert.Equal(0.4, forward.Features[0].Score, 12);
    }

    [Theory]
    [InlineData("g=a,x", "unknown feature 'x'")]
    [InlineData("g=a,b;h=b", "feature 'b' is in two groups, 'g' and 'h'")]
    [InlineData("g=", "group 'g' is empty")]
    [InlineData("g=a,a", "names feature 'a' twice")]
    [InlineData("g=a;g=b", "group 'g' is given twice")]
    [InlineData("b=a", "has the name of a feature outside it")]
    [InlineData("a,b", "has no '='")]
    [InlineData("=a", "has no name")]
    [InlineData(" ; ", "no group given")]
    public void Bad_specs_are_refused_naming_the_problem(string spec, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => FeatureGroups.Parse(spec, Names));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Units_are_the_groups_then_the_ungrouped_features()
    {
        var groups = FeatureGroups.Parse(" w = c , a ", Names);
        Assert.Equal(["w", "b"], groups.Names);
        Assert.Equal([0, 2], groups.Members[0]);
        Assert.Equal([1], groups.Members[1]);
    }

    [Fact]
    public void Summed_maps_add_their_members_columns()
    {
        // Units g = {a, c}, then b: column g = column a + column c, by hand.
        var groups = FeatureGroups.Parse("g=a,c", Names);
        var result = ImportanceResult.FromScores("m", [0.1, 0.2, 0.3]) with
        {
            TimeMap = new double[,] { { 1, 2, 3 }, { 4, 5, 6 } },
            LagMap = new double[,] { { -1, 10, 0.5 } },
            GateScores = new double[,] { { 0.25, 0, 0.25 } },
        };
        var summed = groups.Sum(result, ImportanceRanking.ByValue);
        Assert.Equal(new double[] { 4, 2, 10, 5 }, summed.TimeMap!.Cast<double>());
        Assert.Equal(new double[] { -0.5, 10 }, summed.LagMap!.Cast<double>());
        Assert.Equal(new double[] { 0.5, 0 }, summed.GateScores!.Cast<double>());
        Assert.Equal([0.4, 0.2], summed.Scores.Select(v => Math.Round(v, 12)));
    }
}
