using Engine.Importance;
using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Random;
using Engine.Tests.Reference;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// Partial derivatives, integrated gradients, occlusion and the model-randomisation check pinned against values the
/// test computes itself: forward passes of the float64 reference network (Engine.Tests/Reference, written from the
/// equations) and its central finite differences, never the engine's forward or backward pass or the method's code.
/// The model is tiny (2 features, 3 steps, 2 series, LSTM(2) and a linear Dense head) with set, non-special weights.
/// </summary>
public class PinnedGradientMethodsTests
{
    private const int F = 2, T = 3, N = 2;

    // x (N, T, F), x[n, t, i] = X[(n T + t) F + i]; targets (N, T) for the sequence model, (N, 2) for the last-step
    // one.
    private static readonly float[] X = [0.2f, 1.0f, -0.4f, 0.3f, 0.9f, -0.7f, 0.6f, 0.1f, -0.5f, 0.8f, 0.3f, -0.2f];
    private static readonly float[] SequenceTargets = [0.3f, -0.2f, 0.5f, 0.1f, 0.4f, -0.6f];
    private static readonly float[] LastStepTargets = [0.2f, -0.1f, 0.6f, 0.3f];

    /// <summary>
    /// The engine model and its float64 twin: LSTM(2, tanh) -> Dense(1, linear) on every step (flattened), or
    /// LSTM(2, tanh, last step) -> Dense(2, linear). Glorot weights from seed 3, every parameter shifted by a uniform
    /// draw so that no bias sits at Keras' 0 / 1.
    /// </summary>
    private sealed class Net
    {
        public Net(bool sequence)
        {
            Sequence = sequence;
            Model = sequence
                ? new Sequential(F,
                                 [new Lstm(2, Activation.Tanh, Activation.Sigmoid, returnSequences: true),
                                  new Dense(1)],
                                 flatten: true)
                : new Sequential(F, [new Lstm(2, Activation.Tanh, Activation.Sigmoid), new Dense(2)]);
            Model.Initialize(3);
            var rng = new RandomSource(17);
            for (int j = 0; j < Model.Parameters.Length; j++) Model.Parameters[j] += rng.Uniform(-0.3f, 0.3f);
            Reference = new ReferenceNetwork(F, [new LstmSpec(2, Activation.Tanh, Activation.Sigmoid, sequence)],
                                             new DenseSpec(sequence ? 1 : 2, Activation.Linear));
            P = GradientCheck.ToDouble(Model.Parameters);
        }

        public bool Sequence { get; }
        public Sequential Model { get; }
        public ReferenceNetwork Reference { get; }
        public double[] P { get; }

        /// <summary>Outputs per series: T (one per step) or 2.</summary>
        public int Outputs => Sequence ? T : 2;

        /// <summary>The output step of output p of a series (the last step for a last-step model).</summary>
        public int Step(int p) => Sequence ? p : T - 1;

        public float[] Targets => Sequence ? SequenceTargets : LastStepTargets;

        public double[] Forward(double[] x) => Reference.Forward(P, x, N, T);

        /// <summary>J[n, p, j] = d y_{n,p} / d x_{n,j} (j = t F + i), central differences of the float64 forward
        /// pass.</summary>
        public double[,,] Jacobian(double[] x)
        {
            const double h = 1e-5;
            var jacobian = new double[N, Outputs, T * F];
            for (int n = 0; n < N; n++)
                for (int j = 0; j < T * F; j++)
                {
                    var up = (double[])x.Clone();
                    var down = (double[])x.Clone();
                    up[n * T * F + j] += h;
                    down[n * T * F + j] -= h;
                    var yUp = Forward(up);
                    var yDown = Forward(down);
                    for (int p = 0; p < Outputs; p++)
                        jacobian[n, p, j] = (yUp[n * Outputs + p] - yDown[n * Outputs + p]) / (2 * h);
                }
            return jacobian;
        }
    }

    private static double[] Doubles(float[] v) => GradientCheck.ToDouble(v);

    private static ImportanceContext Context(Net net, int repeats = 3) => new()
    {
        Model = net.Model, Inputs = X, Targets = net.Targets, Count = N, Steps = T, Loss = new MeanSquaredError(),
        Seed = 5, Repeats = repeats, Threads = 2,
    };

