using System.Numerics.Tensors;

namespace Engine.Kernels;

/// <summary>
/// The elementwise gate math of one LSTM cell for one row (Keras layout, gate blocks i, f, c, o of width H).
/// Forward, from pre-activations z = x W + h U + b:
/// <c>i = r(z_i), f = r(z_f), g = a(z_c), o = r(z_o); c = f c_prev + i g; s = a(c); h = o s</c>,
/// with r the recurrent activation and a the activation.
/// Backward, from dh (total gradient into h) and dc_next (gradient into c from step t+1):
/// <c>dc = dc_next + dh o a'(s); dz_o = dh s r'(o); dz_i = dc g r'(i); dz_f = dc c_prev r'(f); dz_c = dc i a'(g);
/// dc_prev = dc f</c>.
/// </summary>
internal static class LstmCell
{
    /// <summary>
    /// Activates the gates in place (z becomes i, f, g, o), writes the cell state c, its activation s and the output h.
    /// </summary>
    public static void Forward(Span<float> gates, Span<float> c, Span<float> s, Span<float> h,
                               ReadOnlySpan<float> cPrev,
                               Activation activation, Activation recurrentActivation, int units)
    {
        CheckShapes(gates, c, s, h, cPrev, units);
        ForwardUnchecked(gates, c, s, h, cPrev, activation, recurrentActivation, units);
    }

    internal static void ForwardUnchecked(Span<float> gates, Span<float> c, Span<float> s, Span<float> h,
                                          ReadOnlySpan<float> cPrev,
                                          Activation activation, Activation recurrentActivation, int units)
    {
        int hh = units;
        Span<float> ifGates = gates[..(2 * hh)];
        Span<float> g = gates.Slice(2 * hh, hh), o = gates.Slice(3 * hh, hh);
        Activations.ForwardUnchecked(recurrentActivation, ifGates, ifGates);
        Activations.ForwardUnchecked(activation, g, g);
        Activations.ForwardUnchecked(recurrentActivation, o, o);
        TensorPrimitives.Multiply(gates.Slice(hh, hh), cPrev, c);        // f c_prev
        TensorPrimitives.FusedMultiplyAdd(gates[..hh], g, c, c);          // + i g
        Activations.ForwardUnchecked(activation, c, s);
        TensorPrimitives.Multiply(o, s, h);
    }

    /// <summary>Scalar twin of <see cref="Forward"/>.</summary>
    public static void ForwardScalar(Span<float> gates, Span<float> c, Span<float> s, Span<float> h,
                                     ReadOnlySpan<float> cPrev,
                                     Activation activation, Activation recurrentActivation, int units)
    {
        CheckShapes(gates, c, s, h, cPrev, units);
        for (int j = 0; j < units; j++)
        {
            float i = Activations.Scalar(recurrentActivation, gates[j]);
            float f = Activations.Scalar(recurrentActivation, gates[units + j]);
            float g = Activations.Scalar(activation, gates[2 * units + j]);
            float o = Activations.Scalar(recurrentActivation, gates[3 * units + j]);
            gates[j] = i; gates[units + j] = f; gates[2 * units + j] = g; gates[3 * units + j] = o;
            c[j] = MathF.FusedMultiplyAdd(i, g, f * cPrev[j]);
            s[j] = Activations.Scalar(activation, c[j]);
            h[j] = o * s[j];
        }
    }

    /// <summary>
    /// Writes dz (4H) from the saved gates (i, f, g, o), c_prev and s = a(c); dh is the total gradient into h.
    /// dc holds dc_next on entry and dc_prev on exit.
    /// </summary>
    public static void Backward(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates,
                                ReadOnlySpan<float> cPrev, ReadOnlySpan<float> s, Activation activation,
                                Activation recurrentActivation, int units)
    {
        CheckBackwardShapes(dz, dc, dh, gates, cPrev, s, units);
        BackwardUnchecked(dz, dc, dh, gates, cPrev, s, activation, recurrentActivation, units);
    }

