using System.Text;
using Engine.Kernels;
using Engine.Models;

namespace Engine.Tests.Reference;

/// <summary>
/// Checks a <see cref="NetworkCase"/>: the engine's forward against the double reference, and the engine's
/// gradients for every parameter and every input against central finite differences of the reference loss.
/// </summary>
public static class GradientCheck
{
    /// <summary>Finite-difference step, in double: truncation error ~h^2, rounding ~1e-16/h, both far below float
    /// noise.</summary>
    public const double Step = 1e-6;

    /// <summary>
    /// Cases with a relu / hard_sigmoid argument closer than this to its kink are discarded: the engine computes in
    /// float, so it might land on the other side of the kink than the double reference.
    /// </summary>
    public const double KinkMargin = 1e-4;

    /// <summary>Gradient tolerance: |engine - fd| &lt;= Absolute (1 + max |fd|) + Relative |fd|, the max over the case.
    /// 5e-4: float32 rounding through six steps of two stacked GRUs with a linear cell activation reached 3.5e-4
    /// relative on an input gradient (FsCheck replay (9305912924118669451,11836138059016804695,12), worst 1.0015 of
    /// the former 3e-4); a wrong formula is off by O(1).</summary>
    public const double Absolute = 5e-5, Relative = 5e-4;

    /// <summary>
    /// The bound <see cref="Tame"/> keeps every recurrent state of a generated case within. Beyond it float32 cannot
    /// resolve the gradient: the engine takes a gate's derivative from its float value (1 - z^2, z (1 - z)) and the
    /// softmax's from y (dy - sum dy y), whose absolute error (~6e-8, all of 1 - z once a tanh gate rounds to 1) the
    /// states multiply. Linear / relu cells reach states of 100 and more on the generators' weights: FsCheck replay
    /// (10445734573569949269,4903893666669719809,50) of the Bidirectional property, states up to 172, had the engine
    /// 1.7% above the exact derivative on a whole block, 95% of it reproduced by rounding the double reference's
    /// activations to float and nothing else (docs/TESTING.md).
    /// </summary>
    public const double MaxState = 10;

    /// <summary>
    /// <paramref name="parameters"/> with the first <paramref name="count"/> halved (exact in float) until
    /// <paramref name="largestState"/> of them is at most <see cref="MaxState"/>; the same array when it already is
    /// (nearly always, unless a cell activation is linear or relu).
    /// </summary>
    public static float[] Tame(float[] parameters, int count, Func<float[], double> largestState)
    {
        var p = parameters;
        for (int k = 0; k < 60 && largestState(p) > MaxState; k++)
        {
            p = (float[])p.Clone();
            for (int i = 0; i < count; i++) p[i] *= 0.5f;
        }
        return p;
    }

    /// <summary>
    /// Whether the case is far enough from every kink to be checked, and, for binary cross-entropy on
    /// probabilities, whether float32 resolves its outputs (see <see cref="ReferenceLoss.WellConditioned"/>).
    /// </summary>
    public static bool IsWellPosed(NetworkCase c) =>
        IsFarFromKinks(c, out var output)
        && (c.Loss != LossKind.BinaryCrossEntropy || ReferenceLoss.WellConditioned(output));

    /// <summary>Whether every relu / hard_sigmoid argument of the case is at least <see cref="KinkMargin"/> from
    /// its kink; <paramref name="output"/> is the reference's forward pass.</summary>
    public static bool IsFarFromKinks(NetworkCase c, out double[] output)
    {
        var kinks = new KinkRecorder();
        output = c.Reference.Forward(ToDouble(c.Parameters), ToDouble(c.Input), c.Batch, c.Steps, kinks);
        return kinks.NearestKink >= KinkMargin;
    }

    /// <summary>Runs every check; returns the failures, empty when the engine agrees with the reference.</summary>
    public static Result Run(NetworkCase c)
    {
        var failures = new StringBuilder();
        var net = c.Reference;
        var model = c.BuildModel();
        double[] p = ToDouble(c.Parameters), x = ToDouble(c.Input);
        int outputs = c.Batch * net.OutputsPerSeries(c.Steps);

        // Forward: engine (float) against reference (double).
        var expected = net.Forward(p, x, c.Batch, c.Steps);
        var actual = new float[outputs];
        model.Forward(actual, c.Input, c.Batch, c.Steps);
        // Float rounding grows with the magnitudes flowing through the network, not with each output's own value: a
        // small
        // output of a case whose other outputs (and states) reach 10 or more carries their absolute error, as the
        // gradients do.
        double scale = 1 + expected.Max(Math.Abs);
        for (int k = 0; k < outputs; k++)
            if (!(Math.Abs(actual[k] - expected[k]) <= 1e-5 * scale + 1e-4 * Math.Abs(expected[k])))
                failures.AppendLine($"output[{k}]: engine {actual[k]:R}, reference {expected[k]:R}");

        // Backward from dL/d(output), through Sequential.Backward.
        var dOutput = new float[outputs];
        var loss = c.EngineLoss;
        if (loss is null) c.Target.CopyTo(dOutput, 0);
        else loss.Compute(actual, c.Target, dOutput);
        var dInput = new float[c.Input.Length];
        Array.Clear(model.Gradients);
        model.Backward(dInput, dOutput);

        // Central differences of the reference loss (Keras' clipped BCE on probabilities for the unfused chain).
        var differences = new Differences(c, p, x, logits: false);
        var tolerance = new Tolerance(differences, failures);
        tolerance.CompareAll(model, "Backward", model.Gradients, dInput);

        // The training path; with a sigmoid Dense head and BCE it is the fused loss on the logits, which matches
        // the clipped loss only while sigmoid(z) stays inside [1e-7, 1 - 1e-7]; beyond, it keeps the exact loss
        // and gradient (as Keras does for a sigmoid output), so it is checked against that form.
        if (loss is not null)
        {
            bool fused = c is { Loss: LossKind.BinaryCrossEntropy, Head.Activation: Activation.Sigmoid };
            var training = fused ? new Differences(c, p, x, logits: true) : differences;
            float value = model.ComputeGradients(c.Input, c.Target, c.Batch, c.Steps, loss);
            // The fused loss is a 1-Lipschitz function of the logits: the reference network's loss bounds it. On
            // probabilities, -log p turns the forward's absolute float error into a relative one (p = 3e-4 and an
            // error of 1e-7, within the output check above, move the loss by 3e-4: FsCheck replay
            // (714993529930213991,8764418460642492271,35)), so the loss formula is checked on the engine's own
            // outputs, which the output check above has compared with the reference.
            double reference = fused
                ? training.Loss() : ReferenceLoss.Value(c.Loss, ToDouble(actual), ToDouble(c.Target));
            if (!(Math.Abs(value - reference) <= 1e-5 + 1e-4 * Math.Abs(reference)))
                failures.AppendLine($"loss: ComputeGradients {value:R}, reference {reference:R}");
            new Tolerance(training, failures).CompareAll(model, "ComputeGradients", model.Gradients, null);
        }

        int total = p.Length + x.Length;
        // Steps that straddle a kink are skipped; they must stay rare or the check would prove little.
        if (differences.Skipped * 10 > total)
            failures.AppendLine($"{differences.Skipped} of {total} finite differences straddled a kink");
        return new Result(failures.ToString(), differences.Skipped, total, tolerance.Worst);
    }