    private static void Close(double expected, double actual, double relative = 1e-4, string what = "") =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(1e-4, Math.Abs(expected)),
                    $"{what}: expected {expected:R}, got {actual:R}");

    private static void MapsClose(double[,] expected, double[,] actual, string what, double relative = 1e-4)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        for (int a = 0; a < expected.GetLength(0); a++)
            for (int b = 0; b < expected.GetLength(1); b++)
                Close(expected[a, b], actual[a, b], relative, $"{what}[{a}, {b}]");
    }

    // Training means of the evaluation set, as documented: per feature the mean over every series and step.
    private static double[] Means()
    {
        var means = new double[F];
        for (int j = 0; j < X.Length; j++) means[j % F] += X[j] / (double)(N * T);
        return means;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PartialDerivativesAreSharesOfSquaredReferenceDerivatives(bool sequence)
    {
        var net = new Net(sequence);
        var result = new PartialDerivatives().Compute(Context(net));
        var jacobian = net.Jacobian(Doubles(X));
        // SSD_i = sum_{n,p,t} J^2; time map sum_{n,p} J^2 / sum SSD by input step t; lag map by k = tau - t.
        var ssd = new double[F];
        var time = new double[T, F];
        var lag = new double[T, F];
        for (int n = 0; n < N; n++)
            for (int p = 0; p < net.Outputs; p++)
                for (int t = 0; t < T; t++)
                    for (int i = 0; i < F; i++)
                    {
                        double square = jacobian[n, p, t * F + i] * jacobian[n, p, t * F + i];
                        ssd[i] += square;
                        time[t, i] += square;
                        if (net.Step(p) >= t) lag[net.Step(p) - t, i] += square;
                        else Assert.True(Math.Abs(jacobian[n, p, t * F + i]) < 1e-9,
                                         "a causal LSTM: no later input moves an output");
                    }
        double total = ssd.Sum();
        for (int t = 0; t < T; t++)
            for (int i = 0; i < F; i++) { time[t, i] /= total; lag[t, i] /= total; }
        for (int i = 0; i < F; i++) Close(ssd[i] / total, result.Scores[i], what: $"share {i}");
        Assert.Equal(ssd[0] > ssd[1] ? [1, 2] : [2, 1], result.Ranks);
        MapsClose(time, result.TimeMap!, "time map");
        if (sequence)
        {
            MapsClose(lag, result.LagMap!, "lag map");
            Assert.True(lag[1, 0] > 1e-4 && lag[2, 1] > 1e-4, "the lags beyond 0 carry weight");
        }
        else Assert.Null(result.LagMap);
        // One Jacobian slice through the public entry: output 1 of each series (step 1, or unit 1 of the last step).
        var slice = PartialDerivatives.Jacobian(net.Model, X, N, T, 1);
        for (int n = 0; n < N; n++)
            for (int j = 0; j < T * F; j++) Close(jacobian[n, 1, j], slice[n * T * F + j], 1e-3, $"J[{n}, 1, {j}]");
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void IntegratedGradientsAreTrapezoidIntegralsOfReferenceDerivatives(bool sequence, bool zeroBaseline)
    {
        const int intervals = 4;
        var net = new Net(sequence);
        var result = new IntegratedGradients
        {
            Steps = intervals, MaxSteps = intervals,
            From = zeroBaseline ? IntegratedGradientsBaseline.Zero : IntegratedGradientsBaseline.Mean,
        }.Compute(Context(net));
        var x = Doubles(X);
        var means = Means();
        var baseline = new double[X.Length];
        for (int j = 0; j < X.Length; j++) baseline[j] = zeroBaseline ? 0 : means[j % F];
        // The Jacobian at each point baseline + (k / m)(x - baseline), weighted 1/(2m) at both ends and 1/m inside.
        var integral = new double[N, net.Outputs, T * F];
        for (int k = 0; k <= intervals; k++)
        {
            var point = new double[X.Length];
            for (int j = 0; j < X.Length; j++) point[j] = baseline[j] + (double)k / intervals * (x[j] - baseline[j]);
            var jacobian = net.Jacobian(point);
            double w = (k == 0 || k == intervals ? 0.5 : 1.0) / intervals;
            for (int n = 0; n < N; n++)
                for (int p = 0; p < net.Outputs; p++)
                    for (int j = 0; j < T * F; j++) integral[n, p, j] += w * jacobian[n, p, j];
        }
        // A_tau[n, t, i] = (x - x') * integral of d(sum of step tau's outputs)/dx; A = sum_tau A_tau.
        var time = new double[T, F];
        var lag = new double[T, F];
        int groups = sequence ? T : 1;
        var total = new double[N, T * F];
        for (int tau = 0; tau < groups; tau++)
            for (int n = 0; n < N; n++)
                for (int j = 0; j < T * F; j++)
                {
                    double a = 0;
                    for (int p = 0; p < net.Outputs; p++)
                        if (!sequence || p == tau) a += integral[n, p, j];
                    a *= x[n * T * F + j] - baseline[n * T * F + j];
                    total[n, j] += a;
                    int t = j / F;
                    if (sequence && tau >= t) lag[tau - t, j % F] += Math.Abs(a) / N;
                }
        for (int n = 0; n < N; n++)
            for (int j = 0; j < T * F; j++) time[j / F, j % F] += Math.Abs(total[n, j]) / N;
        for (int i = 0; i < F; i++)
        {
            double score = 0;
            for (int t = 0; t < T; t++) score += time[t, i];
            Close(score, result.Scores[i], what: $"score {i}");
        }
        MapsClose(time, result.TimeMap!, "time map");
        if (sequence) MapsClose(lag, result.LagMap!, "lag map");
        else Assert.Null(result.LagMap);
        Assert.Contains(zeroBaseline ? "zero baseline" : "mean baseline", result.ScoreMeaning);
        // The completeness gap at the cap of 4 intervals: sum_n |sum A - (F(x_n) - F(x'_n))| / sum_n |F(x_n) -
        // F(x'_n)|.
        var (y, y0) = (net.Forward(x), net.Forward(baseline));
        double gap = 0, difference = 0;
        for (int n = 0; n < N; n++)
        {
            double delta = 0, sum = 0;
            for (int p = 0; p < net.Outputs; p++) delta += y[n * net.Outputs + p] - y0[n * net.Outputs + p];
            for (int j = 0; j < T * F; j++) sum += total[n, j];
            gap += Math.Abs(sum - delta);
            difference += Math.Abs(delta);
        }
        Assert.Equal(intervals, result.Completeness!.Intervals);
        // Float outputs: the gap's numerator is good to about 1e-6 of |F(x) - F(x')|.
        Assert.True(Math.Abs(gap / difference - result.Completeness.Gap) < 1e-5,
                    $"gap {result.Completeness.Gap}, expected {gap / difference}");
        Close(difference / N, result.Completeness.Difference, what: "mean |F(x) - F(x')|");
    }

    [Fact]
    public void IntegratedGradientsWithManyIntervalsAreComplete()
    {
        // Completeness against the reference forward pass: sum_{t,i} A[n, t, i] = F(x_n) - F(x'_n), F = sum of outputs.
        var net = new Net(sequence: true);
        var means = Means();
        var baseline = new float[X.Length];
        for (int j = 0; j < X.Length; j++) baseline[j] = (float)means[j % F];
        var a = IntegratedGradients.Attributions(net.Model, X, baseline, N, T, 256);
        var y = net.Forward(Doubles(X));
        var y0 = net.Forward(Doubles(baseline));
        for (int n = 0; n < N; n++)
        {
            double expected = 0, sum = 0;
            for (int p = 0; p < T; p++) expected += y[n * T + p] - y0[n * T + p];
            for (int j = 0; j < T * F; j++) sum += a[n * T * F + j];
            Close(expected, sum, 1e-3, $"series {n}");
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void OcclusionIsTheMeanAbsoluteSeriesLossChangeOfTheReference(bool sequence, bool zeroBaseline)
    {
        var net = new Net(sequence);
        var result = new Occlusion { ZeroBaseline = zeroBaseline }.Compute(Context(net));
        var means = Means();
        var y = net.Forward(Doubles(X));
        var targets = Doubles(net.Targets);
        int outputs = net.Outputs, groups = sequence ? T : 1, width = outputs / groups;
        var time = new double[T, F];
        var lag = new double[T, F];
        var rms = new double[F];
        for (int t = 0; t < T; t++)
            for (int i = 0; i < F; i++)
            {
                var x = Doubles(X);
                for (int n = 0; n < N; n++) x[(n * T + t) * F + i] = zeroBaseline ? 0 : (float)means[i];
                var occluded = net.Forward(x);
                double squares = 0;
                for (int n = 0; n < N; n++)
                {
                    // Squared-error change of every output of series n: its mean is L_n(x') - L_n(x).
                    var change = new double[outputs];
                    for (int p = 0; p < outputs; p++)
                    {
                        int j = n * outputs + p;
                        change[p] = Math.Pow(occluded[j] - targets[j], 2) - Math.Pow(y[j] - targets[j], 2);
                        squares += Math.Pow(occluded[j] - y[j], 2);
                    }
                    time[t, i] += Math.Abs(change.Average()) / N;
                    // Lag k: the loss change of output step t + k alone, averaged over the T - k steps t that have one.
                    for (int k = 0; sequence && t + k < T; k++)
                        lag[k, i] += Math.Abs(change.Skip((t + k) * width).Take(width).Average()) / (N * (T - k));
                }
                rms[i] += Math.Sqrt(squares / (N * outputs));
            }
        MapsClose(time, result.TimeMap!, "time map");
        for (int i = 0; i < F; i++)
        {
            double score = 0;
            for (int t = 0; t < T; t++) score += time[t, i];
            Close(score, result.Scores[i], what: $"score {i}");
        }
        Assert.Equal(result.Scores[0] > result.Scores[1] ? [1, 2] : [2, 1], result.Ranks);
        if (sequence)
        {
            MapsClose(lag, result.LagMap!, "lag map");
            Assert.True(lag[1, 0] > 1e-5, "an occluded step changes the later steps' losses");
        }
        else Assert.Null(result.LagMap);
        // The note: the RMS output change summed over steps, per feature (G4).
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        Assert.Contains($"summed over steps {rms[0].ToString("G4", inv)}, {rms[1].ToString("G4", inv)}", result.Note);
    }

    // A linear per-step model y_t = w . x_t + b on 3 features (Dense kernel (3, 1)), flattened to T outputs per series:
    // J[n, p, t, i] = w_i when t = p, else 0, so partial derivatives' shares are w_i^2 / sum w^2 and connection
    // weights' CW_i = w_i.
    private static Sequential Linear(float[] w)
    {
        var model = new Sequential(w.Length, [new Dense(1)], flatten: true);
        model.Initialize(1);
        w.CopyTo(model.Tensor(0, "kernel"));
        model.Tensor(0, "bias")[0] = 0.25f;
        return model;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ModelRandomisationAveragesTheSharesOfRedrawnNetworks(bool connectionWeights)
    {
        const int networks = 4, features = 3;
        float[] w = [0.5f, -2f, 1f];
        var model = Linear(w);
        var x = new float[N * T * features];
        new RandomSource(8).FillUniform(x);
        var context = new ImportanceContext
        {
            Model = model, Inputs = x, Count = N, Steps = T, Loss = new MeanSquaredError(), Seed = 6,
            Repeats = networks,
            Threads = 2,
        };
        IImportanceMethod inner = connectionWeights ? new ConnectionWeights() : new PartialDerivatives();
        var result = new ModelRandomisation { Inner = inner }.Compute(context);
        // Shares of |score|: |w_i| / sum |w| (connection weights) or w_i^2 / sum w^2 (partial derivatives).
        double[] Shares(ReadOnlySpan<float> kernel)
        {
            var s = new double[features];
            for (int i = 0; i < features; i++)
                s[i] = connectionWeights ? Math.Abs(kernel[i]) : kernel[i] * (double)kernel[i];
            double sum = s.Sum();
            return s.Select(v => v / sum).ToArray();
        }
        // Network r: the model's weights re-drawn by the initialiser from new RandomSource(Seed).Fork(r).NextUInt64().
        var root = new RandomSource(6);
        var shares = new double[networks][];
        for (int r = 0; r < networks; r++)
        {
            var copy = model.Clone();
            copy.Initialize(root.Fork((ulong)r).NextUInt64());
            shares[r] = Shares(copy.Tensor(0, "kernel"));
        }
        Assert.NotEqual(shares[0][0], shares[1][0]); // every network is drawn afresh
        for (int i = 0; i < features; i++)
        {
            var v = shares.Select(s => s[i]).ToArray();
            double mean = v.Average(), sd = Math.Sqrt(v.Sum(a => (a - mean) * (a - mean)) / (networks - 1));
            var s = result.Features[i].Statistics!.Value;
            Close(mean, result.Scores[i], 1e-5, $"mean share {i}");
            Close(sd, s.Sd, 1e-5, $"sd {i}");
            Close(sd / 2, s.Se, 1e-5, $"se {i}");
            Close(mean - 1.96 * sd / 2, s.Ci95Low, 1e-5, $"ci low {i}");
            Close(mean + 1.96 * sd / 2, s.Ci95High, 1e-5, $"ci high {i}");
        }
        Assert.True(result.RandomisedModel);
        // The note: the trained shares, and the mean Spearman correlation of trained and random shares (average ranks).
        var trained = Shares(w);
        Assert.Contains($"trained shares {string.Join(", ", trained.Select(v => v.ToString("F3")))}", result.Note);
        double rho = shares.Select(s => Pearson(AverageRanks(trained), AverageRanks(s))).Average();
        Assert.EndsWith($"= {rho:F2}", result.Note);
    }

    // Average ranks (ties share the mean of their positions) and Pearson's r, written out for the test.
    internal static double[] AverageRanks(double[] v) =>
        v.Select(a => v.Count(b => b < a) + (v.Count(b => b == a) + 1) / 2.0).ToArray();

    internal static double Pearson(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average();
        double ab = a.Zip(b, (p, q) => (p - ma) * (q - mb)).Sum();
        return ab / Math.Sqrt(a.Sum(p => (p - ma) * (p - ma)) * b.Sum(q => (q - mb) * (q - mb)));
    }
}
