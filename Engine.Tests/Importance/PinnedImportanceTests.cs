using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// Every number of a method pinned against values the test computes by hand on a tiny model whose weights it sets,
/// never through the method's own code. The noise and permutations are redrawn here from the documented random
/// streams (RandomSource forks), so the expectations depend on the stream definition, not on the method's formula.
/// </summary>
public class PinnedImportanceTests
{
    private const int F = 2, T = 3, N = 2;

    // A linear per-step model f(x_t) = w . x_t + b, w = [0.5, -2], b = 0.25 (Dense kernel (2, 1), bias (1)),
    // flattened to T outputs per series: a perturbation's effect on each output is w_i times the change of x_i.
    private static readonly double[] W = [0.5, -2];

    private static Sequential Linear()
    {
        var model = new Sequential(F, [new Dense(1, Activation.Linear)], flatten: true);
        model.Initialize(1);
        new[] { (float)W[0], (float)W[1] }.CopyTo(model.Tensor(0, "kernel"));
        model.Tensor(0, "bias")[0] = 0.25f;
        return model;
    }

    // x (N, T, F): distinct values, x[n, t, i] = X[(n T + t) F + i].
    private static readonly float[] X = [0.2f, 1.0f, -0.4f, 0.3f, 0.9f, -0.7f, 0.6f, 0.1f, -0.5f, 0.8f, 0.3f, -0.2f];

    private static ImportanceContext Context(Sequential model, int repeats, float[]? targets = null) => new()
    {
        Model = model, Inputs = X, Targets = targets, Count = N, Steps = T, Loss = new MeanSquaredError(),
        Seed = 5, Repeats = repeats, Threads = 2,
    };

    // Mean, sample SD (n - 1), SE = SD / sqrt(n), written out here rather than called.
    private static (double Mean, double Sd, double Se) Stats(double[] v)
    {
        double mean = v.Sum() / v.Length;
        double sd = Math.Sqrt(v.Sum(a => (a - mean) * (a - mean)) / (v.Length - 1));
        return (mean, sd, sd / Math.Sqrt(v.Length));
    }

