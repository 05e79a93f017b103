using Engine.Kernels;

namespace Engine.Tests.Reference;

/// <summary>One recurrent layer of a reference network: <see cref="LstmSpec"/> or <see cref="GruSpec"/>.</summary>
public abstract record RecurrentSpec(int Units, Activation Activation, Activation RecurrentActivation,
                                     bool ReturnSequences)
{
    /// <summary>Parameters of the layer on an input of <paramref name="inputs"/> values per step.</summary>
    public abstract int ParameterCount(int inputs);
}

/// <summary>One LSTM layer of a reference network.</summary>
public sealed record LstmSpec(int Units, Activation Activation, Activation RecurrentActivation, bool ReturnSequences)
    : RecurrentSpec(Units, Activation, RecurrentActivation, ReturnSequences)
{
    public override int ParameterCount(int inputs) => (inputs + Units + 1) * 4 * Units;
}

/// <summary>One GRU layer of a reference network (Keras' reset_after = <paramref name="ResetAfter"/>).</summary>
public sealed record GruSpec(int Units, Activation Activation, Activation RecurrentActivation, bool ReturnSequences,
                             bool ResetAfter)
    : RecurrentSpec(Units, Activation, RecurrentActivation, ReturnSequences)
{
    /// <summary>kernel (F, 3H) + recurrent_kernel (H, 3H) + bias (2, 3H) with reset_after, else bias (3H).</summary>
    public override int ParameterCount(int inputs) => (inputs + Units + (ResetAfter ? 2 : 1)) * 3 * Units;
}

/// <summary>A Dense layer of a reference network (the optional input layer or head), applied to every step of a
/// sequence.</summary>
public sealed record DenseSpec(int Units, Activation Activation);

