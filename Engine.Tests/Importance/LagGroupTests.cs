using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// Lag windows (<see cref="FeatureGroups.Lags"/>): parsing, scores pinned to hand computations on tiny models whose
/// outputs the test computes itself, and a property (only lag 2 matters: its window ranks first).
/// </summary>
public class LagGroupTests
{
    private static readonly string[] Names = ["a", "b"];
    private const int N = 3, T = 4, F = 2;

    // Inputs (N, T, F) and targets (N, T), fixed numbers.
    private static readonly float[] X =
    [
        0.9f, -0.4f, 0.3f, 0.8f, -0.7f, 0.2f, 0.5f, -0.6f,
        -0.2f, 0.6f, 1.1f, -0.3f, 0.4f, 0.7f, -0.9f, 0.1f,
        0.6f, 0.5f, -0.8f, -0.5f, 0.2f, -1.0f, 0.7f, 0.3f,
    ];

    private static readonly float[] Y = [0.3f, -0.2f, 0.5f, 0.1f, -0.4f, 0.6f, 0.2f, -0.1f, 0.4f, 0.0f, -0.3f, 0.7f];

    // GRU(1), linear candidate, every gate weight 0 (z = sigmoid(0) = 1/2), then Dense(1) on every step:
    // h_t = h_{t-1} / 2 + (wa x_{t,a} + wb x_{t,b} + bh) / 2, y_t = 2 h_t - 0.1: output t reads every earlier step,
    // lag k weighted 2^-k.
    private const double Wa = 0.8, Wb = -1.2, Bh = 0.15;

    private static Sequential Recurrent()
    {
        var model = new Sequential(F, [new Gru(1, Activation.Linear, returnSequences: true), new Dense(1)]);
        model.Parameters.AsSpan().Clear();
        var kernel = model.Tensor(0, "kernel"); // (F, 3H): z, r, h
        kernel[2] = (float)Wa;
        kernel[5] = (float)Wb;
        model.Tensor(0, "bias")[2] = (float)Bh; // (2, 3H): [b; b'], b_h
        model.Tensor(1, "kernel")[0] = 2f;
        model.Tensor(1, "bias")[0] = -0.1f;
        return model;
    }

    // y_t of one series (T, F) by the recursion above, in double.
    private static double[] RecurrentByHand(double[] series)
    {
        var y = new double[T];
        double h = 0;
        for (int t = 0; t < T; t++)
        {
            h = h / 2 + (Wa * series[t * F] + Wb * series[t * F + 1] + Bh) / 2;
            y[t] = 2 * h - 0.1;
        }
        return y;
    }

    // Flatten(T) then Dense(1): y = sum_{t,i} K[t F + i] x[t, i] + 0.05, one output per series (at lag k: step T-1-k).
    private static readonly float[] FlatKernel = [0.3f, -0.5f, 1.0f, 0.2f, -0.4f, 0.9f, 0.6f, -0.7f];

    private static Sequential Flat(int steps, int features, float[] kernel, float bias)
    {
        var model = new Sequential(features, [new Flatten(steps), new Dense(1)]);
        kernel.CopyTo(model.Tensor(1, "kernel"));
        model.Tensor(1, "bias")[0] = bias;
        return model;
    }

    private static ImportanceContext Context(Sequential model, float[] x, float[] targets, int count, int steps,
                                             FeatureGroups groups) =>
        new()
        {
            Model = model, Inputs = x, Targets = targets, Count = count, Steps = steps, Loss = new MeanSquaredError(),
            Seed = 3, Threads = 2, Repeats = 6, Groups = groups, FeatureMeans = new float[model.InputFeatures],
        };

    private static double[] Series(float[] x, int n) =>
        [.. x.AsSpan(n * T * F, T * F).ToArray().Select(v => (double)v)];

    // Output tau of series n with the cells of steps tau - last..tau - first (from step 0 on) set by edit(t, i, v).
    private static double Windowed(float[] x, int n, int tau, (int First, int Last)[] windows,
                                   Func<int, int, double, double> edit)
    {
        var s = Series(x, n);
        foreach (var (first, last) in windows)
            for (int t = Math.Max(0, tau - last); t <= tau - first; t++)
                for (int i = 0; i < F; i++) s[t * F + i] = edit(t, i, s[t * F + i]);
        return RecurrentByHand(s)[tau];
    }

