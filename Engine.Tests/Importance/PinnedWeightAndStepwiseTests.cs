using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// Connection weights (every gate block, a stacked path), its randomisation test's p-values, Garson's gate scores,
/// the four stepwise methods and the Spearman correlation, pinned against values computed by hand here. The stepwise
/// methods that retrain get a stub retrainer the test controls: each (subset, restart) seed it is documented to pass
/// maps to a linear model whose loss the test computes itself, so orders, paired scores and their statistics are
/// checked without training anything.
/// </summary>
public class PinnedWeightAndStepwiseTests
{
    // LSTM(2) -> LSTM(2, sequences) -> Dense(1) on 2 inputs. First kernel (2, 8), blocks i, f, c, o of 2 columns:
    //   i = [[1, 2], [-3, 1]]  f = [[0.5, -1], [2, 1]]  c = [[-1, 4], [3, 0.5]]  o = [[2, 0.5], [-1, -2]]
    // Second kernel (2, 8): candidate block W2c = [[1, -2], [0.5, 3]], the other blocks 9 (never read). Head v = [2,
    // -1].
    private static Sequential Stacked()
    {
        var model = new Sequential(2,
                                   [new Lstm(2, returnSequences: true), new Lstm(2, returnSequences: true),
                                    new Dense(1)],
                                   flatten: true);
        model.Initialize(1);
        float[] first = [1, 2, 0.5f, -1, -1, 4, 2, 0.5f, -3, 1, 2, 1, 3, 0.5f, -1, -2];
        float[] second = [9, 9, 9, 9, 1, -2, 9, 9, 9, 9, 9, 9, 0.5f, 3, 9, 9];
        first.CopyTo(model.Tensor(0, "kernel"));
        second.CopyTo(model.Tensor(1, "kernel"));
        new[] { 2f, -1f }.CopyTo(model.Tensor(2, "kernel"));
        return model;
    }

    private static ImportanceContext Context(Sequential model, float[] inputs, float[]? targets, int count, int steps,
                                             ulong seed = 4)
    {
        return new ImportanceContext
        {
            Model = model, Inputs = inputs, Targets = targets, Count = count, Steps = steps,
            Loss = new MeanSquaredError(),
            Seed = seed, Threads = 2,
        };
    }

    private static ImportanceContext StackedContext() => Context(Stacked(), new float[2 * 3 * 2], null, 2, 3);

    [Fact]
    public void ConnectionWeightsMultiplyTheSignedCandidatePathForEveryGate()
    {
        var result = new ConnectionWeights().Compute(StackedContext());
        // Signed downstream path d = W2c v = [1 * 2 + (-2)(-1), 0.5 * 2 + 3 (-1)] = [4, -2] (|W2c| |v| would be [4,
        // 7]).
        // CW = W1c d = [(-1) 4 + 4 (-2), 3 * 4 + 0.5 (-2)] = [-12, 11]; ranked by magnitude.
        Assert.Equal([-12.0, 11.0], result.Scores);
        Assert.Equal([1, 2], result.Ranks);
        // Each gate block in place of W1c: i [1 * 4 - 2 * 2, -3 * 4 - 1 * 2] = [0, -14], f [2 + 2, 8 - 2] = [4, 6],
        // o [8 - 1, -4 + 4] = [7, 0].
        double[,] gates = { { 0, -14 }, { 4, 6 }, { -12, 11 }, { 7, 0 } };
        Assert.Equal(gates.Cast<double>(), result.GateScores!.Cast<double>());
    }

