using Engine.Importance;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>
/// Lag windows on a sequence model with two outputs per step (<see cref="FeatureGroups"/>' prediction per output
/// step): each step's pair of outputs must come from that step's own pass, and a pass resumed from the recorded one
/// must resume at its window, not after it. N = 24 series, a multiple of every micro-kernel row count (4, 6, 8), so
/// that every step's pass does resume.
/// </summary>
public class LagWindowOutputGroupsTests
{
    private const int N = 24, T = 3, F = 2, O = 2;

    // Dense(2) on every step: y[n, t, j] = sum_i K[i, j] x[n, t, i] + b_j, K = [[0.5, -1], [1.5, 0.25]],
    // b = (0.1, -0.2).
    private static readonly double[,] K = { { 0.5, -1.0 }, { 1.5, 0.25 } };
    private static readonly double[] B = [0.1, -0.2];

    private static Sequential Model()
    {
        var model = new Sequential(F, [new Dense(O)], flatten: true);
        var kernel = model.Tensor(0, "kernel");
        for (int i = 0; i < F; i++)
            for (int j = 0; j < O; j++) kernel[i * O + j] = (float)K[i, j];
        for (int j = 0; j < O; j++) model.Tensor(0, "bias")[j] = (float)B[j];
        return model;
    }

    private static float X(int n, int t, int i) => MathF.Sin(0.7f * n + 1.3f * t + 2.1f * i);

    private static float Z(int n, int t, int j) => 0.3f * MathF.Cos(0.5f * n + 0.9f * t + 1.7f * j);

    [Fact]
    public void Window_occlusion_keeps_each_steps_own_pair_of_outputs()
    {
        var x = new float[N * T * F];
        var z = new float[N * T * O];
        for (int n = 0; n < N; n++)
            for (int t = 0; t < T; t++)
            {
                for (int i = 0; i < F; i++) x[(n * T + t) * F + i] = X(n, t, i);
                for (int j = 0; j < O; j++) z[(n * T + t) * O + j] = Z(n, t, j);
            }
        var context = new ImportanceContext
        {
            Model = Model(), Inputs = x, Targets = z, Count = N, Steps = T, Loss = new MeanSquaredError(), Seed = 1,
            Threads = 2, Groups = FeatureGroups.Lags("0,1", T, ["a", "b"]),
        };
        var result = new Occlusion { ZeroBaseline = true }.Compute(context);
        // Lag 0 zeroed before each output step tau is step tau itself: every output becomes its bias b_j.
        // D_n = (1/(T O)) sum_{t,j} ((b_j - z)^2 - (y - z)^2), score = mean_n |D_n|.
        double expected = 0;
        for (int n = 0; n < N; n++)
        {
            double d = 0;
            for (int t = 0; t < T; t++)
                for (int j = 0; j < O; j++)
                {
                    double y = B[j], zz = Z(n, t, j);
                    for (int i = 0; i < F; i++) y += K[i, j] * X(n, t, i);
                    d += (Math.Pow(B[j] - zz, 2) - Math.Pow(y - zz, 2)) / (T * O);
                }
            expected += Math.Abs(d) / N;
        }
        Assert.Equal(["lag 0", "lag 1"], result.Groups!.Names);
        Assert.Equal(expected, result.Features[0].Score, 1e-6);
        // Lag 1 is the step before each output's: a model without memory never reads it (0 exactly, the same pass).
        Assert.Equal(0, result.Features[1].Score);
    }
}