    [Fact]
    public void Windows_are_units_over_every_feature_or_crossed_with_the_groups()
    {
        var lags = FeatureGroups.Lags(" 0-1 , 3 ", T, Names);
        Assert.Equal(["lags 0-1", "lag 3"], lags.Names);
        Assert.Equal([0, 1], lags.Members[1]);
        Assert.Equal(new LagWindow(3, 3), lags.Windows[1]);
        Assert.True(lags.HasLagWindows);
        var crossed = FeatureGroups.Lags("0-1,2-3", T, Names, FeatureGroups.Parse("g=b", Names));
        Assert.Equal(["g lags 0-1", "g lags 2-3", "a lags 0-1", "a lags 2-3"], crossed.Names);
        Assert.Equal([1], crossed.Members[1]);
        Assert.Equal([0], crossed.Members[2]);
        Assert.False(FeatureGroups.Parse("g=b", Names).HasLagWindows);
    }

    [Theory]
    [InlineData("0-2,2-3", "windows '0-2' and '2-3' overlap at lag 2")]
    [InlineData("1-3,0-1", "windows '1-3' and '0-1' overlap at lag 1")]
    [InlineData("0-4", "window '0-4' reaches lag 4, and the series have 4 steps (lags 0-3)")]
    [InlineData("2-1", "window '2-1' runs backwards: write 1-2")]
    [InlineData("0-x", "window '0-x' is not a lag range")]
    [InlineData("-1", "window '-1' is not a lag range")]
    [InlineData("1-2-3", "window '1-2-3' is not a lag range")]
    [InlineData(" , ", "no window given")]
    public void Bad_windows_are_refused_naming_the_problem(string spec, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => FeatureGroups.Lags(spec, T, Names));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void Window_occlusion_matches_a_hand_computation()
    {
        // Window 1-2 set to 0 before each output step tau (steps tau-2..tau-1; none for tau = 0):
        // D_n = mean_tau ((y'_tau - z)^2 - (y_tau - z)^2), score = mean_n |D_n|.
        var groups = FeatureGroups.Lags("1-2,0", T, Names);
        var result = new Occlusion { ZeroBaseline = true }.Compute(Context(Recurrent(), X, Y, N, T, groups));
        var expected = new double[2];
        for (int u = 0; u < 2; u++)
            for (int n = 0; n < N; n++)
            {
                var y = RecurrentByHand(Series(X, n));
                double d = 0;
                for (int tau = 0; tau < T; tau++)
                {
                    double after = Windowed(X, n, tau, [u == 0 ? (1, 2) : (0, 0)], (_, _, _) => 0) - Y[n * T + tau];
                    double before = y[tau] - Y[n * T + tau];
                    d += (after * after - before * before) / T;
                }
                expected[u] += Math.Abs(d) / N;
            }
        Assert.Equal(["lags 1-2", "lag 0"], result.Groups!.Names);
        Assert.Equal("mean |change in mean_squared_error|, window = 0", result.ScoreMeaning);
        Assert.Matches(@"^occlusion: RMS output change [0-9.E-]+, [0-9.E-]+$", result.Note);
        Assert.Equal("mean |change in mean_squared_error|, window = mean",
                     new Occlusion().Compute(Context(Recurrent(), X, Y, N, T, groups)).ScoreMeaning);
        Assert.Equal(expected[0], result.Features[0].Score, 1e-6);
        Assert.Equal(expected[1], result.Features[1].Score, 1e-6);
        Assert.Null(result.TimeMap);
        // Lag 0 weighs 1/2 of every output, lags 1-2 1/4 + 1/8: here the recent window matters more.
        Assert.Equal(1, result.Features[1].Rank);
    }

