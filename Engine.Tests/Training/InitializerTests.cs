using Engine.Layers;
using Engine.Models;
using Engine.Random;
using Engine.Training;
using Xunit;

namespace Engine.Tests.Training;

public class InitializerTests
{
    [Theory]
    [InlineData(3, 40)]
    [InlineData(20, 30)]
    [InlineData(1, 4)]
    public void GlorotUniformStaysWithinItsLimitAndFillsIt(int fanIn, int fanOut)
    {
        var w = new float[fanIn * fanOut];
        Initializers.GlorotUniform(w, fanIn, fanOut, new RandomSource(1));
        double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
        Assert.All(w, v => Assert.InRange(Math.Abs(v), 0, limit));
        if (w.Length >= 100)
        {
            Assert.True(w.Max(Math.Abs) > 0.9 * limit, "the values should spread over the whole range");
            double variance = w.Average(v => (double)v * v);
            Assert.InRange(variance, 0.8 * limit * limit / 3, 1.2 * limit * limit / 3); // U(-l, l) has variance l^2 / 3
        }
    }

    /// <summary>For a wide (H, 4H) recurrent kernel the rows are orthonormal: U Uᵀ = I.</summary>
    [Theory]
    [InlineData(1, 4)]
    [InlineData(3, 12)]
    [InlineData(10, 40)]
    [InlineData(6, 4)] // tall: columns orthonormal, Uᵀ U = I
    public void OrthogonalHasOrthonormalRowsOrColumns(int rows, int cols)
    {
        var u = new float[rows * cols];
        Initializers.Orthogonal(u, rows, cols, new RandomSource(2));
        bool wide = rows <= cols;
        int size = wide ? rows : cols;
        for (int a = 0; a < size; a++)
            for (int b = 0; b < size; b++)
            {
                double dot = 0;
                for (int k = 0; k < (wide ? cols : rows); k++)
                    dot += wide ? (double)u[a * cols + k] * u[b * cols + k] : (double)u[k * cols + a] * u[k * cols + b];
                Assert.True(Math.Abs(dot - (a == b ? 1 : 0)) < 1e-5,
                            $"({rows}, {cols}): entry ({a}, {b}) of the Gram matrix is {dot}");
            }
    }

    [Fact]
    public void ModelInitializeUsesKerasDefaults()
    {
        const int features = 3, units = 5;
        var model = new Sequential(features, [new Lstm(units, returnSequences: true), new Dense(2)]);
        model.Initialize(9);

        var bias = model.Tensor(0, "bias").ToArray();
        // unit_forget_bias
        for (int k = 0; k < 4 * units; k++) Assert.Equal(k >= units && k < 2 * units ? 1f : 0f, bias[k]);
        double limit = Math.Sqrt(6.0 / (features + 4 * units));
        Assert.All(model.Tensor(0, "kernel").ToArray(), v => Assert.InRange(Math.Abs(v), 0, limit));
        var u = model.Tensor(0, "recurrent_kernel").ToArray();
        for (int a = 0; a < units; a++)
            for (int b = 0; b < units; b++)
            {
                double dot = 0;
                for (int k = 0; k < 4 * units; k++) dot += (double)u[a * 4 * units + k] * u[b * 4 * units + k];
                Assert.True(Math.Abs(dot - (a == b ? 1 : 0)) < 1e-5, $"U Uᵀ [{a}, {b}] = {dot}");
            }
        Assert.All(model.Tensor(1, "kernel").ToArray(), v =>
            Assert.InRange(Math.Abs(v), 0, Math.Sqrt(6.0 / (units + 2))));
        Assert.All(model.Tensor(1, "bias").ToArray(), v => Assert.Equal(0f, v));

        var again = new Sequential(features, [new Lstm(units, returnSequences: true), new Dense(2)]);
        again.Initialize(9);
        Assert.Equal(model.Parameters, again.Parameters);
        again.Initialize(10);
        Assert.NotEqual(model.Parameters, again.Parameters);
    }
}
