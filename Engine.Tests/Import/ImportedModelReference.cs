using System.Text.Json.Nodes;
using Engine.Import;

namespace Engine.Tests.Import;

/// <summary>
/// A plain double-precision forward pass of an <see cref="ImportedModel"/> written from Keras' equations, independent
/// of the engine and of the readers: one series, one step, one unit at a time. Input (T, F) per series.
/// <code>
/// LSTM  z = x W + h U + b (blocks i, f, c, o); i, f, o = ra(z); c = f c + i a(z_c); h = o a(c)
/// GRU   z, r = ra(x W_zr + h U_zr + b_zr)
///       reset_after:     hh = a(x W_h + bi_h + r (h U_h + br_h))   (bias (2, 3H): [input; recurrent])
///       not reset_after: hh = a(x W_h + (r h) U_h + b_h)
///       h = z h + (1 - z) hh
/// Bidirectional: the backward layer reads the series reversed; sequences are re-reversed and concatenated
/// [forward, backward] per step; without return_sequences the two final states are concatenated.
/// Dense acts on the last axis (every step of a sequence); Flatten joins (T, U) into T U; LastStep keeps step T-1;
/// Dropout is the identity.
/// </code>
/// </summary>
internal static class ImportedModelReference
{
    /// <summary>The output of one series: (T, U) rows when the last layer returns sequences, else one row.</summary>
    public static double[][] Forward(ImportedModel model, double[][] series)
    {
        var x = series;
        foreach (var layer in model.Layers)
        {
            var w = layer.Weights.ToDictionary(t => t.Name, t => t.Data);
            switch (layer.ClassName)
            {
                case "LSTM" or "GRU":
                    x = Recurrent(layer.ClassName, layer.Config, w, "", x, reverse: false);
                    break;
                case "Bidirectional":
                    {
                        var inner = (JsonObject)layer.Config["layer"]!;
                        string cell = (string)inner["class_name"]!;
                        var config = (JsonObject)inner["config"]!;
                        var f = Recurrent(cell, config, w, "forward_layer/", x, reverse: false);
                        var b = Recurrent(cell, config, w, "backward_layer/", x, reverse: true);
                        if ((string?)layer.Config["merge_mode"] != "concat")
                            throw new NotSupportedException("merge_mode");
                        x = [.. f.Select((row, t) => row.Concat(b[t]).ToArray())];
                        break;
                    }
                case "Dense":
                    {
                        int units = (int)layer.Config["units"]!;
                        string act = (string)layer.Config["activation"]!;
                        x = [.. x.Select(row => Dense(row, w["kernel"], w["bias"], units, act))];
                        break;
                    }
                case "Flatten": x = [x.SelectMany(r => r).ToArray()]; break;
                case "LastStep": x = [x[^1]]; break;
                case "Dropout": break;
                default: throw new NotSupportedException(layer.ClassName);
            }
        }
        return x;
    }

    private static double[] Dense(double[] x, float[] kernel, float[] bias, int units, string act)
    {
        var y = new double[units];
        for (int j = 0; j < units; j++)
        {
            double s = bias[j];
            for (int i = 0; i < x.Length; i++) s += x[i] * kernel[i * units + j];
            y[j] = s;
        }
        if (act == "softmax")
        {
            double max = y.Max(), sum = y.Sum(v => Math.Exp(v - max));
            return [.. y.Select(v => Math.Exp(v - max) / sum)];
        }
        return [.. y.Select(v => Activate(act, v))];
    }

    private static double Activate(string name, double x) => name switch
    {
        "linear" => x,
        "relu" => Math.Max(x, 0),
        "tanh" => Math.Tanh(x),
        "sigmoid" => 1 / (1 + Math.Exp(-x)),
        _ => throw new NotSupportedException(name),
    };

    /// <summary>One recurrent layer over the series; with <paramref name="reverse"/> it reads the series from the
    /// end and its sequence output is put back in time order. Returns every step, or the final state alone.</summary>
    private static double[][] Recurrent(string cell, JsonObject config, Dictionary<string, float[]> w, string prefix,
                                        double[][] x, bool reverse)
    {
        int h = (int)config["units"]!, f = x[0].Length, steps = x.Length;
        string act = (string)config["activation"]!, ract = (string)config["recurrent_activation"]!;
        bool lstm = cell == "LSTM", resetAfter = !lstm && (bool?)config["reset_after"] == true;
        int g = lstm ? 4 : 3, gh = g * h;
        float[] kernel = w[prefix + "kernel"], recurrent = w[prefix + "recurrent_kernel"], bias = w[prefix + "bias"];
        var state = new double[h];
        var c = new double[h];
        var outputs = new double[steps][];
        for (int s = 0; s < steps; s++)
        {
            int t = reverse ? steps - 1 - s : s;
            var xz = new double[gh];
            var hz = new double[gh];
            for (int k = 0; k < gh; k++)
            {
                double a = bias[k], b = resetAfter ? bias[gh + k] : 0;
                for (int i = 0; i < f; i++) a += x[t][i] * kernel[i * gh + k];
                xz[k] = a;
                if (lstm || resetAfter || k < 2 * h)
                {
                    for (int i = 0; i < h; i++) b += state[i] * recurrent[i * gh + k];
                    hz[k] = b;
                }
            }
            var next = new double[h];
            if (lstm)
            {
                for (int j = 0; j < h; j++)
                {
                    double i = Activate(ract, xz[j] + hz[j]), fg = Activate(ract, xz[h + j] + hz[h + j]);
                    double cc = Activate(act, xz[2 * h + j] + hz[2 * h + j]);
                    double o = Activate(ract, xz[3 * h + j] + hz[3 * h + j]);
                    c[j] = fg * c[j] + i * cc;
                    next[j] = o * Activate(act, c[j]);
                }
            }
            else
            {
                var r = new double[h];
                for (int j = 0; j < h; j++) r[j] = Activate(ract, xz[h + j] + hz[h + j]);
                for (int j = 0; j < h; j++)
                {
                    double z = Activate(ract, xz[j] + hz[j]), a = xz[2 * h + j];
                    if (resetAfter) a += r[j] * hz[2 * h + j];
                    else for (int i = 0; i < h; i++) a += r[i] * state[i] * recurrent[i * gh + 2 * h + j];
                    next[j] = z * state[j] + (1 - z) * Activate(act, a);
                }
            }
            state = next;
            outputs[t] = next;
        }
        bool sequences = (bool?)config["return_sequences"] ?? false;
        return sequences ? outputs : [state];
    }
}