    [Fact]
    public void Window_permutation_matches_a_hand_computation()
    {
        // Two series: a permutation keeps them or swaps them. Swapping window 0-1 of feature a only (the group
        // crossed with the window): output tau reads the other series' a at steps tau-1..tau.
        var groups = FeatureGroups.Lags("0-1", T, Names, FeatureGroups.Parse("g=a", Names));
        var x = X[..(2 * T * F)];
        var targets = Y[..(2 * T)];
        var result = new Permutation { Repeats = 12 }.Compute(Context(Recurrent(), x, targets, 2, T, groups));
        double before = 0, after = 0;
        for (int n = 0; n < 2; n++)
        {
            var y = RecurrentByHand(Series(x, n));
            for (int tau = 0; tau < T; tau++)
            {
                double swapped = Windowed(x, n, tau, [(0, 1)], (t, i, v) => i == 0 ? x[((1 - n) * T + t) * F] : v);
                after += Math.Pow(swapped - targets[n * T + tau], 2) / (2 * T);
                before += Math.Pow(y[tau] - targets[n * T + tau], 2) / (2 * T);
            }
        }
        double rise = after - before;
        Assert.Equal(["g lags 0-1", "b lags 0-1"], result.Groups!.Names);
        // Each repeat's rise is 0 or the swap's: the mean is (swaps / 12) rise, 0 < swaps < 12 for this seed.
        double swaps = result.Features[0].Score / rise * 12;
        Assert.Equal(Math.Round(swaps), swaps, 4);
        Assert.InRange(swaps, 0.5, 11.5);
    }

    [Fact]
    public void Window_scaling_perturbation_matches_a_hand_computation()
    {
        // One output per series, at step T-1: window 2-3 is steps 0..1; x(1 + 0.5) there changes the output by
        // 0.5 sum_{t<2,i} K[t,i] x[t,i]. Score = sqrt(mean_n change^2).
        var groups = FeatureGroups.Lags("0-1,2-3", T, Names);
        var result = new InputPerturbation { Scale = 0.5f }.Compute(
            Context(Flat(T, F, FlatKernel, 0.05f), X, new float[N], N, T, groups));
        double squares = 0;
        for (int n = 0; n < N; n++)
        {
            double d = 0;
            for (int j = 0; j < 2 * F; j++) d += 0.5 * FlatKernel[j] * X[n * T * F + j];
            squares += d * d / N;
        }
        Assert.Equal(Math.Sqrt(squares), result.Features[1].Score, 1e-6);
    }

    // Flatten(T) then Dense(1, sigmoid): y = sigmoid(sum_{t,i} K[t F + i] x[t, i] + 0.05), nonlinear, so that a change
    // d and its opposite -d move the output by different amounts (a linear model cannot tell x + noise from x - noise,
    // nor x (1 + p) from x (1 - p)).
    private static double FlatSigmoid(Func<int, double> x)
    {
        double z = 0.05;
        for (int j = 0; j < T * F; j++) z += FlatKernel[j] * x(j);
        return 1 / (1 + Math.Exp(-z));
    }

