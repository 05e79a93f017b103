using System.Runtime.CompilerServices;

namespace Engine.Kernels;

/// <summary>
/// Activation forward kernels: <c>y[i] = f(x[i])</c> for the functions of <see cref="Activation"/>, each defined once
/// by its operator in ActivationOperators.cs. x and y may be the same span (in place).
/// </summary>
internal static class Activations
{
    /// <summary>
    /// y[i] = f(x[i]). relu: max(x, 0); hard_sigmoid: clip(0.2 x + 0.5, 0, 1); hard_sigmoid_keras3:
    /// clip(x / 6 + 1 / 2, 0, 1); tanh; sigmoid: 1 / (1 + e^-x); linear: x.
    /// </summary>
    public static void Forward(Activation f, ReadOnlySpan<float> x, Span<float> y)
    {
        Check.SameLength(x, y, nameof(x), nameof(y));
        ForwardUnchecked(f, x, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ForwardUnchecked(Activation f, ReadOnlySpan<float> x, Span<float> y)
    {
        var call = new ForwardCall(x, y);
        ActivationDispatch.Run(f, ref call);
    }

    /// <summary>Scalar twin of <see cref="Forward"/>: the definition the vector paths are tested against.</summary>
    public static void ForwardScalar(Activation f, ReadOnlySpan<float> x, Span<float> y)
    {
        Check.SameLength(x, y, nameof(x), nameof(y));
        var call = new ScalarCall(x, y);
        ActivationDispatch.Run(f, ref call);
    }

    /// <summary>f(x) for one value (the operator's scalar form).</summary>
    public static float Scalar(Activation f, float x)
    {
        Span<float> v = [x];
        ForwardScalar(f, v, v);
        return v[0];
    }

    private readonly ref struct ForwardCall(ReadOnlySpan<float> x, Span<float> y) : IActivationCall
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _y = y;

        public void Run<TA>() where TA : struct, IActivationOperator => TA.Forward(_x, _y);
    }

    private readonly ref struct ScalarCall(ReadOnlySpan<float> x, Span<float> y) : IActivationCall
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _y = y;

        public void Run<TA>() where TA : struct, IActivationOperator
        {
            for (int i = 0; i < _x.Length; i++) _y[i] = TA.Invoke(_x[i]);
        }
    }
}
