using System.Numerics.Tensors;

namespace Engine.Kernels;

/// <summary>
/// Softmax over the rows of x (rows, cols), as a Keras Dense head with activation "softmax" applies it:
/// <c>y_i = e^{x_i - m} / sum_j e^{x_j - m}</c> with m = max_j x_j (so no exp overflows; the largest term is 1), and
/// its backward pass from the output, <c>dx_i = y_i (dy_i - sum_j dy_j y_j)</c>. The vector forms run each step of
/// a row through <see cref="TensorPrimitives"/> (max, subtract, exp, sum, divide; dot, subtract, multiply), on
/// whatever vector width the machine has. Not an <see cref="Activation"/>: it couples the elements of a row.
/// </summary>
internal static class Softmax
{
    /// <summary>y = softmax(x) row by row; x and y (rows, cols) may be the same span.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int cols)
    {
        CheckShapes(x, y, rows, cols, nameof(x), nameof(y));
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            float max = TensorPrimitives.Max(xr);
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Exp(yr, yr);
            TensorPrimitives.Divide(yr, TensorPrimitives.Sum(yr), yr);
        }
    }

    /// <summary>Scalar twin of <see cref="Forward"/>: the same steps element by element, sums in index order.</summary>
    public static void ForwardScalar(ReadOnlySpan<float> x, Span<float> y, int rows, int cols)
    {
        CheckShapes(x, y, rows, cols, nameof(x), nameof(y));
        for (int r = 0; r < rows; r++)
        {
            int o = r * cols;
            float max = x[o];
            for (int j = 1; j < cols; j++) max = MathF.Max(max, x[o + j]);
            float sum = 0f;
            for (int j = 0; j < cols; j++) sum += y[o + j] = MathF.Exp(x[o + j] - max);
            for (int j = 0; j < cols; j++) y[o + j] /= sum;
        }
    }

    /// <summary>dx = y (dy - sum(dy y)) row by row, from the forward output y; dx may alias dy.</summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols)
    {
        CheckShapes(y, dy, rows, cols, nameof(y), nameof(dy));
        CheckShapes(y, dx, rows, cols, nameof(y), nameof(dx));
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * cols, cols);
            var dxr = dx.Slice(r * cols, cols);
            float dot = TensorPrimitives.Dot(dy.Slice(r * cols, cols), yr);
            TensorPrimitives.Subtract(dy.Slice(r * cols, cols), dot, dxr);
            TensorPrimitives.Multiply(dxr, yr, dxr);
        }
    }

    /// <summary>Scalar twin of <see cref="Backward"/>.</summary>
    public static void BackwardScalar(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols)
    {
        CheckShapes(y, dy, rows, cols, nameof(y), nameof(dy));
        CheckShapes(y, dx, rows, cols, nameof(y), nameof(dx));
        for (int r = 0; r < rows; r++)
        {
            int o = r * cols;
            float dot = 0f;
            for (int j = 0; j < cols; j++) dot += dy[o + j] * y[o + j];
            for (int j = 0; j < cols; j++) dx[o + j] = y[o + j] * (dy[o + j] - dot);
        }
    }

    private static void CheckShapes(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int rows, int cols, string aName,
                                    string bName)
    {
        Check.Positive(rows, nameof(rows));
        Check.Positive(cols, nameof(cols));
        CheckLength(a.Length, rows, cols, aName);
        CheckLength(b.Length, rows, cols, bName);
    }

    private static void CheckLength(int length, int rows, int cols, string name)
    {
        if (length != (long)rows * cols)
            throw new ArgumentException($"{name} has length {length}, expected ({rows}, {cols})", name);
    }
}