    [Fact]
    public void Window_noise_and_scaling_on_a_nonlinear_model_match_a_hand_computation()
    {
        // Windows 0-1 (steps 2, 3) and 2-3 (steps 0, 1) before the one output at step T-1. Noise: repeat r of unit u
        // draws what the whole unit would, from Fork(u) (r = 0) or Fork(u).Fork(r): feature a's N T cells in (series,
        // step) order, then feature b's; only the window's cells get theirs. Score = mean over repeats of
        // sqrt(mean_n (y' - y)^2). Scaling: x (1 + p) on the window's cells, one evaluation.
        const float sigma = 0.7f, p = 0.3f;
        const int repeats = 6;
        var groups = FeatureGroups.Lags("0-1,2-3", T, Names);
        var model = new Sequential(F, [new Flatten(T), new Dense(1, Activation.Sigmoid)]);
        FlatKernel.CopyTo(model.Tensor(1, "kernel"));
        model.Tensor(1, "bias")[0] = 0.05f;
        var context = Context(model, X, new float[N], N, T, groups);
        // Input perturbation scores the windows itself (the runner does not skip it, as it does a per-feature method).
        Assert.Null(ImportanceRunner.LagSkip(new InputPerturbation(), context));
        Assert.Equal("garson skipped: it scores whole features, not lag windows",
                     ImportanceRunner.LagSkip(new Garson(), context));
        var noisy = new InputPerturbation { Sigma = sigma }.Compute(context);
        var scaled = new InputPerturbation { Scale = p }.Compute(context);
        var root = new Engine.Random.RandomSource(3);
        for (int u = 0; u < 2; u++)
        {
            int from = u == 0 ? T - 2 : 0; // the window's steps: from, from + 1
            bool Inside(int j) => j / F >= from && j / F <= from + 1;
            double score = 0;
            for (int r = 0; r < repeats; r++)
            {
                var noise = r == 0 ? root.Fork((ulong)u) : root.Fork((ulong)u).Fork((ulong)r);
                var delta = new double[N * T * F];
                for (int i = 0; i < F; i++)
                    for (int cell = 0; cell < N * T; cell++) delta[cell * F + i] = sigma * noise.NextGaussian();
                double squares = 0;
                for (int n = 0; n < N; n++)
                {
                    int start = n * T * F;
                    double y = FlatSigmoid(j => X[start + j]);
                    double moved = FlatSigmoid(j => X[start + j] + (Inside(j) ? delta[start + j] : 0));
                    squares += (moved - y) * (moved - y) / N;
                }
                score += Math.Sqrt(squares) / repeats;
            }
            Assert.Equal(score, noisy.Features[u].Score, 1e-5);
            double scaledSquares = 0;
            for (int n = 0; n < N; n++)
            {
                int start = n * T * F;
                double y = FlatSigmoid(j => X[start + j]);
                double moved = FlatSigmoid(j => X[start + j] * (Inside(j) ? 1 + p : 1));
                scaledSquares += (moved - y) * (moved - y) / N;
            }
            Assert.Equal(Math.Sqrt(scaledSquares), scaled.Features[u].Score, 1e-5);
        }
    }

    [Theory]
    [InlineData(0, 0, 1, 3)]
    [InlineData(1, 1, 2, 3)] // output step 0 has no cell at lag 1 or more: no window reaches it
    public void Window_improved_stepwise_matches_a_hand_computation(int a0, int a1, int b0, int b1)
    {
        // Backward elimination over windows a and b, a window removed by x = 0 before each output step: the window
        // whose removal costs least goes first (score = L(without it) - L(all)), the other last (L(none) - L(first
        // gone)).
        var groups = FeatureGroups.Lags($"{a0}-{a1},{b0}-{b1}", T, Names);
        var result = new ImprovedStepwise(useMeans: false).Compute(Context(Recurrent(), X, Y, N, T, groups));
        Assert.Equal("rise in mean_squared_error at removal (x = 0)", result.ScoreMeaning);
        double Loss(params (int, int)[] removed)
        {
            double sum = 0;
            for (int n = 0; n < N; n++)
                for (int tau = 0; tau < T; tau++)
                    sum += Math.Pow(Windowed(X, n, tau, removed, (_, _, _) => 0) - Y[n * T + tau], 2) / (N * T);
            return sum;
        }
        double all = Loss(), without0 = Loss((a0, a1)), without1 = Loss((b0, b1)), none = Loss((a0, a1), (b0, b1));
        int first = without1 < without0 ? 1 : 0;
        Assert.Equal([first, 1 - first], result.Order!);
        Assert.Equal((first == 0 ? without0 : without1) - all, result.Features[first].Score, 1e-6);
        Assert.Equal(none - (first == 0 ? without0 : without1), result.Features[1 - first].Score, 1e-6);
        Assert.Equal(1, result.Features[1 - first].Rank);
    }

    // Targets of the last-step model (one per series), fixed numbers.
    private static readonly float[] LastY = [0.4f, -0.3f, 0.2f];

    // The stub's model for (kept mask m, restart k): Flatten + Dense with kernel K_j (1 + k / 20) + m / 100 and bias
    // 0.05 + m / 50 - 3 k / 100.
    private static double StubKernel(int j, int mask, int k) => FlatKernel[j] * (1 + k / 20.0) + mask / 100.0;