/// <summary>
/// A plain double-precision LSTM / GRU (+ Dense) forward pass written from the equations, independent of the
/// engine's code: no kernels, no time-major layout, one series and one unit at a time.
/// <code>
/// LSTM: z_t = x_t W + h_{t-1} U + b   // W (F, 4H), U (H, 4H), b (4H); columns: gate blocks i, f, c, o
///       i = r(z_i), f = r(z_f), o = r(z_o), g = a(z_c)
///       c_t = f c_{t-1} + i g;  h_t = o a(c_t);  h_0 = c_0 = 0
/// GRU:  W (F, 3H), U (H, 3H); columns: gate blocks z, r, h (Keras)
///       reset_after:  bias (2, 3H) = [b; b']
///         z = r(x W_z + b_z + h U_z + b'_z), q = r(x W_r + b_r + h U_r + b'_r)
///         g = a(x W_h + b_h + q (h U_h + b'_h))
///       not reset_after: bias (3H)
///         z = r(x W_z + h U_z + b_z), q = r(x W_r + h U_r + b_r), g = a(x W_h + (q h) U_h + b_h)
///       h_t = z h_{t-1} + (1 - z) g;  h_0 = 0
/// Dense: y = a(x K + b)               // K (I, O), b (O)
/// </code>
/// An optional Dense input layer may come before the recurrent layers (applied to every step).
/// Parameters are one flat vector, layer after layer, each layer's tensors in Keras' order (kernel,
/// recurrent_kernel, bias), row-major. Outputs are batch-major: (N, T x O) for a sequence output, else (N, O).
/// </summary>
public sealed class ReferenceNetwork(int features, IReadOnlyList<RecurrentSpec> recurrent, DenseSpec? head,
                                     DenseSpec? input = null)
{
    public int Features { get; } = features;
    public IReadOnlyList<RecurrentSpec> Recurrent { get; } = recurrent;
    public DenseSpec? Head { get; } = head;
    public DenseSpec? Input { get; } = input;

    /// <summary>Whether the network outputs one row per step.</summary>
    public bool OutputsSequence => Recurrent[^1].ReturnSequences;

    public int OutputUnits => Head?.Units ?? Recurrent[^1].Units;

    public int OutputsPerSeries(int steps) => (OutputsSequence ? steps : 1) * OutputUnits;

    public int ParameterCount
    {
        get
        {
            int count = 0, width = Features;
            if (Input is { } first) { count += (width + 1) * first.Units; width = first.Units; }
            foreach (var l in Recurrent) { count += l.ParameterCount(width); width = l.Units; }
            if (Head is { } d) count += (width + 1) * d.Units;
            return count;
        }
    }

    /// <summary>
    /// Forward pass for input (N, T, F) batch-major. Every activation applied to a value where it has a kink
    /// (relu at 0, hard_sigmoid at +-2.5) is reported to <paramref name="kinks"/> with its argument.
    /// With <paramref name="headLogits"/> the Dense head's output is its pre-activation x K + b.
    /// </summary>
    public double[] Forward(double[] parameters, double[] input, int batch, int steps, KinkRecorder? kinks = null,
                            bool headLogits = false)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"expected {ParameterCount} parameters, got {parameters.Length}");
        if (input.Length != batch * steps * Features)
            throw new ArgumentException($"expected ({batch}, {steps}, {Features}) inputs, got {input.Length}");
        var output = new double[batch * OutputsPerSeries(steps)];
        for (int n = 0; n < batch; n++)
        {
            // seq[t][k]: the current layer's input at step t.
            var seq = new double[steps][];
            for (int t = 0; t < steps; t++)
            {
                seq[t] = new double[Features];
                for (int k = 0; k < Features; k++) seq[t][k] = input[(n * steps + t) * Features + k];
            }
            int offset = 0;
            if (Input is { } first)
            {
                for (int t = 0; t < steps; t++) seq[t] = DenseRow(first, seq[t], parameters, offset, kinks);
                offset += (Features + 1) * first.Units;
            }
            foreach (var layer in Recurrent) seq = RecurrentLayer(layer, seq, parameters, ref offset, kinks);
            if (Head is { } d)
                for (int t = 0; t < seq.Length; t++)
                    seq[t] = DenseRow(headLogits ? d with { Activation = Activation.Linear } : d, seq[t], parameters,
                                      offset, kinks);
            int width = OutputUnits, per = OutputsPerSeries(steps);
            for (int t = 0; t < seq.Length; t++)
                for (int k = 0; k < width; k++) output[n * per + t * width + k] = seq[t][k];
        }
        return output;
    }

    // One series through one LSTM layer; returns every h_t, or only h_T when not returning sequences.
    /// <summary>One series through one LSTM or GRU layer whose tensors start at <paramref name="offset"/> (moved past
    /// them).</summary>
    internal static double[][] RecurrentLayer(RecurrentSpec layer, double[][] xs, double[] p, ref int offset,
                                              KinkRecorder? kinks) =>
        layer switch
        {
            LstmSpec lstm => LstmLayer(lstm, xs, p, ref offset, kinks),
            GruSpec gru => GruLayer(gru, xs, p, ref offset, kinks),
            _ => throw new ArgumentException($"unknown recurrent layer {layer}"),
        };

    private static double[][] LstmLayer(LstmSpec spec, double[][] xs, double[] p, ref int offset, KinkRecorder? kinks)
    {
        int f = xs[0].Length, h = spec.Units, cols = 4 * h;
        int wAt = offset, uAt = wAt + f * cols, bAt = uAt + h * cols;
        offset = bAt + cols;
        var hPrev = new double[h];
        var cPrev = new double[h];
        var outputs = new List<double[]>();
        foreach (var x in xs)
        {
            var hNext = new double[h];
            var cNext = new double[h];
            for (int j = 0; j < h; j++)
            {
                // Pre-activation of gate q (0 = i, 1 = f, 2 = c, 3 = o) for unit j: column q*H + j.
                double Z(int q)
                {
                    int col = q * h + j;
                    double z = p[bAt + col];
                    for (int k = 0; k < f; k++) z += x[k] * p[wAt + k * cols + col];
                    for (int k = 0; k < h; k++) z += hPrev[k] * p[uAt + k * cols + col];
                    return z;
                }
                double i = Apply(spec.RecurrentActivation, Z(0), kinks);
                double fg = Apply(spec.RecurrentActivation, Z(1), kinks);
                double g = Apply(spec.Activation, Z(2), kinks);
                double o = Apply(spec.RecurrentActivation, Z(3), kinks);
                cNext[j] = fg * cPrev[j] + i * g;
                hNext[j] = o * Apply(spec.Activation, cNext[j], kinks);
            }
            kinks?.RecordStates(hNext);
            kinks?.RecordStates(cNext);
            hPrev = hNext;
            cPrev = cNext;
            if (spec.ReturnSequences) outputs.Add(hNext);
        }
        if (!spec.ReturnSequences) outputs.Add(hPrev);
        return [.. outputs];
    }

    // One series through one GRU layer (Keras' equations, see the class summary); every h_t, or only h_T.
    private static double[][] GruLayer(GruSpec spec, double[][] xs, double[] p, ref int offset, KinkRecorder? kinks)
    {
        int f = xs[0].Length, h = spec.Units, cols = 3 * h;
        int wAt = offset, uAt = wAt + f * cols, bAt = uAt + h * cols;
        int recurrentBiasAt = spec.ResetAfter ? bAt + cols : -1; // bias row 1 (b'), reset_after only
        offset = bAt + (spec.ResetAfter ? 2 : 1) * cols;
        var hPrev = new double[h];
        var outputs = new List<double[]>();
        foreach (var x in xs)
        {
            // Input part x W + b and recurrent part h U (+ b') of every column.
            var xw = new double[cols];
            var hu = new double[cols];
            for (int col = 0; col < cols; col++)
            {
                xw[col] = p[bAt + col];
                for (int k = 0; k < f; k++) xw[col] += x[k] * p[wAt + k * cols + col];
                hu[col] = recurrentBiasAt >= 0 ? p[recurrentBiasAt + col] : 0.0;
                for (int k = 0; k < h; k++) hu[col] += hPrev[k] * p[uAt + k * cols + col];
            }
            var z = new double[h];
            var q = new double[h];
            for (int j = 0; j < h; j++)
            {
                z[j] = Apply(spec.RecurrentActivation, xw[j] + hu[j], kinks);
                q[j] = Apply(spec.RecurrentActivation, xw[h + j] + hu[h + j], kinks);
            }
            var hNext = new double[h];
            for (int j = 0; j < h; j++)
            {
                double candidate;
                if (spec.ResetAfter) candidate = xw[2 * h + j] + q[j] * hu[2 * h + j];
                else
                {
                    candidate = xw[2 * h + j];
                    for (int k = 0; k < h; k++) candidate += q[k] * hPrev[k] * p[uAt + k * cols + 2 * h + j];
                }
                double g = Apply(spec.Activation, candidate, kinks);
                hNext[j] = z[j] * hPrev[j] + (1 - z[j]) * g;
            }
            kinks?.RecordStates(hNext);
            hPrev = hNext;
            if (spec.ReturnSequences) outputs.Add(hNext);
        }
        if (!spec.ReturnSequences) outputs.Add(hPrev);
        return [.. outputs];
    }

    internal static double[] DenseRow(DenseSpec spec, double[] x, double[] p, int offset, KinkRecorder? kinks)
    {
        int inputs = x.Length, units = spec.Units;
        var y = new double[units];
        for (int j = 0; j < units; j++)
        {
            double z = p[offset + inputs * units + j];
            for (int k = 0; k < inputs; k++) z += x[k] * p[offset + k * units + j];
            y[j] = Apply(spec.Activation, z, kinks);
        }
        return y;
    }

    /// <summary>The activation in double precision.</summary>
    public static double Activate(Activation a, double x) => a switch
    {
        Activation.Linear => x,
        Activation.Relu => Math.Max(x, 0.0),
        Activation.Tanh => Math.Tanh(x),
        Activation.Sigmoid => 1.0 / (1.0 + Math.Exp(-x)),
        Activation.HardSigmoid => Math.Clamp(0.2 * x + 0.5, 0.0, 1.0),
        Activation.HardSigmoidKeras3 => Math.Clamp(x / 6.0 + 0.5, 0.0, 1.0),
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    private static double Apply(Activation a, double x, KinkRecorder? kinks)
    {
        if (kinks is not null && a is Activation.Relu or Activation.HardSigmoid or Activation.HardSigmoidKeras3)
            kinks.Record(a, x);
        return Activate(a, x);
    }
}

