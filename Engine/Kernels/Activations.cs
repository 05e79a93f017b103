using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// Activation forward kernels: <c>y[i] = f(x[i])</c> for the functions of <see cref="Activation"/>.
/// x and y may be the same span (in place).
/// </summary>
public static class Activations
{
    /// <summary>y[i] = f(x[i]). relu: max(x, 0); hard_sigmoid: clip(0.2 x + 0.5, 0, 1); tanh; sigmoid: 1 / (1 + e^-x); linear: x.</summary>
    public static void Forward(Activation f, ReadOnlySpan<float> x, Span<float> y)
    {
        Check.SameLength(x, y, nameof(x), nameof(y));
        ForwardUnchecked(f, x, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ForwardUnchecked(Activation f, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (f)
        {
            case Activation.Relu: ElementwiseLoop.Unary<ReluOp>(x, y); break;
            case Activation.HardSigmoid: ElementwiseLoop.Unary<HardSigmoidOp>(x, y); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case Activation.Tanh: TensorPrimitives.Tanh(x, y); break;
            default: x.CopyTo(y); break;
        }
    }

    /// <summary>Scalar twin of <see cref="Forward"/>: the definition the vector paths are tested against.</summary>
    public static void ForwardScalar(Activation f, ReadOnlySpan<float> x, Span<float> y)
    {
        Check.SameLength(x, y, nameof(x), nameof(y));
        for (int i = 0; i < x.Length; i++) y[i] = Scalar(f, x[i]);
    }

    /// <summary>f(x) for one value.</summary>
    public static float Scalar(Activation f, float x) => f switch
    {
        Activation.Relu => x > 0f ? x : 0f,
        Activation.HardSigmoid => Math.Clamp(0.2f * x + 0.5f, 0f, 1f),
        Activation.Sigmoid => 1f / (1f + MathF.Exp(-x)),
        Activation.Tanh => MathF.Tanh(x),
        _ => x,
    };

    private readonly struct ReluOp : IUnaryOp
    {
        public static Vector512<float> Invoke(Vector512<float> x) => Vector512.MaxNative(x, Vector512<float>.Zero);
        public static Vector256<float> Invoke(Vector256<float> x) => Vector256.MaxNative(x, Vector256<float>.Zero);
        public static Vector128<float> Invoke(Vector128<float> x) => Vector128.MaxNative(x, Vector128<float>.Zero);
        public static float Invoke(float x) => x > 0f ? x : 0f;
    }

    private readonly struct HardSigmoidOp : IUnaryOp
    {
        public static Vector512<float> Invoke(Vector512<float> x) =>
            Vector512.MinNative(Vector512.MaxNative(Vector512.FusedMultiplyAdd(x, Vector512.Create(0.2f), Vector512.Create(0.5f)), Vector512<float>.Zero), Vector512<float>.One);
        public static Vector256<float> Invoke(Vector256<float> x) =>
            Vector256.MinNative(Vector256.MaxNative(Vector256.FusedMultiplyAdd(x, Vector256.Create(0.2f), Vector256.Create(0.5f)), Vector256<float>.Zero), Vector256<float>.One);
        public static Vector128<float> Invoke(Vector128<float> x) =>
            Vector128.MinNative(Vector128.MaxNative(Vector128.FusedMultiplyAdd(x, Vector128.Create(0.2f), Vector128.Create(0.5f)), Vector128<float>.Zero), Vector128<float>.One);
        public static float Invoke(float x) => Math.Clamp(MathF.FusedMultiplyAdd(x, 0.2f, 0.5f), 0f, 1f);
    }
}
