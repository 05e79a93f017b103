using Engine.Layers;
using Engine.Models;

namespace Engine.Importance;

/// <summary>
/// The weight matrices the connection-weight methods multiply, read through the layer contract
/// (<see cref="Layer.InputWeights"/>): the first layer's kernel gives an (F, H1) block per gate (an LSTM's i, f, c, o)
/// or its whole kernel (a Dense layer's one block); every later layer contributes the block that carries its input's
/// value (<see cref="Layer.ValueGate"/>: an LSTM's candidate W^c, g = act(x W^c + ...); a Dense layer's kernel).
/// </summary>
internal static class WeightPaths
{
    /// <summary>The first layer's gate blocks (one for a layer without gates).</summary>
    public static IReadOnlyList<string> FirstLayerGates(Sequential model) => model.Layers[0].InputGates;

    /// <summary>The first layer's value-carrying gate block.</summary>
    public static int ValueGate(Sequential model) => model.Layers[0].ValueGate;

    /// <summary>
    /// The first layer's input weights (F, H1) through gate block <paramref name="gate"/>; absolute values when
    /// <paramref name="absolute"/>.
    /// </summary>
    public static double[,] FirstLayer(Sequential model, int gate, bool absolute) =>
        model.Layers[0].InputWeights(model.LayerParameters(0), gate, absolute);

    /// <summary>
    /// The path (H1, O) from the first layer's units to the outputs: the product of every later layer's value block,
    /// of absolute values when <paramref name="absolute"/>; the identity for a single-layer model.
    /// </summary>
    public static double[,] Downstream(Sequential model, bool absolute)
    {
        int h1 = model.Layers[0].OutputSize;
        var path = new double[h1, h1];
        for (int i = 0; i < h1; i++) path[i, i] = 1;
        for (int k = 1; k < model.Layers.Count; k++)
        {
            var layer = model.Layers[k];
            path = Multiply(path, layer.InputWeights(model.LayerParameters(k), layer.ValueGate, absolute));
        }
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
}
