using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// Activation backward kernel written in terms of the forward output y = f(x), so forward
/// needs to keep only its outputs: <c>dx[i] = dy[i] * f'(x[i])</c> with f' expressed through y:
/// relu: y &gt; 0 ? 1 : 0; tanh: 1 - y^2; sigmoid: y (1 - y); hard_sigmoid: 0 &lt; y &lt; 1 ? 0.2 : 0; linear: 1.
/// </summary>
public static class ActivationGradient
{
    /// <summary>dx[i] = dy[i] * f'(y[i]) where y = f(x) is the saved forward output. dx may alias dy.</summary>
    public static void FromOutput(Activation f, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Check.SameLength(y, dy, nameof(y), nameof(dy));
        Check.SameLength(y, dx, nameof(y), nameof(dx));
        FromOutputUnchecked(f, y, dy, dx);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void FromOutputUnchecked(Activation f, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        switch (f)
        {
            case Activation.Relu: ElementwiseLoop.Binary<ReluGrad>(y, dy, dx); break;
            case Activation.Tanh: ElementwiseLoop.Binary<TanhGrad>(y, dy, dx); break;
            case Activation.Sigmoid: ElementwiseLoop.Binary<SigmoidGrad>(y, dy, dx); break;
            case Activation.HardSigmoid: ElementwiseLoop.Binary<HardSigmoidGrad>(y, dy, dx); break;
            default: dy.CopyTo(dx); break;
        }
    }

    /// <summary>Scalar twin of <see cref="FromOutput"/>.</summary>
    public static void FromOutputScalar(Activation f, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Check.SameLength(y, dy, nameof(y), nameof(dy));
        Check.SameLength(y, dx, nameof(y), nameof(dx));
        for (int i = 0; i < y.Length; i++) dx[i] = dy[i] * Derivative(f, y[i]);
    }

    /// <summary>f'(x) expressed through y = f(x).</summary>
    public static float Derivative(Activation f, float y) => f switch
    {
        Activation.Relu => y > 0f ? 1f : 0f,
        Activation.Tanh => 1f - y * y,
        Activation.Sigmoid => y * (1f - y),
        Activation.HardSigmoid => y > 0f && y < 1f ? 0.2f : 0f,
        _ => 1f,
    };

    private readonly struct ReluGrad : IBinaryOp
    {
        public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), dy, Vector512<float>.Zero);
        public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), dy, Vector256<float>.Zero);
        public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy) => Vector128.ConditionalSelect(Vector128.GreaterThan(y, Vector128<float>.Zero), dy, Vector128<float>.Zero);
        public static float Invoke(float y, float dy) => y > 0f ? dy : 0f;
    }

    private readonly struct TanhGrad : IBinaryOp
    {
        public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * (Vector512<float>.One - y * y);
        public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * (Vector256<float>.One - y * y);
        public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy) => dy * (Vector128<float>.One - y * y);
        public static float Invoke(float y, float dy) => dy * (1f - y * y);
    }

    private readonly struct SigmoidGrad : IBinaryOp
    {
        public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * y * (Vector512<float>.One - y);
        public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * y * (Vector256<float>.One - y);
        public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy) => dy * y * (Vector128<float>.One - y);
        public static float Invoke(float y, float dy) => dy * y * (1f - y);
    }

    private readonly struct HardSigmoidGrad : IBinaryOp
    {
        public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero) & Vector512.LessThan(y, Vector512<float>.One), dy * Vector512.Create(0.2f), Vector512<float>.Zero);
        public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) =>
            Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero) & Vector256.LessThan(y, Vector256<float>.One), dy * Vector256.Create(0.2f), Vector256<float>.Zero);
        public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy) =>
            Vector128.ConditionalSelect(Vector128.GreaterThan(y, Vector128<float>.Zero) & Vector128.LessThan(y, Vector128<float>.One), dy * Vector128.Create(0.2f), Vector128<float>.Zero);
        public static float Invoke(float y, float dy) => y > 0f && y < 1f ? 0.2f * dy : 0f;
    }
}