    private static double StubBias(int mask, int k) => 0.05 + mask / 50.0 - 3 * k / 100.0;

    // A stub MaskedRetrainer: the seed of (kept mask, restart), as RetrainingStepwise documents it, picks the stub's
    // model; the removed cells it is given must be the members of the units outside the mask, unit by unit.
    private static MaskedRetrainer MaskedStub(FeatureGroups groups, ulong contextSeed)
    {
        var root = new Engine.Random.RandomSource(contextSeed);
        var bySeed = new Dictionary<ulong, (int Mask, int Restart)>();
        for (int mask = 0; mask < 1 << groups.Count; mask++)
            for (int k = 0; k < 2; k++) bySeed.Add(root.Fork((ulong)mask).Fork((ulong)k).NextUInt64(), (mask, k));
        return (removed, seed) =>
        {
            var (mask, k) = bySeed[seed];
            var expected = Enumerable.Range(0, groups.Count).Where(u => (mask >> u & 1) == 0)
                                     .SelectMany(u => groups.Members[u].Select(i => (i, groups.Windows[u]!.Value)));
            Assert.Equal(expected, removed);
            return Flat(T, F, [.. Enumerable.Range(0, T * F).Select(j => (float)StubKernel(j, mask, k))],
                        (float)StubBias(mask, k));
        };
    }

    // The MSE of kept mask m, restart k, by hand: cell (t, i) of series n is 0 when a removed unit (i in its members)
    // has lag T-1-t in its window; the empty mask of windows covering every lag is the mean target's loss.
    private static double StubLoss(FeatureGroups groups, int mask, int k, bool constantWhenEmpty)
    {
        double mean = (float)(LastY.Sum(v => (double)v) / N), sum = 0;
        for (int n = 0; n < N; n++)
        {
            double prediction = mask == 0 && constantWhenEmpty ? mean : StubBias(mask, k);
            for (int t = 0; t < T && !(mask == 0 && constantWhenEmpty); t++)
                for (int i = 0; i < F; i++)
                {
                    bool hidden = Enumerable.Range(0, groups.Count).Any(u =>
                        (mask >> u & 1) == 0 && groups.Members[u].Contains(i)
                        && groups.Windows[u]!.Value.First <= T - 1 - t && T - 1 - t <= groups.Windows[u]!.Value.Last);
                    if (!hidden) prediction += StubKernel(t * F + i, mask, k) * X[(n * T + t) * F + i];
                }
            sum += (prediction - LastY[n]) * (prediction - LastY[n]);
        }
        return sum / N;
    }

