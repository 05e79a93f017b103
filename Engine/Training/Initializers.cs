using Engine.Random;

namespace Engine.Training;

/// <summary>Keras' default weight initialisers.</summary>
internal static class Initializers
{
    /// <summary>Glorot (Xavier) uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)); the matrix is (fanIn,
    /// fanOut).</summary>
    public static void GlorotUniform(Span<float> weights, int fanIn, int fanOut, RandomSource rng)
    {
        float limit = MathF.Sqrt(6f / (fanIn + fanOut));
        rng.FillUniform(weights, -limit, limit);
    }

    /// <summary>
    /// Keras' orthogonal initialiser for a (rows, cols) matrix: a normal matrix, QR-decomposed, Q with the
    /// signs of diag(R); when rows &lt; cols the rows of the result are orthonormal, else its columns.
    /// </summary>
    public static void Orthogonal(Span<float> weights, int rows, int cols, RandomSource rng, float gain = 1f)
    {
        if (weights.Length != rows * cols)
            throw new ArgumentException($"weights has {weights.Length} elements, expected {rows} x {cols}",
                                        nameof(weights));
        // Orthonormalise the columns of a tall (big, small) normal matrix with modified Gram-Schmidt, in double.
        int big = Math.Max(rows, cols), small = Math.Min(rows, cols);
        var q = new double[big * small];
        for (int i = 0; i < q.Length; i++) q[i] = rng.NextGaussian();
        for (int j = 0; j < small; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double d = 0;
                for (int r = 0; r < big; r++) d += q[r * small + j] * q[r * small + k];
                for (int r = 0; r < big; r++) q[r * small + j] -= d * q[r * small + k];
            }
            double norm = 0;
            for (int r = 0; r < big; r++) norm += q[r * small + j] * q[r * small + j];
            norm = Math.Sqrt(norm);
            for (int r = 0; r < big; r++) q[r * small + j] /= norm;
        }
        // Gram-Schmidt's R has a positive diagonal, so Q already carries Keras' sign convention.
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                weights[r * cols + c] = (float)(gain * (rows >= cols ? q[r * small + c] : q[c * small + r]));
    }
}
