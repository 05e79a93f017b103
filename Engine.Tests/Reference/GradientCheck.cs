using System.Text;
using Engine.Models;

namespace Engine.Tests.Reference;

/// <summary>
/// Checks a <see cref="NetworkCase"/>: the engine's forward against the double reference, and the engine's
/// gradients for every parameter and every input against central finite differences of the reference loss.
/// </summary>
public static class GradientCheck
{
    /// <summary>Finite-difference step, in double: truncation error ~h^2, rounding ~1e-16/h, both far below float noise.</summary>
    public const double Step = 1e-6;

    /// <summary>
    /// Cases with a relu / hard_sigmoid argument closer than this to its kink are discarded: the engine computes in
    /// float, so it might land on the other side of the kink than the double reference.
    /// </summary>
    public const double KinkMargin = 1e-4;

    /// <summary>Gradient tolerance: |engine - fd| &lt;= Absolute (1 + max |fd|) + Relative |fd|, the max over the case.</summary>
    public const double Absolute = 3e-5, Relative = 3e-4;

    /// <summary>Whether the case is far enough from every kink to be checked.</summary>
    public static bool IsClearOfKinks(NetworkCase c)
    {
        var kinks = new KinkRecorder();
        c.Reference.Forward(ToDouble(c.Parameters), ToDouble(c.Input), c.Batch, c.Steps, kinks);
        return kinks.NearestKink >= KinkMargin;
    }

    /// <summary>Runs every check; returns the failures, empty when the engine agrees with the reference.</summary>
    public static Result Run(NetworkCase c)
    {
        var failures = new StringBuilder();
        var net = c.Reference;
        var model = c.BuildModel();
        double[] p = ToDouble(c.Parameters), x = ToDouble(c.Input), y = ToDouble(c.Target);
        int outputs = c.Batch * net.OutputsPerSeries(c.Steps);

        // Forward: engine (float) against reference (double).
        var expected = net.Forward(p, x, c.Batch, c.Steps);
        var actual = new float[outputs];
        model.Forward(actual, c.Input, c.Batch, c.Steps);
        for (int k = 0; k < outputs; k++)
            if (!(Math.Abs(actual[k] - expected[k]) <= 1e-5 + 1e-4 * Math.Abs(expected[k])))
                failures.AppendLine($"output[{k}]: engine {actual[k]:R}, reference {expected[k]:R}");

        // Backward from dL/d(output), through Sequential.Backward.
        var dOutput = new float[outputs];
        var loss = c.EngineLoss;
        if (loss is null) c.Target.CopyTo(dOutput, 0);
        else loss.Compute(actual, c.Target, dOutput);
        var dInput = new float[c.Input.Length];
        Array.Clear(model.Gradients);
        model.Backward(dInput, dOutput);
        var viaBackward = (float[])model.Gradients.Clone();

        // The training path (fused sigmoid + BCE when the head allows it) must give the same loss and gradients.
        if (loss is not null)
        {
            float value = model.ComputeGradients(c.Input, c.Target, c.Batch, c.Steps, loss);
            double reference = ReferenceLoss.Value(c.Loss, expected, y);
            if (!(Math.Abs(value - reference) <= 1e-5 + 1e-4 * Math.Abs(reference)))
                failures.AppendLine($"loss: ComputeGradients {value:R}, reference {reference:R}");
        }

        // Central differences of the reference loss.
        var baseKinks = new KinkRecorder();
        net.Forward(p, x, c.Batch, c.Steps, baseKinks);
        var plusKinks = new KinkRecorder();
        var minusKinks = new KinkRecorder();
        int skipped = 0;
        double worst = 0;
        double? Difference(double[] v, int k)
        {
            double saved = v[k];
            v[k] = saved + Step;
            plusKinks.Clear();
            double lp = ReferenceLoss.Value(c.Loss, net.Forward(p, x, c.Batch, c.Steps, plusKinks), y);
            v[k] = saved - Step;
            minusKinks.Clear();
            double lm = ReferenceLoss.Value(c.Loss, net.Forward(p, x, c.Batch, c.Steps, minusKinks), y);
            v[k] = saved;
            if (!plusKinks.SameSides(baseKinks) || !minusKinks.SameSides(baseKinks)) { skipped++; return null; }
            return (lp - lm) / (2 * Step);
        }
        var fdParameters = new double?[p.Length];
        var fdInput = new double?[x.Length];
        for (int k = 0; k < p.Length; k++) fdParameters[k] = Difference(p, k);
        for (int k = 0; k < x.Length; k++) fdInput[k] = Difference(x, k);

        // Float rounding in the engine is relative to the size of the quantities it sums, so the absolute part of
        // the tolerance scales with the case's largest gradient (linear stacks reach gradients of 10 and more).
        double scale = fdParameters.Concat(fdInput).Max(v => Math.Abs(v ?? 0));
        double absolute = Absolute * (1 + scale);
        void Compare(string what, float engine, double fd)
        {
            double error = Math.Abs(engine - fd), tolerance = absolute + Relative * Math.Abs(fd);
            worst = Math.Max(worst, error / tolerance);
            if (!(error <= tolerance)) failures.AppendLine($"{what}: engine {engine:R}, finite difference {fd:R}");
        }

        var viaTraining = loss is null ? null : model.Gradients;
        for (int k = 0; k < p.Length; k++)
        {
            if (fdParameters[k] is not { } fd) continue;
            Compare($"dL/dparameter[{k}] ({Describe(model, k)}) via Backward", viaBackward[k], fd);
            if (viaTraining is not null) Compare($"dL/dparameter[{k}] ({Describe(model, k)}) via ComputeGradients", viaTraining[k], fd);
        }
        for (int k = 0; k < x.Length; k++)
            if (fdInput[k] is { } fd) Compare($"dL/dinput[{k}]", dInput[k], fd);

        int total = p.Length + x.Length;
        // Steps that straddle a kink are skipped; they must stay rare or the check would prove little.
        if (skipped * 10 > total) failures.AppendLine($"{skipped} of {total} finite differences straddled a kink");
        return new Result(failures.ToString(), skipped, total, worst);
    }

    /// <summary>Outcome of <see cref="Run"/>; <see cref="Worst"/> is the largest error as a fraction of its tolerance.</summary>
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
                if (local >= t.Offset && local < t.Offset + t.Length) return $"layer {l} ({layer.TypeName}) {t.Name}[{local - t.Offset}]";
        }
        return "?";
    }
}
