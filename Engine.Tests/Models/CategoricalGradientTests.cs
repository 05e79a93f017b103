using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Random;
using Engine.Tests.Reference;
using Xunit;

namespace Engine.Tests.Models;

/// <summary>
/// A softmax head trained with categorical cross-entropy: the training step's loss and gradients (the fused form on
/// the logits, <see cref="Sequential.ComputeGradients"/>) and the backward pass from the loss on probabilities,
/// against central finite differences of an independent double reference: <see cref="ReferenceNetwork"/> with a
/// linear head gives the logits z, and the loss is <c>(1/R) sum_r sum_j y_rj (lse_r - z_rj)</c> in double
/// (<see cref="CrossEntropy"/>).
/// </summary>
public class CategoricalGradientTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void GradientsMatchFiniteDifferencesOfTheReference(bool sequence, bool softTargets)
    {
        int checkedCases = 0;
        for (int seed = 0; seed < 6; seed++)
        {
            var rng = new RandomSource(100 + (ulong)seed);
            int batch = 1 + seed % 3, steps = 2 + seed % 3, features = 1 + seed % 3, classes = 2 + seed % 3;
            LstmSpec[] lstms = [new(3, Activation.Tanh, Activation.Sigmoid, true),
                                new(2 + seed % 2, Activation.Tanh, Activation.Sigmoid, sequence)];
            var net = new ReferenceNetwork(features, lstms, new DenseSpec(classes, Activation.Linear));
            float[] Draw(int n, float range) { var v = new float[n]; rng.FillUniform(v, -range, range); return v; }
            var parameters = Draw(net.ParameterCount, 1f);
            var input = Draw(batch * steps * features, 2f);
            int rows = batch * net.OutputsPerSeries(steps) / classes;
            var target = new float[rows * classes];
            for (int r = 0; r < rows; r++)
                if (softTargets) rng.FillUniform(target.AsSpan(r * classes, classes), 0f, 1f);
                else target[r * classes + (int)(rng.NextUInt64() % (ulong)classes)] = 1f;
            Check(net, parameters, input, target, batch, steps, classes);
            checkedCases++;
        }
        Assert.Equal(6, checkedCases);
    }

    private static void Check(ReferenceNetwork net, float[] parameters, float[] input, float[] target, int batch,
                              int steps, int classes)
    {
        var lstms = net.Recurrent.Select(l => (Layer)new Lstm(l.Units, l.Activation, l.RecurrentActivation,
                                                               l.ReturnSequences));
        var model = new Sequential(net.Features, [.. lstms, Dense.WithSoftmax(classes)]);
        parameters.CopyTo(model.Parameters, 0);
        var loss = new CategoricalCrossEntropy(classes);
        double[] p = GradientCheck.ToDouble(parameters), x = GradientCheck.ToDouble(input),
                 y = GradientCheck.ToDouble(target);
        double L() => CrossEntropy(net.Forward(p, x, batch, steps), y, classes);
        double Difference(double[] v, int k)
        {
            double saved = v[k];
            v[k] = saved + GradientCheck.Step;
            double plus = L();
            v[k] = saved - GradientCheck.Step;
            double minus = L();
            v[k] = saved;
            return (plus - minus) / (2 * GradientCheck.Step);
        }
        var dp = p.Select((_, k) => Difference(p, k)).ToArray();
        var dx = x.Select((_, k) => Difference(x, k)).ToArray();
        double absolute = GradientCheck.Absolute * (1 + dp.Concat(dx).Max(Math.Abs));
        void Compare(string what, float engine, double fd) =>
            Assert.True(Math.Abs(engine - fd) <= absolute + GradientCheck.Relative * Math.Abs(fd),
                        $"{what}: engine {engine:R}, finite difference {fd:R}");

        // The training step: fused on the logits.
        float value = model.ComputeGradients(input, target, batch, steps, loss);
        double reference = L();
        Assert.True(Math.Abs(value - reference) <= 1e-5 + 1e-5 * Math.Abs(reference),
                    $"loss: engine {value:R}, reference {reference:R}");
        for (int k = 0; k < dp.Length; k++) Compare($"fused dL/dparameter[{k}]", model.Gradients[k], dp[k]);

        // The loss on probabilities and Sequential.Backward through the softmax head.
        var output = new float[batch * model.OutputsPerSeries(steps)];
        model.Forward(output, input, batch, steps);
        var dOutput = new float[output.Length];
        // Targets are (N, T x K) batch-major, as Forward's output and the reference's.
        float probabilityValue = loss.Compute(output, target, dOutput);
        Assert.True(Math.Abs(probabilityValue - reference) <= 1e-5 + 1e-5 * Math.Abs(reference),
                    $"loss on probabilities: engine {probabilityValue:R}, reference {reference:R}");
        Array.Clear(model.Gradients);
        var dInput = new float[input.Length];
        model.Backward(dInput, dOutput);
        for (int k = 0; k < dp.Length; k++) Compare($"dL/dparameter[{k}] via Backward", model.Gradients[k], dp[k]);
        for (int k = 0; k < dx.Length; k++) Compare($"dL/dinput[{k}] via Backward", dInput[k], dx[k]);
    }

    /// <summary>(1/R) sum_r sum_j y_rj (lse_r - z_rj), lse_r = m_r + ln sum_j e^(z_rj - m_r), in double.</summary>
    public static double CrossEntropy(double[] z, double[] y, int classes)
    {
        int rows = z.Length / classes;
        double sum = 0;
        for (int r = 0; r < rows; r++)
        {
            var row = z.AsSpan(r * classes, classes);
            double m = double.NegativeInfinity;
            foreach (double v in row) m = Math.Max(m, v);
            double s = 0;
            foreach (double v in row) s += Math.Exp(v - m);
            double lse = m + Math.Log(s);
            for (int j = 0; j < classes; j++) sum += y[r * classes + j] * (lse - row[j]);
        }
        return sum / rows;
    }
}