    [Fact]
    public void GarsonGateScoresAndAllGatesAreColumnSharesOfEachBlock()
    {
        // v cancels within a unit, so RI_i = (1/H) sum_h |B_ih| / sum_i' |B_i'h| for each block B:
        //   i: [[1, 2], [3, 1]]     -> S = [1/4 + 2/3, 3/4 + 1/3] = [11/12, 13/12]  -> RI = [11/24, 13/24]
        //   f: [[0.5, 1], [2, 1]]   -> S = [1/5 + 1/2, 4/5 + 1/2] = [7/10, 13/10]   -> RI = [7/20, 13/20]
        //   c: [[1, 4], [3, 0.5]]   -> S = [1/4 + 8/9, 3/4 + 1/9] = [41/36, 31/36]  -> RI = [41/72, 31/72]
        //   o: [[2, 0.5], [1, 2]]   -> S = [2/3 + 1/5, 1/3 + 4/5] = [13/15, 17/15]  -> RI = [13/30, 17/30]
        double[,] expected = { { 11.0 / 24, 13.0 / 24 }, { 7.0 / 20, 13.0 / 20 }, { 41.0 / 72, 31.0 / 72 },
            { 13.0 / 30, 17.0 / 30 } };
        var result = new Garson().Compute(StackedContext());
        var gates = result.GateScores!;
        for (int g = 0; g < 4; g++)
            for (int i = 0; i < 2; i++) Assert.Equal(expected[g, i], gates[g, i], 12);
        Assert.Equal(41.0 / 72, result.Scores[0], 12);
        // All gates: |i| + |f| + |c| + |o| = [[4.5, 7.5], [9, 4.5]] -> S = [1/3 + 5/8, 2/3 + 3/8] = [23/24, 25/24].
        var all = new Garson { AllGates = true }.Compute(StackedContext());
        Assert.Equal(23.0 / 48, all.Scores[0], 12);
        Assert.Equal(25.0 / 48, all.Scores[1], 12);
        Assert.Equal([2, 1], all.Ranks);
        for (int g = 0; g < 4; g++)
            for (int i = 0; i < 2; i++) Assert.Equal(expected[g, i], all.GateScores![g, i], 12);
    }

    // A linear per-step model y_t = w . x_t + b (Dense kernel (F, 1)), flattened to T outputs per series; CW_i = w_i.
    private static Sequential Linear(float[] w, float bias)
    {
        var model = new Sequential(w.Length, [new Dense(1)], flatten: true);
        model.Initialize(1);
        w.CopyTo(model.Tensor(0, "kernel"));
        model.Tensor(0, "bias")[0] = bias;
        return model;
    }

    [Fact]
    public void RandomisationTestCountsNullNetworksAtLeastAsLargeInMagnitude()
    {
        // Observed CW = w = [0.5, -2, 0]; four null networks, network r for seed new
        // RandomSource(Seed).Fork(r).NextUInt64().
        float[][] nulls = [[0.5f, 1, 0.3f], [-0.6f, 2, -0.1f], [0.1f, -2.5f, 0], [0.4f, -3.5f, 0.2f]];
        var root = new RandomSource(4);
        var bySeed = Enumerable.Range(0, nulls.Length).ToDictionary(r => root.Fork((ulong)r).NextUInt64(), r =>
            nulls[r]);
        Retrainer permuted = (features, seed) =>
        {
            Assert.Equal([0, 1, 2], features);
            return Linear(bySeed[seed], 0); // an unexpected seed throws
        };
        var context = Context(Linear([0.5f, -2, 0], 0.1f), new float[2 * 2 * 3], new float[2 * 2], 2, 2);
        context = context with { RetrainPermuted = permuted };
        var result = new ConnectionWeightsTest { Networks = nulls.Length }.Compute(context);
        // p_i = (1 + #{r : |CW_i^r| >= |CW_i|}) / (R + 1): x1 0.5, 0.6 (ties count) -> 3/5; x2 2, 2.5, 3.5 -> 4/5;
        // x3 (CW 0) every null -> 1.
        Assert.Equal([0.6, 0.8, 1.0], result.Features.Select(f => f.P!.Value).Select(p => Math.Round(p, 12)));
        Assert.Equal([0.5, -2.0, 0.0], result.Scores);
        Assert.Equal([2, 1, 3], result.Ranks);
        Assert.Contains("p = 0.600, 0.800, 1.000 (resolution 1/5)", result.Note);
        // Mean |CW| of the nulls: (0.5 + 0.6 + 0.1 + 0.4) / 4 = 0.4, (1 + 2 + 2.5 + 3.5) / 4 = 2.25, 0.15.
        Assert.Contains("null networks 0.4, 2.25, 0.15", result.Note);
    }

