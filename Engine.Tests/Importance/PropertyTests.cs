using Engine.Importance;
using Engine.Models;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>Properties that hold whatever the weights.</summary>
public class PropertyTests
{
    public static readonly string[] ZeroRowMethods =
    [
        "connection-weights", "garson", "partial-derivatives", "input-perturbation", "permutation",
        "improved-stepwise-1", "improved-stepwise-2", "integrated-gradients", "sensitivity-analysis", "occlusion",
    ];

    public static IEnumerable<object[]> ZeroRowCases => ZeroRowMethods.Select(m => new object[] { m });

    [Theory]
    [MemberData(nameof(ZeroRowCases))]
    public void ZeroKernelRowScoresExactlyZero(string method)
    {
        // Several weight draws, both output shapes, every feature in turn: feature z's score is exactly 0.
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(8),
                          Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(),
                                      Gen.Choose(0, Fixtures.Features - 1).ToArbitrary(),
                                      Gen.Elements(false, true).ToArbitrary(),
            (seed, z, lastStep) =>
            {
                var model = Fixtures.Model((ulong)seed, lastStep, relu: seed % 2 == 0);
                Fixtures.ZeroInputRow(model, z);
                var result = ImportanceMethods.Create(method).Compute(Fixtures.Context(model, (ulong)seed));
                return result.Scores[z] == 0 && result.Scores.Where((_, i) => i != z).All(double.IsFinite);
            }));
    }

    [Fact]
    public void ZeroKernelRowGivesZeroTimeMapColumn()
    {
        var model = Fixtures.Model(5);
        Fixtures.ZeroInputRow(model, 1);
        var context = Fixtures.Context(model, 5);
        foreach (var method in new IImportanceMethod[] { new PartialDerivatives(), new IntegratedGradients(),
            new InputPerturbation { TimeResolved = true }, new Occlusion(), new Occlusion { ZeroBaseline = true } })
        {
            var map = method.Compute(context).TimeMap!;
            for (int t = 0; t < Fixtures.Steps; t++) Assert.Equal(0.0, map[t, 1]);
            for (int t = 0; t < Fixtures.Steps; t++) Assert.Equal(0.0, method.Compute(context).LagMap![t, 1]);
        }
    }

    [Property(MaxTest = 10)]
    public bool ImprovedStepwiseMethodsAgreeOnCentredInputs(PositiveInt seed, bool lastStep)
    {
        var model = Fixtures.Model((ulong)seed.Get, lastStep, relu: seed.Get % 2 == 0);
        var context = Fixtures.Context(model, (ulong)seed.Get, centred: true);
        var a = new ImprovedStepwise(useMeans: false).Compute(context);
        var b = new ImprovedStepwise(useMeans: true).Compute(context);
        // Centring in float leaves means of order 1e-8, not exactly 0: agree to rounding, same order.
        return a.Order!.SequenceEqual(b.Order!)
            && a.Scores.Zip(b.Scores).All(p => Math.Abs(p.First - p.Second) <= 1e-5 * (1 + Math.Abs(p.First)));
    }

    [Property(MaxTest = 10)]
    public bool GarsonSumsToOne(PositiveInt seed, bool lastStep, bool allGates)
    {
        var model = Fixtures.Model((ulong)seed.Get, lastStep);
        var result = new Garson { AllGates = allGates }.Compute(Fixtures.Context(model, 1));
        return Math.Abs(result.Scores.Sum() - 1) < 1e-12 && result.Scores.All(s => s >= 0);
    }

    [Property(MaxTest = 8)]
    public void PartialDerivativesEqualCentralDifferences(PositiveInt seed, bool lastStep)
    {
        var model = Fixtures.Model((ulong)seed.Get, lastStep);
        var context = Fixtures.Context(model, (ulong)seed.Get, count: 3);
        int outputs = context.OutputsPerSeries;
        var x = context.Inputs;
        const float h = 1e-2f;
        var ssd = new double[Fixtures.Features];
        for (int p = 0; p < outputs; p++)
        {
            var jacobian = PartialDerivatives.Jacobian(model, x, context.Count, Fixtures.Steps, p);
            for (int cell = 0; cell < x.Length; cell++)
            {
                int n = cell / (Fixtures.Steps * Fixtures.Features);
                float saved = x[cell];
                x[cell] = saved + h;
                double plus = Predict(model, x, context)[n * outputs + p];
                x[cell] = saved - h;
                double minus = Predict(model, x, context)[n * outputs + p];
                x[cell] = saved;
                double fd = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(fd - jacobian[cell]) <= 1e-4 + 1e-3 * Math.Abs(fd),
                            $"output {p}, cell {cell}: backward {jacobian[cell]}, central difference {fd}");
                ssd[cell % Fixtures.Features] += fd * fd;
            }
        }
        // The method's shares are those of the finite-difference Jacobian.
        var shares = ImportanceStatistics.Shares(ssd);
        var scores = new PartialDerivatives().Compute(context).Scores;
        for (int i = 0; i < shares.Length; i++)
            Assert.True(Math.Abs(shares[i] - scores[i]) < 1e-3,
                        $"feature {i}: PaD {scores[i]}, from differences {shares[i]}");
    }

    [Property(MaxTest = 8)]
    public void IntegratedGradientsAreComplete(PositiveInt seed, bool lastStep, bool zeroBaseline, bool relu)
    {
        var model = Fixtures.Model((ulong)seed.Get, lastStep, relu);
        var context = Fixtures.Context(model, (ulong)seed.Get, count: 4);
        var ig = new IntegratedGradients
        { From = zeroBaseline ? IntegratedGradientsBaseline.Zero : IntegratedGradientsBaseline.Mean };
        var baseline = ig.Baseline(context);
        int per = Fixtures.Steps * Fixtures.Features, outputs = context.OutputsPerSeries;
        var fx = Predict(model, context.Inputs, context);
        var fb = Predict(model, baseline, context);
        // The trapezoid rule errs by O(1/m^2) on a smooth integrand (tanh); relu makes the gradient jump, O(1/m).
        double tolerance = relu ? 2e-3 : 2e-5;
        var a = IntegratedGradients.Attributions(model, context.Inputs, baseline, context.Count, Fixtures.Steps, 256);
        for (int n = 0; n < context.Count; n++)
        {
            double sum = 0, delta = 0;
            for (int j = 0; j < per; j++) sum += a[n * per + j];
            for (int p = 0; p < outputs; p++) delta += fx[n * outputs + p] - fb[n * outputs + p];
            Assert.True(Math.Abs(sum - delta) <= tolerance * (1 + Math.Abs(delta)),
                        $"series {n}: sum of attributions {sum}, F(x) - F(baseline) {delta}");
        }
    }

    [Fact]
    public void IntegratedGradientsOfEachStepSumToThoseOfTheSummedOutput()
    {
        var model = Fixtures.Model(6);
        var context = Fixtures.Context(model, 6, count: 5);
        var baseline = new IntegratedGradients().Baseline(context);
        var whole = IntegratedGradients.Attributions(model, context.Inputs, baseline, context.Count, Fixtures.Steps,
                                                     16);
        var sum = new double[whole.Length];
        for (int tau = 0; tau < Fixtures.Steps; tau++)
        {
            var weights = new float[Fixtures.Steps];
            weights[tau] = 1;
            var a = IntegratedGradients.Attributions(model, context.Inputs, baseline, context.Count, Fixtures.Steps, 16,
                                                     weights, threads: 2);
            for (int j = 0; j < a.Length; j++) sum[j] += a[j];
            // Causality: step tau's output owes nothing to later inputs.
            for (int n = 0; n < context.Count; n++)
                for (int t = tau + 1; t < Fixtures.Steps; t++)
                    for (int i = 0; i < Fixtures.Features; i++)
                        Assert.Equal(0.0, a[(n * Fixtures.Steps + t) * Fixtures.Features + i]);
        }
        for (int j = 0; j < whole.Length; j++)
            Assert.True(Math.Abs(whole[j] - sum[j]) < 1e-6, $"cell {j}: {whole[j]} vs {sum[j]}");
    }

    private static float[] Predict(Sequential model, float[] x, ImportanceContext context)
    {
        var y = new float[context.Count * context.OutputsPerSeries];
        model.Predict(y, x, context.Count, context.Steps);
        return y;
    }
}