    /// <summary>Central differences of the reference loss for every parameter and input; null where a step straddled a
    /// kink.</summary>
    private sealed class Differences
    {
        private readonly NetworkCase _case;
        private readonly double[] _p, _x, _y;
        private readonly bool _logits;
        private readonly KinkRecorder _base = new(), _plus = new(), _minus = new();

        public Differences(NetworkCase c, double[] p, double[] x, bool logits)
        {
            _case = c; _p = p; _x = x; _y = ToDouble(c.Target); _logits = logits;
            Loss(_base);
            Parameters = new double?[p.Length];
            Input = new double?[x.Length];
            for (int k = 0; k < p.Length; k++) Parameters[k] = Difference(p, k);
            for (int k = 0; k < x.Length; k++) Input[k] = Difference(x, k);
        }

        public double?[] Parameters { get; }
        public double?[] Input { get; }
        public int Skipped { get; private set; }

        public double Loss(KinkRecorder? kinks = null)
        {
            var output = _case.Reference.Forward(_p, _x, _case.Batch, _case.Steps, kinks, headLogits: _logits);
            return _logits ? ReferenceLoss.BinaryCrossEntropyFromLogits(output,
                _y) : ReferenceLoss.Value(_case.Loss, output, _y);
        }

        private double? Difference(double[] v, int k)
        {
            double saved = v[k];
            v[k] = saved + Step;
            _plus.Clear();
            double lp = Loss(_plus);
            v[k] = saved - Step;
            _minus.Clear();
            double lm = Loss(_minus);
            v[k] = saved;
            if (!_plus.SameSides(_base) || !_minus.SameSides(_base)) { Skipped++; return null; }
            return (lp - lm) / (2 * Step);
        }
    }

    // Float rounding in the engine is relative to the size of the quantities it sums, so the absolute part of
    // the tolerance scales with the case's largest gradient (linear stacks reach gradients of 10 and more).
    private sealed class Tolerance(Differences fd, StringBuilder failures)
    {
        private readonly double _absolute = Absolute * (1 + fd.Parameters.Concat(fd.Input).Max(v => Math.Abs(v ?? 0)));

        public double Worst { get; private set; }

        public void CompareAll(Sequential model, string path, float[] parameterGradients, float[]? inputGradients)
        {
            for (int k = 0; k < fd.Parameters.Length; k++)
                if (fd.Parameters[k] is { } d)
                    Compare($"dL/dparameter[{k}] ({Describe(model, k)}) via {path}", parameterGradients[k], d);
            if (inputGradients is null) return;
            for (int k = 0; k < fd.Input.Length; k++)
                if (fd.Input[k] is { } d) Compare($"dL/dinput[{k}] via {path}", inputGradients[k], d);
        }

        private void Compare(string what, float engine, double fd)
        {
            double error = Math.Abs(engine - fd), tolerance = _absolute + Relative * Math.Abs(fd);
            Worst = Math.Max(Worst, error / tolerance);
            if (!(error <= tolerance)) failures.AppendLine($"{what}: engine {engine:R}, finite difference {fd:R}");
        }
    }

    /// <summary>Outcome of <see cref="Run"/>; <see cref="Worst"/> is the largest error as a fraction of its
    /// tolerance.</summary>
    public sealed record Result(string Failures, int Skipped, int Checked, double Worst)
    {
        public bool Passed => Failures.Length == 0;
    }

    public static double[] ToDouble(float[] v) => Array.ConvertAll(v, f => (double)f);

    // "layer 1 (LSTM) recurrent_kernel[3]"
    private static string Describe(Sequential model, int index)
    {
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var layer = model.Layers[l];
            int local = index - layer.ParameterOffset;
            if (local < 0 || local >= layer.ParameterCount) continue;
            foreach (var t in layer.Tensors)
                if (local >= t.Offset && local < t.Offset + t.Length)
                    return $"layer {l} ({layer.TypeName}) {t.Name}[{local - t.Offset}]";
        }
        return "?";
    }
}