    // Stepwise data: x (N = 2, T = 2, F = 3) and targets (2, 2); the stub's models are y = sum_{j in S} c_j x_j + b(S,
    // k)
    // with c = [1, 0.5, 0.1] and a bias per subset mask S (1..7) and restart k (0, 1).
    private static readonly float[] Sx = [0.9f, -0.3f, 0.4f, 0.1f, 0.7f, -0.5f, -0.6f, 0.4f, 0.8f, 0.5f, -0.8f, -0.2f];
    private static readonly float[] Sy = [0.8f, 0.6f, -0.3f, 0.2f];
    private static readonly float[] C = [1, 0.5f, 0.1f];
    private static readonly float[,] B =
    {
        { 0, 0 }, { -0.2f, -0.3f }, { -0.3f, 0 }, { -0.3f, 0.2f }, { 0.1f, 0.3f }, { 0.1f, 0.3f }, { 0.3f, -0.1f },
        { -0.1f, 0.1f },
    };

    // The MSE of subset mask S, restart k, written out; the empty subset predicts the mean target, (float) as
    // documented.
    private static double StubLoss(int mask, int k)
    {
        double mean = (float)(Sy.Sum(v => (double)v) / Sy.Length), sum = 0;
        for (int row = 0; row < Sy.Length; row++)
        {
            double prediction = mask == 0 ? mean : B[mask, k];
            for (int j = 0; j < 3; j++)
                if ((mask >> j & 1) != 0) prediction += C[j] * (double)Sx[row * 3 + j];
            sum += (prediction - Sy[row]) * (prediction - Sy[row]);
        }
        return sum / Sy.Length;
    }

    // The stub retrainer; the seed of (unit mask m, restart k) means feature mask featureMask(m) (units = features
    // without groups).
    private static Retrainer Stub(ulong contextSeed, Func<int, int>? featureMask = null, int units = 3)
    {
        var root = new RandomSource(contextSeed);
        var bySeed = new Dictionary<ulong, (int Mask, int Restart)>();
        for (int mask = 1; mask < 1 << units; mask++)
            for (int k = 0; k < 2; k++)
                bySeed.Add(root.Fork((ulong)mask).Fork((ulong)k).NextUInt64(), (featureMask?.Invoke(mask) ?? mask, k));
        return (features, seed) =>
        {
            var (mask, k) = bySeed[seed]; // the documented seed of (subset, restart); any other throws
            Assert.Equal(Enumerable.Range(0, 3).Where(j => (mask >> j & 1) != 0), features);
            return Linear(features.Select(j => C[j]).ToArray(), B[mask, k]);
        };
    }

    // Paired differences a[k] - b[k] over the two restarts: mean, SD (n - 1), SE, interval.
    private static void Paired(Func<int, double> difference, FeatureImportance f)
    {
        double d0 = difference(0), d1 = difference(1), mean = (d0 + d1) / 2;
        double sd = Math.Abs(d0 - d1) / Math.Sqrt(2), se = sd / Math.Sqrt(2);
        var s = f.Statistics!.Value;
        Assert.Equal(mean, f.Score, 6);
        Assert.Equal(sd, s.Sd, 6);
        Assert.Equal(se, s.Se, 6);
        Assert.Equal(mean - 1.96 * se, s.Ci95Low, 6);
        Assert.Equal(mean + 1.96 * se, s.Ci95High, 6);
        Assert.Equal(2, s.Count);
    }

    [Fact]
    public void ForwardStepwiseFollowsTheMeanLossAndScoresPairedDrops()
    {
        var context = Context(Linear(C, 0), Sx, Sy, 2, 2, seed: 12) with { Retrain = Stub(12) };
        var result = new RetrainingStepwise(forward: true) { Restarts = 2 }.Compute(context);
        // Mean losses (restarts 0, 1): {} 0.1769; {x1} 0.225 (0.19, 0.26), {x2} 0.536, {x3} 0.2232 (0.2457, 0.2007)
        // -> x3 enters (restart 0 alone would pick x1); then {x1, x3} 0.127 < {x2, x3} 0.397; then x2.
        Assert.Equal([2, 0, 1], result.Order!);
        Assert.Equal([2, 3, 1], result.Ranks);
        Paired(k => StubLoss(0, k) - StubLoss(4, k), result.Features[2]);
        Paired(k => StubLoss(4, k) - StubLoss(5, k), result.Features[0]);
        Paired(k => StubLoss(5, k) - StubLoss(7, k), result.Features[1]);
    }