    [Theory]
    [InlineData(true, "0-1,2-3", "g=a", true)]
    [InlineData(false, "0-1,2-3", "g=a", true)]
    [InlineData(true, "0,2", null, false)]
    [InlineData(false, "0,2", null, false)]
    public void Window_retraining_stepwise_matches_a_hand_computation(bool forward, string windows, string? group,
                                                                      bool covers)
    {
        // A last-step model (Flatten + Dense): a window's cells are the steps T-1-b..T-1-a. Each subset of units is
        // "retrained" by the stub (a model per kept mask and restart) and scored with the removed units' cells set to
        // 0 in the evaluation inputs. Windows 0-1, 2-3 cover every lag (the empty subset is the constant predictor);
        // windows 0 and 2 leave lags 1 and 3 visible (the empty subset is retrained). The greedy search by mean loss
        // over the 2 restarts, redone here on the hand losses; scores are the mean paired differences.
        var groups = FeatureGroups.Lags(windows, T, Names, group is null ? null : FeatureGroups.Parse(group, Names));
        var context = Context(Flat(T, F, FlatKernel, 0.05f), X, LastY, N, T, groups) with
        {
            RetrainMasked = MaskedStub(groups, 3),
        };
        var result = new RetrainingStepwise(forward) { Restarts = 2 }.Compute(context);
        double Loss(int mask, int k) => StubLoss(groups, mask, k, covers);
        double Mean(int mask) => (Loss(mask, 0) + Loss(mask, 1)) / 2;
        int units = groups.Count, all = (1 << units) - 1, current = forward ? 0 : all;
        var order = new List<int>();
        while (order.Count < units)
        {
            var candidates = Enumerable.Range(0, units).Where(u => (current >> u & 1) == (forward ? 0 : 1)).ToArray();
            int best = candidates.MinBy(u => Mean(current ^ 1 << u));
            int next = current ^ 1 << best;
            int with = forward ? next : current, without = forward ? current : next;
            Assert.Equal((Loss(without, 0) - Loss(with, 0) + Loss(without, 1) - Loss(with, 1)) / 2,
                         result.Features[best].Score, 1e-6);
            Assert.Equal(forward ? order.Count + 1 : units - order.Count, result.Features[best].Rank);
            order.Add(best);
            current = next;
        }
        Assert.Equal(order, result.Order!);
        Assert.Equal(groups.Names, result.Groups!.Names);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Only_lag_two_matters_and_its_window_enters_first_and_leaves_last(bool forward)
    {
        // A last-step linear model retrained for real (Retrainers.MaskedFromArrays: Flatten + Dense, Adam) on targets
        // that read lag 2 only: every subset holding lag 2's window fits them, none without it can.
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(6), Prop.ForAll(Cases(6, 2), c =>
        {
            var (steps, features, cuts, seed) = c;
            var random = new System.Random(seed);
            const int count = 48;
            var x = new float[count * steps * features];
            for (int j = 0; j < x.Length; j++) x[j] = (float)(random.NextDouble() * 2 - 1);
            var weights = Enumerable.Range(0, features).Select(_ => random.NextDouble() + 0.5).ToArray();
            var targets = new float[count];
            for (int n = 0; n < count; n++)
                for (int i = 0; i < features; i++)
                    targets[n] += (float)(weights[i] * x[(n * steps + steps - 3) * features + i]);
            var groups = FeatureGroups.Lags(Split(steps, cuts), steps,
                                            [.. Enumerable.Range(0, features).Select(i => $"f{i}")]);
            int expected = groups.Windows.ToList().FindIndex(w => w!.Value.First <= 2 && 2 <= w.Value.Last);
            Sequential Build(int width, ulong s)
            {
                var model = new Sequential(width, [new Flatten(steps), new Dense(1)]);
                model.Initialize(s);
                return model;
            }
            var context = Context(Build(features, 1), x, targets, count, steps, groups) with
            {
                RetrainMasked = Retrainers.MaskedFromArrays(Build, x, targets, count, steps, features,
                                                            new MeanSquaredError(), epochs: 60, batchSize: 16,
                                                            learningRate: 0.05f),
            };
            var result = new RetrainingStepwise(forward) { Restarts = 1 }.Compute(context);
            Assert.True(forward ? result.Order![0] == expected : result.Order![^1] == expected,
                        $"{string.Join(", ", groups.Names)}: order {string.Join(", ", result.Order!)}, scores " +
                        $"{string.Join(", ", result.Scores)}");
            Assert.Equal(1, result.Features[expected].Rank);
        }));
    }

    [Fact]
    public void A_masked_batch_is_zero_exactly_in_the_windows_before_the_last_step()
    {
        // T = 4, F = 2: (a, lags 0-1) is steps 2..3 of feature 0, (b, lag 3) step 0 of feature 1; every other cell
        // keeps its value (all ones here).
        var ones = Enumerable.Repeat(1f, 2 * T * F).ToArray();
        var source = new Engine.Training.ArrayBatchSource(ones, new float[2], 2, T, F, 1, 2, 7);
        var masked = new LagMaskBatchSource(source, [(0, new LagWindow(0, 1)), (1, new LagWindow(3, 3))]);
        var batch = new float[2 * T * F];
        masked.NextBatch(batch, new float[2], 0, 0);
        float[] series = [1, 0, 1, 1, 0, 1, 0, 1];
        Assert.Equal([.. series, .. series], batch);
    }

