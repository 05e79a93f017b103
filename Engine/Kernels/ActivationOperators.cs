using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// An activation as an operator, in the style of TensorPrimitives' operators: static abstract members, one struct
/// per function, so a kernel generic over the operator compiles to a straight-line loop with the function inlined.
/// It is the one definition of the function: its value y = f(x) (<see cref="IUnaryOp"/>'s Invoke on a scalar and on
/// 128-, 256- and 512-bit vectors), its derivative expressed through the output, f'(x) = D(y), on the same four
/// widths, its span form <see cref="Forward"/> (what <see cref="Activations"/> and so the Dense layer run) and its
/// Keras name. The enum <see cref="Activation"/> names the operator; <see cref="ActivationDispatch"/> maps one to
/// the other.
/// </summary>
internal interface IActivationOperator : IUnaryOp
{
    /// <summary>The Keras name (what model files and the CLI use).</summary>
    static abstract string Name { get; }

    /// <summary>f'(x) expressed through the output y = f(x).</summary>
    static abstract float Derivative(float y);

    /// <summary>f'(x) through y on 4 lanes.</summary>
    static abstract Vector128<float> Derivative(Vector128<float> y);

    /// <summary>f'(x) through y on 8 lanes.</summary>
    static abstract Vector256<float> Derivative(Vector256<float> y);

    /// <summary>f'(x) through y on 16 lanes.</summary>
    static abstract Vector512<float> Derivative(Vector512<float> y);

    /// <summary>y[i] = f(x[i]) over a span (x and y the same length, possibly the same span).</summary>
    static abstract void Forward(ReadOnlySpan<float> x, Span<float> y);
}

/// <summary>linear: y = x; f' = 1.</summary>
internal readonly struct LinearActivation : IActivationOperator
{
    public static string Name => "linear";
    public static float Invoke(float x) => x;
    public static Vector128<float> Invoke(Vector128<float> x) => x;
    public static Vector256<float> Invoke(Vector256<float> x) => x;
    public static Vector512<float> Invoke(Vector512<float> x) => x;
    public static float Derivative(float y) => 1f;
    public static Vector128<float> Derivative(Vector128<float> y) => Vector128<float>.One;
    public static Vector256<float> Derivative(Vector256<float> y) => Vector256<float>.One;
    public static Vector512<float> Derivative(Vector512<float> y) => Vector512<float>.One;
    public static void Forward(ReadOnlySpan<float> x, Span<float> y) => x.CopyTo(y);
}

/// <summary>relu: y = max(x, 0); f' = 1 where y &gt; 0, else 0.</summary>
internal readonly struct ReluActivation : IActivationOperator
{
    public static string Name => "relu";
    public static float Invoke(float x) => x > 0f ? x : 0f;
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.MaxNative(x, Vector128<float>.Zero);
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.MaxNative(x, Vector256<float>.Zero);
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.MaxNative(x, Vector512<float>.Zero);
    public static float Derivative(float y) => y > 0f ? 1f : 0f;

    public static Vector128<float> Derivative(Vector128<float> y) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(y, Vector128<float>.Zero), Vector128<float>.One, default);

    public static Vector256<float> Derivative(Vector256<float> y) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), Vector256<float>.One, default);

    public static Vector512<float> Derivative(Vector512<float> y) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), Vector512<float>.One, default);

    public static void Forward(ReadOnlySpan<float> x, Span<float> y) => ElementwiseLoop.Unary<ReluActivation>(x, y);
}

/// <summary>
/// tanh; f' = 1 - y^2. Scalar: <see cref="MathF.Tanh"/>. Vectors: y = 1 - 2 / (e^{2x} + 1) with
/// <see cref="VectorExp"/> (exact at the saturated ends). Span form: <see cref="TensorPrimitives.Tanh{T}"/>
/// (its own exp; kept so that the Dense layer's results stay what they were).
/// </summary>
internal readonly struct TanhActivation : IActivationOperator
{
    public static string Name => "tanh";
    public static float Invoke(float x) => MathF.Tanh(x);

    public static Vector128<float> Invoke(Vector128<float> x) =>
        Vector128<float>.One - Vector128.Create(2f) / (VectorExp.Exp(x + x) + Vector128<float>.One);

    public static Vector256<float> Invoke(Vector256<float> x) =>
        Vector256<float>.One - Vector256.Create(2f) / (VectorExp.Exp(x + x) + Vector256<float>.One);

    public static Vector512<float> Invoke(Vector512<float> x) =>
        Vector512<float>.One - Vector512.Create(2f) / (VectorExp.Exp(x + x) + Vector512<float>.One);

    public static float Derivative(float y) => 1f - y * y;
    public static Vector128<float> Derivative(Vector128<float> y) => Vector128<float>.One - y * y;
    public static Vector256<float> Derivative(Vector256<float> y) => Vector256<float>.One - y * y;
    public static Vector512<float> Derivative(Vector512<float> y) => Vector512<float>.One - y * y;
    public static void Forward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);
}