    [Fact]
    public void BackwardStepwiseRemovesTheCheapestFeatureAndScoresPairedRises()
    {
        var context = Context(Linear(C, 0), Sx, Sy, 2, 2, seed: 12) with { Retrain = Stub(12) };
        var result = new RetrainingStepwise(forward: false) { Restarts = 2 }.Compute(context);
        // From {x1, x2, x3} (0.0237): without x1 0.397, x2 0.127 (restart 0: 0.1047, the lowest), x3 0.0862 -> x3 out;
        // from {x1, x2}: without x1 0.536, x2 0.225 -> x2 out; the last, x1, falls to the empty set.
        Assert.Equal([2, 1, 0], result.Order!);
        Assert.Equal([1, 2, 3], result.Ranks);
        Paired(k => StubLoss(3, k) - StubLoss(7, k), result.Features[2]);
        Paired(k => StubLoss(1, k) - StubLoss(3, k), result.Features[1]);
        Paired(k => StubLoss(0, k) - StubLoss(1, k), result.Features[0]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StepwiseRetrainsAGroupOnAllItsMembersAtOnce(bool forward)
    {
        // Units g = {x1, x3} (bit 0) and x2 (bit 1): unit mask 1 trains on features {x1, x3} (feature mask 5), 2 on
        // {x2} (2), 3 on all (7). Two units: the first step picks the lower mean of the two one-unit subsets
        // (forward: entered; backward: the one kept, the other removed), the second takes the rest.
        var groups = FeatureGroups.Parse("g=x1,x3", ["x1", "x2", "x3"]);
        static int Features(int units) => ((units & 1) != 0 ? 5 : 0) | ((units & 2) != 0 ? 2 : 0);
        var context = Context(Linear(C, 0), Sx, Sy, 2, 2, seed: 12) with
        {
            Retrain = Stub(12, Features, units: 2),
            Groups = groups,
        };
        IImportanceMethod method = new RetrainingStepwise(forward) { Restarts = 2 };
        var result = method.Scored(context);
        double Mean(int features) => (StubLoss(features, 0) + StubLoss(features, 1)) / 2;
        int better = Mean(5) <= Mean(2) ? 0 : 1, worse = 1 - better;
        Assert.Equal(["g", "x2"], result.Groups!.Names);
        int kept = Features(1 << better), first = forward ? better : worse;
        Assert.Equal(forward ? new[] { better, worse } : [worse, better], result.Order!);
        Paired(k => forward ? StubLoss(0, k) - StubLoss(kept, k) : StubLoss(kept, k) - StubLoss(7, k),
               result.Features[first]);
        Paired(k => forward ? StubLoss(kept, k) - StubLoss(7, k) : StubLoss(0, k) - StubLoss(kept, k),
               result.Features[1 - first]);
        Assert.Equal(1, result.Features[better].Rank);
    }

    [Fact]
    public void ConstantLossIsTheLossOfTheMeanTarget()
    {
        // mean(Sy) = 0.325; MSE = mean((0.325 - y)^2) = (0.475^2 + 0.275^2 + 0.625^2 + 0.125^2) / 4 = 0.1769 (float
        // mean).
        Assert.Equal(StubLoss(0, 0), RetrainingStepwise.ConstantLoss(Sy, new MeanSquaredError()), 6);
        Assert.Equal((0.475 * 0.475 + 0.275 * 0.275 + 0.625 * 0.625 + 0.125 * 0.125) / 4,
                     RetrainingStepwise.ConstantLoss(Sy, new MeanSquaredError()), 6);
    }

    [Fact]
    public void ConstantLossOfASoftmaxHeadPredictsTheClassFrequencies()
    {
        // Rows of 3 classes, labels 0, 0, 0, 1: the best constant row is (3/4, 1/4, 0) (class 2 never occurs, its
        // clipped probability meets y = 0), loss -(3 ln 3/4 + ln 1/4) / 4 = 0.5623; not 1/3 each (ln 3 = 1.0986).
        float[] targets = [1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0];
        Assert.Equal(-(3 * Math.Log(0.75) + Math.Log(0.25)) / 4,
                     RetrainingStepwise.ConstantLoss(targets, new CategoricalCrossEntropy(3), units: 3), 6);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImprovedStepwiseRemovesByZeroOrMeanAndScoresTheRise(bool useMeans)
    {
        // Model y = -x1 - x2 + x3 - 0.2 (N = 2, T = 2), MSE against Sy; a removed input is set to 0 (method a) or
        // to its mean over the set (method b) at every step.
        float[] w = [-1, -1, 1];
        var context = Context(Linear(w, -0.2f), Sx, Sy, 2, 2);
        var result = new ImprovedStepwise(useMeans).Compute(context);
        var means = new double[3];
        for (int j = 0; j < Sx.Length; j++) means[j % 3] += Sx[j] / 4.0;
        double Loss(int kept)
        {
            double sum = 0;
            for (int row = 0; row < 4; row++)
            {
                double prediction = -0.2;
                for (int j = 0; j < 3; j++)
                    prediction += w[j] * ((kept >> j & 1) != 0 ? Sx[row * 3 + j] : useMeans ? (float)means[j] : 0);
                sum += (prediction - Sy[row]) * (prediction - Sy[row]);
            }
            return sum / 4;
        }
        // Loss table (kept mask: loss), by hand from the formula above:
        //   a: 7 1.7875, 6 (x1 out) 1.095, 5 (x2 out) 1.9175, 3 (x3 out) 1.305 -> x1 out; from {x2, x3}: 4 0.805,
        //      2 0.7475 -> x3 out; then x2.
        //   b: 7 1.7875, 6 1.3256, 5 1.9175, 3 1.1331 -> x3 out; from {x1, x2}: 2 0.8625, 1 1.2581 -> x1 out; then x2.
        int[] order = useMeans ? [2, 0, 1] : [0, 2, 1];
        Assert.Equal(order, result.Order);
        int kept = 7;
        for (int step = 0; step < 3; step++)
        {
            int after = kept & ~(1 << order[step]);
            var f = result.Features[order[step]];
            Assert.Equal(Loss(after) - Loss(kept), f.Score, 6);
            Assert.Equal(3 - step, f.Rank);
            Assert.Null(f.Statistics); // one deterministic evaluation per subset
            kept = after;
        }
    }

    [Fact]
    public void SpearmanUsesAverageRanksForTies()
    {
        // Ranks [1, 2, 3, 4.5, 4.5] against 1..5: deviations [-2, -1, 0, 1.5, 1.5] and [-2, -1, 0, 1, 2];
        // rho = 9.5 / sqrt(9.5 * 10) = 0.974679... (competition ranks [1, 2, 3, 4, 4] would give 8 / sqrt(68) = 0.970).
        Assert.Equal(9.5 / Math.Sqrt(95), ImportanceStatistics.Spearman([1, 2, 3, 4, 4], [1, 2, 3, 4, 5]), 12);
        // Scores, not ranks: [0.3, 0.1, 0.3, 0.9] -> [2.5, 1, 2.5, 4]; against [4, 1, 2, 3]: deviations
        // [0, -1.5, 0, 1.5] and [1.5, -1.5, -0.5, 0.5]: rho = 3 / sqrt(4.5 * 5) = 0.632456.
        Assert.Equal(3 / Math.Sqrt(22.5), ImportanceStatistics.Spearman([0.3, 0.1, 0.3, 0.9], [4, 1, 2, 3]), 12);
        Assert.True(double.IsNaN(ImportanceStatistics.Spearman([1, 1, 1], [1, 2, 3])));
    }
}