    internal static void BackwardUnchecked(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh,
                                           ReadOnlySpan<float> gates,
                                           ReadOnlySpan<float> cPrev, ReadOnlySpan<float> s, Activation activation,
                                           Activation recurrentActivation, int units)
    {
        int hh = units;
        ReadOnlySpan<float> i = gates[..hh], f = gates.Slice(hh, hh), g = gates.Slice(2 * hh, hh),
        o = gates.Slice(3 * hh, hh);
        Span<float> dzi = dz[..hh], dzf = dz.Slice(hh, hh), dzg = dz.Slice(2 * hh, hh), dzo = dz.Slice(3 * hh, hh);

        TensorPrimitives.Multiply(dh, s, dzo);                                     // dh s
        ActivationGradient.FromOutputUnchecked(recurrentActivation, o, dzo, dzo);  // * r'(o)
        TensorPrimitives.Multiply(dh, o, dzi);                                     // scratch: dh o
        ActivationGradient.FromOutputUnchecked(activation, s, dzi, dzi);           // * a'(s)
        TensorPrimitives.Add(dc, dzi, dc);                                         // dc = dc_next + dh o a'(s)
        TensorPrimitives.Multiply(dc, g, dzi);
        ActivationGradient.FromOutputUnchecked(recurrentActivation, i, dzi, dzi);
        TensorPrimitives.Multiply(dc, cPrev, dzf);
        ActivationGradient.FromOutputUnchecked(recurrentActivation, f, dzf, dzf);
        TensorPrimitives.Multiply(dc, i, dzg);
        ActivationGradient.FromOutputUnchecked(activation, g, dzg, dzg);
        TensorPrimitives.Multiply(dc, f, dc);                                      // dc_prev
    }

    /// <summary>Scalar twin of <see cref="Backward"/>.</summary>
    public static void BackwardScalar(Span<float> dz, Span<float> dc, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates,
                                      ReadOnlySpan<float> cPrev, ReadOnlySpan<float> s, Activation activation,
                                      Activation recurrentActivation, int units)
    {
        CheckBackwardShapes(dz, dc, dh, gates, cPrev, s, units);
        for (int j = 0; j < units; j++)
        {
            float i = gates[j], f = gates[units + j], g = gates[2 * units + j], o = gates[3 * units + j];
            float dcj = dc[j] + dh[j] * o * ActivationGradient.Derivative(activation, s[j]);
            dz[3 * units + j] = dh[j] * s[j] * ActivationGradient.Derivative(recurrentActivation, o);
            dz[j] = dcj * g * ActivationGradient.Derivative(recurrentActivation, i);
            dz[units + j] = dcj * cPrev[j] * ActivationGradient.Derivative(recurrentActivation, f);
            dz[2 * units + j] = dcj * i * ActivationGradient.Derivative(activation, g);
            dc[j] = dcj * f;
        }
    }

    private static void CheckShapes(ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> s,
                                    ReadOnlySpan<float> h, ReadOnlySpan<float> cPrev, int units)
    {
        Check.Positive(units, nameof(units));
        if (gates.Length != 4 * units)
            throw new ArgumentException($"gates has length {gates.Length}, expected 4 x {units} units", nameof(gates));
        foreach (var (len, name) in new[] { (c.Length, "c"), (s.Length, "s"), (h.Length, "h"),
            (cPrev.Length, "cPrev") })
            if (len != units) throw new ArgumentException($"{name} has length {len}, expected {units} units", name);
    }

    private static void CheckBackwardShapes(ReadOnlySpan<float> dz, ReadOnlySpan<float> dc, ReadOnlySpan<float> dh,
                                            ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> s,
                                            int units)
    {
        CheckShapes(gates, dc, s, dh, cPrev, units);
        if (dz.Length != 4 * units)
            throw new ArgumentException($"dz has length {dz.Length}, expected 4 x {units} units", nameof(dz));
    }
}