/// <summary>
/// sigmoid: y = 1 / (1 + e^{-x}); f' = y (1 - y). Scalar: with <see cref="MathF.Exp"/>. Vectors: with
/// <see cref="VectorExp"/>. Span form: <see cref="TensorPrimitives.Sigmoid{T}"/> (its own exp; kept so that the
/// Dense layer's results stay what they were).
/// </summary>
internal readonly struct SigmoidActivation : IActivationOperator
{
    public static string Name => "sigmoid";
    public static float Invoke(float x) => 1f / (1f + MathF.Exp(-x));

    public static Vector128<float> Invoke(Vector128<float> x) =>
        Vector128<float>.One / (Vector128<float>.One + VectorExp.Exp(-x));

    public static Vector256<float> Invoke(Vector256<float> x) =>
        Vector256<float>.One / (Vector256<float>.One + VectorExp.Exp(-x));

    public static Vector512<float> Invoke(Vector512<float> x) =>
        Vector512<float>.One / (Vector512<float>.One + VectorExp.Exp(-x));

    public static float Derivative(float y) => y * (1f - y);
    public static Vector128<float> Derivative(Vector128<float> y) => y * (Vector128<float>.One - y);
    public static Vector256<float> Derivative(Vector256<float> y) => y * (Vector256<float>.One - y);
    public static Vector512<float> Derivative(Vector512<float> y) => y * (Vector512<float>.One - y);
    public static void Forward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);
}

/// <summary>
/// hard_sigmoid as Keras 2 defines it (and as Keras 2 LSTMs used it for their gates): y = clip(0.2 x + 0.5, 0, 1),
/// with 0.2 x + 0.5 one fused multiply-add (one rounding) on every width; f' = 0.2 where 0 &lt; y &lt; 1, else 0.
/// Keras 3 changed hard_sigmoid: see <see cref="HardSigmoidKeras3Activation"/>.
/// </summary>
internal readonly struct HardSigmoidActivation : IActivationOperator
{
    public static string Name => "hard_sigmoid";
    public static float Invoke(float x) => Math.Clamp(MathF.FusedMultiplyAdd(x, 0.2f, 0.5f), 0f, 1f);

    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.MinNative(Vector128.MaxNative(
        Vector128.FusedMultiplyAdd(x, Vector128.Create(0.2f), Vector128.Create(0.5f)), default), Vector128<float>.One);

    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.MinNative(Vector256.MaxNative(
        Vector256.FusedMultiplyAdd(x, Vector256.Create(0.2f), Vector256.Create(0.5f)), default), Vector256<float>.One);

    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.MinNative(Vector512.MaxNative(
        Vector512.FusedMultiplyAdd(x, Vector512.Create(0.2f), Vector512.Create(0.5f)), default), Vector512<float>.One);

    public static float Derivative(float y) => y > 0f && y < 1f ? 0.2f : 0f;
    public static Vector128<float> Derivative(Vector128<float> y) => Vector128.Create(0.2f) & Interior(y);
    public static Vector256<float> Derivative(Vector256<float> y) => Vector256.Create(0.2f) & Interior(y);
    public static Vector512<float> Derivative(Vector512<float> y) => Vector512.Create(0.2f) & Interior(y);
    public static void Forward(ReadOnlySpan<float> x, Span<float> y) =>
        ElementwiseLoop.Unary<HardSigmoidActivation>(x, y);

    /// <summary>All ones where 0 &lt; y &lt; 1 (the sloped part of a hard sigmoid), zero elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Interior(Vector128<float> y) =>
        Vector128.GreaterThan(y, Vector128<float>.Zero) & Vector128.LessThan(y, Vector128<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Interior(Vector256<float> y) =>
        Vector256.GreaterThan(y, Vector256<float>.Zero) & Vector256.LessThan(y, Vector256<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Interior(Vector512<float> y) =>
        Vector512.GreaterThan(y, Vector512<float>.Zero) & Vector512.LessThan(y, Vector512<float>.One);
}

/// <summary>
/// hard_sigmoid as Keras 3 defines it: y = clip(x / 6 + 1 / 2, 0, 1), evaluated as Keras 3's backends do,
/// relu6(x + 3) / 6 = min(max(x + 3, 0), 6) / 6 (two roundings: the sum and the quotient);
/// f' = 1/6 where 0 &lt; y &lt; 1, else 0. Keras name "hard_sigmoid_keras3" (Keras 3 itself calls it hard_sigmoid;
/// this engine's "hard_sigmoid" is Keras 2's, <see cref="HardSigmoidActivation"/>).
/// </summary>
internal readonly struct HardSigmoidKeras3Activation : IActivationOperator
{
    private const float Slope = 1f / 6f;

    public static string Name => "hard_sigmoid_keras3";
    public static float Invoke(float x) => Math.Clamp(x + 3f, 0f, 6f) / 6f;

    public static Vector128<float> Invoke(Vector128<float> x) =>
        Vector128.MinNative(Vector128.MaxNative(x + Vector128.Create(3f), default), Vector128.Create(6f))
        / Vector128.Create(6f);

    public static Vector256<float> Invoke(Vector256<float> x) =>
        Vector256.MinNative(Vector256.MaxNative(x + Vector256.Create(3f), default), Vector256.Create(6f))
        / Vector256.Create(6f);

    public static Vector512<float> Invoke(Vector512<float> x) =>
        Vector512.MinNative(Vector512.MaxNative(x + Vector512.Create(3f), default), Vector512.Create(6f))
        / Vector512.Create(6f);

    public static float Derivative(float y) => y > 0f && y < 1f ? Slope : 0f;
    public static Vector128<float> Derivative(Vector128<float> y) =>
        Vector128.Create(Slope) & HardSigmoidActivation.Interior(y);

    public static Vector256<float> Derivative(Vector256<float> y) =>
        Vector256.Create(Slope) & HardSigmoidActivation.Interior(y);

    public static Vector512<float> Derivative(Vector512<float> y) =>
        Vector512.Create(Slope) & HardSigmoidActivation.Interior(y);

    public static void Forward(ReadOnlySpan<float> x, Span<float> y) =>
        ElementwiseLoop.Unary<HardSigmoidKeras3Activation>(x, y);
}