/// <summary>
/// Records which side of its kink every relu / hard_sigmoid argument fell on during a forward pass, and how
/// close the nearest one came. Two passes on the same side of every kink see one smooth function between them.
/// Also records the largest recurrent state of the pass (see <see cref="GradientCheck.MaxState"/>).
/// </summary>
public sealed class KinkRecorder
{
    private readonly List<sbyte> _sides = [];

    /// <summary>The smallest distance of an argument to a kink, ignoring arguments exactly at a relu kink.</summary>
    public double NearestKink { get; private set; } = double.PositiveInfinity;

    /// <summary>The largest |value| passed to <see cref="RecordStates"/>: every step's h (and the LSTM's c) and
    /// Bidirectional merges.</summary>
    public double LargestState { get; private set; }

    public IReadOnlyList<sbyte> Sides => _sides;

    public void Clear() { _sides.Clear(); NearestKink = double.PositiveInfinity; LargestState = 0; }

    internal void RecordStates(double[] states)
    {
        foreach (double v in states) LargestState = Math.Max(LargestState, Math.Abs(v));
    }

    internal void Record(Activation a, double x)
    {
        if (a == Activation.Relu)
        {
            _sides.Add((sbyte)Math.Sign(x));
            // An argument exactly 0 comes from exact zeros upstream (c_0 = 0 times a clipped gate): it stays 0
            // under small perturbations, so it is a flat spot, not a kink the finite difference could straddle.
            if (x != 0) NearestKink = Math.Min(NearestKink, Math.Abs(x));
        }
        else
        {
            // Keras 2's clip(0.2 x + 0.5), Keras 3's clip(x / 6 + 0.5)
            double edge = a == Activation.HardSigmoid ? 2.5 : 3.0;
            _sides.Add((sbyte)(x < -edge ? -1 : x > edge ? 1 : 0));
            NearestKink = Math.Min(NearestKink, Math.Min(Math.Abs(x - edge), Math.Abs(x + edge)));
        }
    }

    public bool SameSides(KinkRecorder other) => _sides.SequenceEqual(other._sides);
}
