using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Engine.Kernels;

/// <summary>A call generic over one activation operator (see <see cref="ActivationDispatch"/>).</summary>
internal interface IActivationCall
{
    void Run<TA>() where TA : struct, IActivationOperator;
}

/// <summary>A call generic over two activation operators: an LSTM's activation TA, recurrent activation TR.</summary>
internal interface IActivationPairCall
{
    void Run<TA, TR>() where TA : struct, IActivationOperator where TR : struct, IActivationOperator;
}

/// <summary>
/// The one map from the enum <see cref="Activation"/> to its operator struct: a kernel writes its loop once, generic
/// over the operator, and calls it through here, so each activation (or pair) gets its own specialised loop with no
/// switch or indirect jump per element. Adding an activation = its struct in ActivationOperators.cs, its enum value,
/// and its case below.
/// </summary>
internal static class ActivationDispatch
{
    /// <summary>Runs <c>call.Run&lt;TA&gt;()</c> with TA the operator of <paramref name="a"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TCall>(Activation a, ref TCall call) where TCall : IActivationCall, allows ref struct
    {
        switch (a)
        {
            case Activation.Linear: call.Run<LinearActivation>(); break;
            case Activation.Relu: call.Run<ReluActivation>(); break;
            case Activation.Tanh: call.Run<TanhActivation>(); break;
            case Activation.Sigmoid: call.Run<SigmoidActivation>(); break;
            case Activation.HardSigmoid: call.Run<HardSigmoidActivation>(); break;
            case Activation.HardSigmoidKeras3: call.Run<HardSigmoidKeras3Activation>(); break;
            default: Unknown(a); break;
        }
    }

    /// <summary>
    /// Runs <c>call.Run&lt;TA, TR&gt;()</c> with TA, TR the operators of <paramref name="a"/> and <paramref name="r"/>
    /// (through copies of <paramref name="call"/>: a pair call must not rely on changing its own fields).
    /// </summary>
    public static void Run<TCall>(Activation a, Activation r, TCall call)
        where TCall : IActivationPairCall, allows ref struct
    {
        var first = new First<TCall>(call, r);
        Run(a, ref first);
    }

    [DoesNotReturn]
    private static void Unknown(Activation a) =>
        throw new ArgumentOutOfRangeException(nameof(a), a, "unknown activation");

    private ref struct First<TCall>(TCall call, Activation r) : IActivationCall
        where TCall : IActivationPairCall, allows ref struct
    {
        private readonly TCall _call = call;

        public readonly void Run<TA>() where TA : struct, IActivationOperator
        {
            var second = new Second<TCall, TA>(_call);
            ActivationDispatch.Run(r, ref second);
        }
    }

    private ref struct Second<TCall, TA>(TCall call) : IActivationCall
        where TCall : IActivationPairCall, allows ref struct where TA : struct, IActivationOperator
    {
        private readonly TCall _call = call;

        public readonly void Run<TR>() where TR : struct, IActivationOperator => _call.Run<TA, TR>();
    }
}