    private static void Close(double expected, double actual, double relative = 1e-5) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(1e-3, Math.Abs(expected)),
                    $"expected {expected:R}, got {actual:R}");

    private static void StatisticsMatch(double[] samples, FeatureImportance f)
    {
        var (mean, sd, se) = Stats(samples);
        Close(mean, f.Score);
        var s = f.Statistics!.Value;
        Assert.Equal(samples.Length, s.Count);
        Close(mean, s.Mean);
        Close(sd, s.Sd);
        Close(se, s.Se);
        Close(mean - 1.96 * se, s.Ci95Low);
        Close(mean + 1.96 * se, s.Ci95High);
    }

    [Fact]
    public void InputPerturbationIsTheRootMeanSquareChangeAveragedOverDistinctDraws()
    {
        const float sigma = 0.3f;
        const int repeats = 3;
        var result = new InputPerturbation { Sigma = sigma }.Compute(Context(Linear(), repeats));
        // Feature i, repeat r: x[., ., i] += sigma z over the N T cells in (series, step) order; every output moves by
        // w_i sigma z, so the RMS change is |w_i| sigma sqrt(mean z^2) (not its square, not the mean |change|).
        var root = new RandomSource(5);
        var expected = new double[F];
        for (int i = 0; i < F; i++)
        {
            var perRepeat = new double[repeats];
            for (int r = 0; r < repeats; r++)
            {
                var noise = r == 0 ? root.Fork((ulong)i) : root.Fork((ulong)i).Fork((ulong)r);
                double squares = 0;
                for (int k = 0; k < N * T; k++) { double z = sigma * noise.NextGaussian(); squares += z * z; }
                perRepeat[r] = Math.Abs(W[i]) * Math.Sqrt(squares / (N * T));
            }
            Assert.NotEqual(perRepeat[0], perRepeat[1]); // the repeats draw different noise
            StatisticsMatch(perRepeat, result.Features[i]);
            expected[i] = perRepeat.Average();
        }
        Assert.Equal([2, 1], result.Ranks); // |w_2| = 4 |w_1|
    }

    [Fact]
    public void InputPerturbationScalingVariantIsTheRmsOfWTimesPX()
    {
        const float p = 0.3f; // not 0.5, where x p and x (p - 1) move the output by the same amount
        var result = new InputPerturbation { Scale = p }.Compute(Context(Linear(), repeats: 4));
        for (int i = 0; i < F; i++)
        {
            // x_i -> x_i (1 + p): every output moves by w_i p x_i; RMS = |w_i| p sqrt(mean x_i^2).
            double squares = 0;
            for (int k = 0; k < N * T; k++) squares += X[k * F + i] * (double)X[k * F + i];
            Close(Math.Abs(W[i]) * p * Math.Sqrt(squares / (N * T)), result.Scores[i]);
            Assert.Null(result.Features[i].Statistics); // one deterministic evaluation
        }
        Assert.Equal([2, 1], result.Ranks);
    }

    [Fact]
    public void InputPerturbationTimeAndLagMapsAreRmsChangesPerCell()
    {
        const float sigma = 0.3f;
        const int repeats = 2;
        var result = new InputPerturbation { Sigma = sigma, TimeResolved = true }.Compute(Context(Linear(), repeats));
        var root = new RandomSource(5 ^ RandomStreams.PerturbationMaps);
        var time = result.TimeMap!;
        var lag = result.LagMap!;
        for (int i = 0; i < F; i++)
        {
            double lag0 = 0;
            for (int t = 0; t < T; t++)
            {
                double cell = 0;
                for (int r = 0; r < repeats; r++)
                {
                    // Cell (t, i), repeat r: x[n, t, i] += sigma z_n. Only output t of each series moves, by w_i sigma
                    // z_n:
                    // over all T outputs the RMS is sqrt(sum_n (w_i sigma z_n)^2 / (N T)); at output t alone
                    // sqrt(sum_n (...)^2 / N).
                    var noise = root.Fork((ulong)((t * F + i) * repeats + r));
                    double squares = 0;
                    for (int n = 0; n < N; n++) { double d = W[i] * sigma * noise.NextGaussian(); squares += d * d; }
                    cell += Math.Sqrt(squares / (N * T)) / repeats;
                    lag0 += Math.Sqrt(squares / N) / (repeats * T);
                }
                Close(cell, time[t, i]);
            }
            // A per-step model: perturbing step t moves output t only, so lag 0 holds everything, lags 1, 2 are 0.
            Close(lag0, lag[0, i]);
            for (int k = 1; k < T; k++) Assert.Equal(0.0, lag[k, i], 12);
        }
    }

    [Fact]
    public void InputPerturbationScalingVariantMapsScaleOneCellAtATime()
    {
        const float p = 0.3f; // not 0.5, where x p and x (p - 1) move the output by the same amount
        var result = new InputPerturbation { Scale = p, TimeResolved = true }.Compute(Context(Linear(), repeats: 3));
        for (int i = 0; i < F; i++)
        {
            double lag0 = 0;
            for (int t = 0; t < T; t++)
            {
                // x[n, t, i] -> x (1 + p) moves output t of series n by w_i p x[n, t, i]: RMS over all N T outputs,
                // and over the N outputs at step t for lag 0. One evaluation, whatever the repeats.
                double squares = 0;
                for (int n = 0; n < N; n++) squares += Math.Pow(W[i] * p * X[(n * T + t) * F + i], 2);
                Close(Math.Sqrt(squares / (N * T)), result.TimeMap![t, i]);
                lag0 += Math.Sqrt(squares / N) / T;
            }
            Close(lag0, result.LagMap![0, i]);
            for (int k = 1; k < T; k++) Assert.Equal(0.0, result.LagMap![k, i], 12);
        }
    }

    // A sigmoid per step with O outputs, f_o(x_t) = sigmoid(sum_i V[i, o] x_t,i + c_o), flattened to T O outputs per
    // series: nonlinear, so that a change d and its opposite -d move an output by different amounts (the linear model
    // cannot tell x + sigma z from x - sigma z, nor x (1 + p) from x (1 - p)).
    private static readonly double[,] V = { { 0.5, -1.5 }, { -2, 0.75 } };
    private static readonly double[] C = [0.25, -0.4];

    private static Sequential Sigmoid(int outputs)
    {
        var model = new Sequential(F, [new Dense(outputs, Activation.Sigmoid)], flatten: true);
        model.Initialize(1);
        var kernel = model.Tensor(0, "kernel"); // (F, O)
        for (int i = 0; i < F; i++)
            for (int o = 0; o < outputs; o++) kernel[i * outputs + o] = (float)V[i, o];
        for (int o = 0; o < outputs; o++) model.Tensor(0, "bias")[o] = (float)C[o];
        return model;
    }

    private static double SigmoidOutput(double[] xt, int o) => 1 / (1 + Math.Exp(-(V[0, o] * xt[0] + V[1, o] * xt[1]
                                                                                  + C[o])));

    [Fact]
    public void InputPerturbationAddsTheNoiseOnANonlinearModel()
    {
        const float sigma = 0.8f;
        const int repeats = 2;
        var result = new InputPerturbation { Sigma = sigma }.Compute(Context(Sigmoid(1), repeats));
        var root = new RandomSource(5);
        for (int i = 0; i < F; i++)
        {
            var perRepeat = new double[repeats];
            for (int r = 0; r < repeats; r++)
            {
                // x[., ., i] += sigma z over the N T cells in (series, step) order; RMS change of the N T outputs.
                var noise = r == 0 ? root.Fork((ulong)i) : root.Fork((ulong)i).Fork((ulong)r);
                double squares = 0;
                for (int k = 0; k < N * T; k++)
                {
                    double[] xt = [X[k * F], X[k * F + 1]];
                    double before = SigmoidOutput(xt, 0);
                    xt[i] += sigma * noise.NextGaussian();
                    squares += Math.Pow(SigmoidOutput(xt, 0) - before, 2);
                }
                perRepeat[r] = Math.Sqrt(squares / (N * T));
            }
            StatisticsMatch(perRepeat, result.Features[i]);
        }
    }

    [Fact]
    public void InputPerturbationScaledMapsOfANonlinearModelWithTwoOutputsPerStep()
    {
        const float p = 0.3f;
        var result = new InputPerturbation { Scale = p, TimeResolved = true }.Compute(Context(Sigmoid(2), 1));
        for (int i = 0; i < F; i++)
        {
            double lag0 = 0, all = 0;
            for (int t = 0; t < T; t++)
            {
                // x[n, t, i] -> x (1 + p) moves the two outputs of step t: M[t, i] is the RMS change over all N T 2
                // outputs, lag 0 the RMS over step t's N 2 outputs (averaged over t). Scaling every step at once moves
                // each output by what its own step's scaling does.
                double squares = 0;
                for (int n = 0; n < N; n++)
                {
                    double[] xt = [X[(n * T + t) * F], X[(n * T + t) * F + 1]];
                    var moved = (double[])xt.Clone();
                    moved[i] *= 1 + p;
                    for (int o = 0; o < 2; o++) squares += Math.Pow(SigmoidOutput(moved, o) - SigmoidOutput(xt, o), 2);
                }
                Close(Math.Sqrt(squares / (N * T * 2)), result.TimeMap![t, i]);
                lag0 += Math.Sqrt(squares / (N * 2)) / T;
                all += squares;
            }
            Close(lag0, result.LagMap![0, i]);
            Close(Math.Sqrt(all / (N * T * 2)), result.Scores[i]);
        }
    }

    [Fact]
    public void PermutationScoresTheLossRiseOfADistinctShufflePerRepeat()
    {
        const int repeats = 3, count = 4, steps = 2;
        // x (4, 2, 2) and targets (4, 2); MSE.
        float[] x = [0.9f, -0.3f, 0.1f, 0.7f, -0.6f, 0.4f, 0.5f, -0.8f, 0.2f, 0.6f, -0.9f, 0.0f, 0.3f, -0.1f, 0.8f,
                     0.5f];
        float[] y = [0.1f, 0.4f, -0.2f, 0.9f, 0.0f, -0.5f, 0.6f, 0.3f];
        var context = new ImportanceContext
        {
            Model = Linear(), Inputs = x, Targets = y, Count = count, Steps = steps, Loss = new MeanSquaredError(),
            Seed = 9, Repeats = repeats, Threads = 2,
        };
        var result = new Permutation().Compute(context);
        double Mse(float[] inputs)
        {
            double sum = 0;
            for (int j = 0; j < count * steps; j++)
            {
                double d = W[0] * inputs[j * F] + W[1] * inputs[j * F + 1] + 0.25 - y[j];
                sum += d * d;
            }
            return sum / (count * steps);
        }
        double reference = Mse(x);
        var root = new RandomSource(9);
        for (int i = 0; i < F; i++)
        {
            var rises = new double[repeats];
            var orders = new List<string>();
            for (int r = 0; r < repeats; r++)
            {
                // Permutation (i, r) from Fork(i R + r): series n takes series order[n]'s feature i, steps kept.
                var order = new[] { 0, 1, 2, 3 };
                root.Fork((ulong)(i * repeats + r)).Shuffle<int>(order);
                orders.Add(string.Join(",", order));
                var permuted = (float[])x.Clone();
                for (int n = 0; n < count; n++)
                    for (int t = 0; t < steps; t++)
                        permuted[(n * steps + t) * F + i] = x[(order[n] * steps + t) * F + i];
                rises[r] = Mse(permuted) - reference;
            }
            Assert.True(orders.Distinct().Count() > 1,
                        $"feature {i}: the repeats' shuffles {string.Join(" | ", orders)}");
            StatisticsMatch(rises, result.Features[i]);
        }
    }

    [Fact]
    public void InputPerturbationLagMapAveragesOverTheStepsThatHaveALag()
    {
        // LSTM(1, tanh) returning sequences: a perturbation at step t moves outputs t, t + 1, ... The expectation is
        // the float64 reference network's forward pass (Engine.Tests/Reference), not the engine's.
        const float sigma = 0.3f;
        const int repeats = 2;
        var model = new Sequential(F, [new Lstm(1, Activation.Tanh, Activation.Sigmoid, returnSequences: true)],
                                   flatten: true);
        model.Initialize(3);
        var reference = new Tests.Reference.ReferenceNetwork(F,
            [new Tests.Reference.LstmSpec(1, Activation.Tanh, Activation.Sigmoid, true)], null);
        var parameters = model.Parameters.ToArray().Select(v => (double)v).ToArray();
        var baseline = reference.Forward(parameters, X.Select(v => (double)v).ToArray(), N, T);
        var result = new InputPerturbation { Sigma = sigma, TimeResolved = true }.Compute(Context(model, repeats));
        var root = new RandomSource(5 ^ RandomStreams.PerturbationMaps);
        var lag = new double[T, F];
        for (int t = 0; t < T; t++)
            for (int i = 0; i < F; i++)
            {
                double cell = 0;
                for (int r = 0; r < repeats; r++)
                {
                    var noise = root.Fork((ulong)((t * F + i) * repeats + r));
                    var x = (float[])X.Clone();
                    for (int n = 0; n < N; n++) x[(n * T + t) * F + i] += sigma * noise.NextGaussian();
                    var y = reference.Forward(parameters, x.Select(v => (double)v).ToArray(), N, T);
                    var atStep = new double[T]; // mean over series of the squared change of output step g
                    for (int n = 0; n < N; n++)
                        for (int g = 0; g < T; g++) atStep[g] += Math.Pow(y[n * T + g] - baseline[n * T + g], 2) / N;
                    cell += Math.Sqrt(atStep.Average()) / repeats;
                    // Lag k: output step t + k, averaged over the T - k steps t that have one.
                    for (int k = 0; t + k < T; k++) lag[k, i] += Math.Sqrt(atStep[t + k]) / (repeats * (T - k));
                }
                Close(cell, result.TimeMap![t, i], 1e-4);
            }
        for (int k = 0; k < T; k++)
            for (int i = 0; i < F; i++) Close(lag[k, i], result.LagMap![k, i], 1e-4);
        Assert.True(lag[1, 0] > 0 && lag[2, 1] > 0); // the recurrence carries the change forward
    }

    // f(x_t) = relu(x_1 - 2 x_2 + 1): an interaction, so the median over the five levels differs from their mean.
    private static Sequential Relu()
    {
        var model = new Sequential(F, [new Dense(1, Activation.Relu)], flatten: true);
        model.Initialize(1);
        new[] { 1f, -2f }.CopyTo(model.Tensor(0, "kernel"));
        model.Tensor(0, "bias")[0] = 1f;
        return model;
    }

    [Fact]
    public void SensitivityAnalysisIsTheRangeOfTheMedianProfile()
    {
        // One series of 5 steps, x_1 = x_2 = 0, 1, 2, 3, 4 (shuffled between features so the columns differ in order):
        // quantiles (type 7) min, Q1, median, Q3, max = 0, 1, 2, 3, 4 for both. Points = 3: values 0, 2, 4.
        float[] x = [0, 3, 1, 0, 2, 4, 3, 1, 4, 2];
        var context = new ImportanceContext
        {
            Model = Relu(), Inputs = x, Count = 1, Steps = 5, Loss = new MeanSquaredError(), Seed = 1, Threads = 2,
        };
        var result = new SensitivityAnalysis { Points = 3 }.Compute(context);
        var c1 = result.Curves![0];
        var c2 = result.Curves![1];
        Assert.Equal([0.0, 2, 4], c1.Values);
        Assert.Equal([0.0, 2, 4], c2.Values);
        // Feature 1 swept over v, x_2 at level q = 0..4: relu(v + 1 - 2q).
        double[][] levels1 = [[1, 3, 5], [0, 1, 3], [0, 0, 1], [0, 0, 0], [0, 0, 0]];
        for (int l = 0; l < 5; l++) Assert.Equal(levels1[l], c1.Levels[l].Select(v => Math.Round(v, 5)));
        // Medians at each point: of {1,0,0,0,0}, {3,1,0,0,0}, {5,3,1,0,0} = 0, 0, 1 (the means would be 0.2, 0.8, 1.8).
        Assert.Equal([0.0, 0, 1], c1.Median.Select(v => Math.Round(v, 5)));
        // Feature 2 swept over v, x_1 at level q: relu(q + 1 - 2v): v = 0 gives 1..5 (median 3), v = 2 gives
        // {0,0,0,0,1} (median 0), v = 4 gives 0.
        Assert.Equal([3.0, 0, 0], c2.Median.Select(v => Math.Round(v, 5)));
        Assert.Equal(1.0, result.Scores[0], 5); // the mean profile's range would be 1.6
        Assert.Equal(3.0, result.Scores[1], 5);
        Assert.Equal([2, 1], result.Ranks);
    }

    [Fact]
    public void SensitivityAnalysisHoldsTheOtherInputAtType7Quantiles()
    {
        // One series of 4 steps: x1 = 0, 10, 1, 3 and x2 = 2, -1, 0.5, 4. Type 7 quantiles at h = q (n - 1):
        //   x1 sorted 0, 1, 3, 10:    min 0,  Q1 0 + 0.75 (1 - 0) = 0.75,       median 1 + 0.5 (3 - 1) = 2,
        //                             Q3 3 + 0.25 (10 - 3) = 4.75, max 10
        //   x2 sorted -1, 0.5, 2, 4:  min -1, Q1 -1 + 0.75 (1.5) = 0.125,       median 0.5 + 0.5 (1.5) = 1.25,
        //                             Q3 2 + 0.25 (2) = 2.5, max 4
        float[] x = [0, 2, 10, -1, 1, 0.5f, 3, 4];
        var context = new ImportanceContext
        {
            Model = Linear(), Inputs = x, Count = 1, Steps = 4, Loss = new MeanSquaredError(), Seed = 1, Threads = 2,
        };
        var result = new SensitivityAnalysis { Points = 3 }.Compute(context);
        double[][] quantiles = [[0, 0.75, 2, 4.75, 10], [-1, 0.125, 1.25, 2.5, 4]];
        double[][] values = [[0, 5, 10], [-1, 1.5, 4]];
        for (int i = 0; i < F; i++)
        {
            var curve = result.Curves![i];
            Assert.Equal(values[i], curve.Values);
            // The linear model's mean output with x_i = v and the other input at level l: w_i v + w_j q_j(l) + b.
            int j = 1 - i;
            for (int l = 0; l < 5; l++)
                for (int p = 0; p < 3; p++)
                    Close(W[i] * values[i][p] + W[j] * quantiles[j][l] + 0.25, curve.Levels[l][p]);
            for (int p = 0; p < 3; p++) Close(W[i] * values[i][p] + W[j] * quantiles[j][2] + 0.25, curve.Median[p]);
        }
        Close(0.5 * 10, result.Scores[0]); // |w_1| (max - min) of x1
        Close(2 * 5, result.Scores[1]);
        Assert.Equal([2, 1], result.Ranks);
    }

    [Fact]
    public void GarsonTakesTheDownstreamPathWithAbsoluteWeights()
    {
        // LSTM(2) on 2 inputs, candidate block W^c = [[-1, 4], [3, 0.5]]; Dense(2) head W2 (2, 2) = [[1, -1], [2, 1]].
        // Absolute path v = |W2| row sums = [2, 3]; a signed path would give v_1 = 1 - 1 = 0 and drop unit 1.
        var model = new Sequential(F,
                                   [new Lstm(2, Activation.Tanh, returnSequences: true),
                                    new Dense(2, Activation.Sigmoid)],
                                   flatten: true);
        model.Initialize(1);
        float[] kernel = [0.1f, 0.2f, 0.3f, 0.4f, -1f, 4f, 0.5f, 0.6f, 0.7f, -0.8f, 0.9f, 1.0f, 3f, 0.5f, 1.1f, 1.2f];
        kernel.CopyTo(model.Tensor(0, "kernel")); // (2, 8): blocks i, f, c, o of 2 columns
        new[] { 1f, -1f, 2f, 1f }.CopyTo(model.Tensor(1, "kernel"));
        var context = new ImportanceContext
        {
            Model = model, Inputs = new float[2 * 3 * 2], Count = 2, Steps = 3, Loss = new MeanSquaredError(),
        };
        var result = new Garson().Compute(context);
        // P = |W^c| v = [[2, 12], [6, 1.5]]; Q by column = [[1/4, 8/9], [3/4, 1/9]]; S = [41/36, 31/36]; RI = S / 2.
        // (Signed path: unit 1 skipped, RI = [8/9, 1/9].)
        Assert.Equal(41.0 / 72, result.Scores[0], 6);
        Assert.Equal(31.0 / 72, result.Scores[1], 6);
        Assert.Equal([1, 2], result.Ranks);
    }
}
