using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// Activation backward kernel written in terms of the forward output y = f(x), so forward needs to keep only its
/// outputs: <c>dx[i] = dy[i] * f'(x[i])</c> with f' expressed through y by the operator's Derivative
/// (ActivationOperators.cs): relu: y &gt; 0 ? 1 : 0; tanh: 1 - y^2; sigmoid: y (1 - y); hard_sigmoid:
/// 0 &lt; y &lt; 1 ? 0.2 : 0; hard_sigmoid_keras3: 0 &lt; y &lt; 1 ? 1/6 : 0; linear: 1.
/// </summary>
internal static class ActivationGradient
{
    /// <summary>dx[i] = dy[i] * f'(y[i]) where y = f(x) is the saved forward output. dx may alias dy.</summary>
    public static void FromOutput(Activation f, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Check.SameLength(y, dy, nameof(y), nameof(dy));
        Check.SameLength(y, dx, nameof(y), nameof(dx));
        FromOutputUnchecked(f, y, dy, dx);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void FromOutputUnchecked(Activation f, ReadOnlySpan<float> y, ReadOnlySpan<float> dy,
                                             Span<float> dx)
    {
        var call = new GradientCall(y, dy, dx, scalar: false);
        ActivationDispatch.Run(f, ref call);
    }

    /// <summary>Scalar twin of <see cref="FromOutput"/>.</summary>
    public static void FromOutputScalar(Activation f, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Check.SameLength(y, dy, nameof(y), nameof(dy));
        Check.SameLength(y, dx, nameof(y), nameof(dx));
        var call = new GradientCall(y, dy, dx, scalar: true);
        ActivationDispatch.Run(f, ref call);
    }

    /// <summary>f'(x) expressed through y = f(x) (the operator's scalar Derivative).</summary>
    public static float Derivative(Activation f, float y)
    {
        Span<float> d = [1f];
        FromOutputScalar(f, [y], d, d);
        return d[0];
    }

    private readonly ref struct GradientCall(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, bool scalar)
        : IActivationCall
    {
        private readonly ReadOnlySpan<float> _y = y, _dy = dy;
        private readonly Span<float> _dx = dx;

        public void Run<TA>() where TA : struct, IActivationOperator
        {
            if (!scalar) ElementwiseLoop.Binary<Gradient<TA>>(_y, _dy, _dx);
            else
                for (int i = 0; i < _y.Length; i++) _dx[i] = Gradient<TA>.Invoke(_y[i], _dy[i]);
        }
    }

    // dy f'(y): the operator's derivative times the incoming gradient, on every width.
    private readonly struct Gradient<TA> : IBinaryOp where TA : struct, IActivationOperator
    {
        public static float Invoke(float y, float dy) => dy * TA.Derivative(y);
        public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy) => dy * TA.Derivative(y);
        public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * TA.Derivative(y);
        public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * TA.Derivative(y);
    }
}
