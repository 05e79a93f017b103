using Engine.Kernels;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Kernels;

/// <summary>Softmax over rows: pinned values, the scalar twin, the backward against finite differences in
/// double.</summary>
[Trait("Category", "Kernels")]
public class SoftmaxTests
{
    private static float[] Random(int n, ulong seed, float scale)
    {
        var rng = new RandomSource(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rng.Uniform(-scale, scale);
        return a;
    }

    // softmax in double, straight from the definition e^{x_i} / sum_j e^{x_j} (no max shift: the inputs are small).
    private static double[] Reference(float[] x, int row, int cols)
    {
        var e = new double[cols];
        double sum = 0;
        for (int j = 0; j < cols; j++) sum += e[j] = Math.Exp(x[row * cols + j]);
        for (int j = 0; j < cols; j++) e[j] /= sum;
        return e;
    }

    [Fact]
    public void PinnedValues()
    {
        // [0, ln 3] -> [1/4, 3/4]; [1000, 1000] -> 1/2 each (the max shift keeps e^1000 away); [-1e4, 0] -> [0, 1].
        float[] x = [0f, MathF.Log(3f), 1000f, 1000f, -1e4f, 0f];
        var y = new float[6];
        Softmax.Forward(x.AsSpan(0, 2), y.AsSpan(0, 2), 1, 2);
        Softmax.Forward(x.AsSpan(2, 2), y.AsSpan(2, 2), 1, 2);
        Softmax.Forward(x.AsSpan(4, 2), y.AsSpan(4, 2), 1, 2);
        Assert.Equal(0.25f, y[0], 6e-8f);
        Assert.Equal(0.75f, y[1], 6e-8f);
        Assert.Equal([0.5f, 0.5f, 0f, 1f], y[2..]);
    }

    [Theory]
    [InlineData(1, 1), InlineData(3, 5), InlineData(2, 16), InlineData(4, 17), InlineData(2, 33), InlineData(1, 65)]
    public void ForwardAndBackwardMatchTheScalarTwinAndTheReference(int rows, int cols)
    {
        var x = Random(rows * cols, (ulong)(rows * 100 + cols), 4f);
        var dy = Random(rows * cols, 7, 1f);
        float[] y = new float[x.Length], ys = new float[x.Length], dx = new float[x.Length], dxs = new float[x.Length];
        Softmax.Forward(x, y, rows, cols);
        Softmax.ForwardScalar(x, ys, rows, cols);
        Softmax.Backward(y, dy, dx, rows, cols);
        Softmax.BackwardScalar(y, dy, dxs, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            var expected = Reference(x, r, cols);
            double h = 1e-6;
            for (int i = 0; i < cols; i++)
            {
                int e = r * cols + i;
                Assert.True(Math.Abs(y[e] - expected[i]) <= 3e-7, $"y[{e}] = {y[e]}, expected {expected[i]}");
                Assert.True(Math.Abs(ys[e] - expected[i]) <= 3e-7, $"scalar y[{e}] = {ys[e]}, expected {expected[i]}");
                // dL/dx_i for L = sum_j dy_j y_j, by central differences of the double reference.
                double fd = 0;
                foreach (int sign in new[] { 1, -1 })
                {
                    var xd = Array.ConvertAll(x, v => (double)v);
                    xd[e] += sign * h;
                    double sum = 0, loss = 0;
                    for (int j = 0; j < cols; j++) sum += Math.Exp(xd[r * cols + j]);
                    for (int j = 0; j < cols; j++) loss += dy[r * cols + j] * Math.Exp(xd[r * cols + j]) / sum;
                    fd += sign * loss / (2 * h);
                }
                Assert.True(Math.Abs(dx[e] - fd) <= 1e-5, $"dx[{e}] = {dx[e]}, finite differences {fd}");
                Assert.True(Math.Abs(dxs[e] - fd) <= 1e-5, $"scalar dx[{e}] = {dxs[e]}, finite differences {fd}");
            }
        }
        Softmax.Forward(x, x, rows, cols); // in place
        Assert.Equal(y, x);
        Softmax.Backward(y, dy, dy, rows, cols); // dx may alias dy
        Assert.Equal(dx, dy);
    }

    [Fact]
    public void RejectsMismatchedShapes()
    {
        Assert.Contains("y has length 5, expected (2, 3)",
            Assert.Throws<ArgumentException>(() => Softmax.Forward(new float[6], new float[5], 2, 3)).Message);
    }
}
