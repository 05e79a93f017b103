using Engine.Layers;
using Engine.Models;

namespace Engine.Importance;

/// <summary>
/// The weight matrices the connection-weight methods multiply. The first layer's kernel gives an (F, H1) block per
/// gate (LSTM) or its whole (F, O) kernel (Dense); every later layer contributes its candidate block W^c (LSTM,
/// the path that carries the input's value: g = act(x W^c + ...)) or its kernel (Dense).
/// </summary>
internal static class WeightPaths
{
    /// <summary>Index of the candidate block.</summary>
    public const int Candidate = 2;

    /// <summary>Whether the first layer has gate blocks (an LSTM).</summary>
    public static bool FirstLayerIsLstm(Sequential model) => model.Layers[0] is Lstm;

    /// <summary>
    /// The first layer's input weights (F, H1): gate block <paramref name="gate"/> of an LSTM kernel, or a Dense kernel
    /// (gate ignored); absolute values when <paramref name="absolute"/>.
    /// </summary>
    public static double[,] FirstLayer(Sequential model, int gate, bool absolute) => Block(model, 0, gate, absolute);

    /// <summary>
    /// The path (H1, O) from the first layer's units to the outputs: the product of every later layer's candidate block
    /// (or kernel), of absolute values when <paramref name="absolute"/>; the identity for a single-layer model.
    /// </summary>
    public static double[,] Downstream(Sequential model, bool absolute)
    {
        int h1 = model.Layers[0].Units;
        var path = new double[h1, h1];
        for (int i = 0; i < h1; i++) path[i, i] = 1;
        for (int k = 1; k < model.Layers.Count; k++) path = Multiply(path, Block(model, k, Candidate, absolute));
        return path;
    }

    /// <summary>Row sums of a matrix.</summary>
    public static double[] RowSums(double[,] m)
    {
        var sums = new double[m.GetLength(0)];
        for (int i = 0; i < sums.Length; i++)
            for (int j = 0; j < m.GetLength(1); j++) sums[i] += m[i, j];
        return sums;
    }

    /// <summary>C = A B.</summary>
    public static double[,] Multiply(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), k = a.GetLength(1), m = b.GetLength(1);
        if (b.GetLength(0) != k) throw new ArgumentException($"cannot multiply ({n}, {k}) by ({b.GetLength(0)}, {m})");
        var c = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < k; p++)
            {
                double aip = a[i, p];
                for (int j = 0; j < m; j++) c[i, j] += aip * b[p, j];
            }
        return c;
    }

    // Layer k's input weights: gate block of an LSTM kernel (In, 4H) or a Dense kernel (In, O).
    private static double[,] Block(Sequential model, int k, int gate, bool absolute)
    {
        var layer = model.Layers[k];
        ReadOnlySpan<float> kernel = model.Tensor(k, "kernel");
        int rows = layer.InputSize, units = layer.Units;
        bool lstm = layer is Lstm;
        int width = lstm ? 4 * units : units, offset = lstm ? gate * units : 0;
        var block = new double[rows, units];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < units; c++)
            {
                double w = kernel[r * width + offset + c];
                block[r, c] = absolute ? Math.Abs(w) : w;
            }
        return block;
    }
}