    // Random steps (3..maxSteps), features (1..maxFeatures), cuts between lags (see Split) and a data seed.
    private static Arbitrary<(int Steps, int Features, bool[] Cuts, int Seed)> Cases(int maxSteps, int maxFeatures) =>
        (from steps in Gen.Choose(3, maxSteps)
         from features in Gen.Choose(1, maxFeatures)
         from cuts in Gen.ListOf(Gen.Elements(true, false), steps - 1)
         from seed in Gen.Choose(1, 100_000)
         select (steps, features, cuts.ToArray(), seed)).ToArbitrary();

    // Lags 0..steps-1 cut into windows after lag k where cuts[k]: "0-1,2-2,...".
    private static string Split(int steps, bool[] cuts)
    {
        var windows = new List<string>();
        int start = 0;
        for (int k = 0; k < steps; k++)
            if (k == steps - 1 || cuts[k]) { windows.Add($"{start}-{k}"); start = k + 1; }
        return string.Join(",", windows);
    }

    [Fact]
    public void Methods_that_score_whole_features_are_skipped_with_a_note()
    {
        // Retraining stepwise takes windows on a last-step model only: this GRU outputs every step.
        var context = Context(Recurrent(), X, Y, N, T, FeatureGroups.Lags("0-1,2-3", T, Names));
        var notes = new List<string>();
        var runs = ImportanceRunner.Run(context, [ImportanceMethods.Create("garson"), new Occlusion(),
            new RetrainingStepwise(forward: true)], onSkipped: notes.Add);
        Assert.Equal(["occlusion"], runs.Select(r => r.Name));
        Assert.Equal(["garson skipped: it scores whole features, not lag windows",
            "forward-stepwise skipped: a lag window moves with each output step, and a retrained network reads one " +
            "input for every step (only a last-step model can be retrained without a window)"], notes);
        Assert.Throws<InvalidOperationException>(() => context.Groups!.Sum(ImportanceResult.FromScores("m", [1, 2]),
                                                                               ImportanceRanking.ByValue));
    }

    [Fact]
    public void A_window_past_the_series_is_refused_by_the_context()
    {
        var context = Context(Recurrent(), X[..(N * 2 * F)], Y[..(N * 2)], N, 2, FeatureGroups.Lags("0-3", T, Names));
        Assert.Contains("reaches lag 3", Assert.Throws<ArgumentException>(context.Validate).Message);
    }

    [Fact]
    public void Only_lag_two_matters_and_its_window_ranks_first()
    {
        // Random steps, features, inputs and a random split of the lags into windows; the model reads lag 2 only
        // (weights elsewhere 0) and the targets are its predictions: every window without lag 2 scores exactly 0.
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(12), Prop.ForAll(Cases(7, 3), c =>
        {
            var (steps, features, cuts, seed) = c;
            var random = new System.Random(seed);
            var kernel = new float[steps * features];
            for (int i = 0; i < features; i++) kernel[(steps - 3) * features + i] = (float)(random.NextDouble() + 0.5);
            const int count = 8;
            var x = new float[count * steps * features];
            for (int j = 0; j < x.Length; j++) x[j] = (float)(random.NextDouble() * 2 - 1);
            var model = Flat(steps, features, kernel, 0.1f);
            var targets = new float[count];
            model.Predict(targets, x, count, steps);
            var groups = FeatureGroups.Lags(Split(steps, cuts), steps,
                                            [.. Enumerable.Range(0, features).Select(i => $"f{i}")]);
            int expected = groups.Windows.ToList().FindIndex(w => w!.Value.First <= 2 && 2 <= w.Value.Last);
            var context = Context(model, x, targets, count, steps, groups) with { Repeats = 3 };
            foreach (var method in new IImportanceMethod[] { new Permutation(), new Occlusion(),
                new InputPerturbation(), new ImprovedStepwise(false), new ImprovedStepwise(true) })
            {
                var result = method.Compute(context);
                Assert.True(result.Features[expected].Rank == 1,
                            $"{method.Name}: {string.Join(", ", groups.Names)} scored " +
                            $"{string.Join(", ", result.Scores)}");
                if (method is not ImprovedStepwise)
                    for (int u = 0; u < groups.Count; u++) if (u != expected) Assert.Equal(0, result.Scores[u]);
            }
        }));
    }
}
