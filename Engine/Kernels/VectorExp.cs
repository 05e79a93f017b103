using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.Kernels;

/// <summary>
/// e^x on vector registers, inlined (a call would make the JIT spill every vector register around it, as the
/// System.Runtime.Intrinsics Exp does): x clamped to [-87, 88] (so the result stays a normal float, never inf or a
/// denormal), e^x = 2^n e^r with n = round(x log2 e) (added to and taken from 1.5 2^23), r = x - n ln 2 in two parts
/// (ln 2 = 0.693359375 - 2.12194440e-4), e^r = 1 + r + r^2 p(r) with Cephes' degree-5 p (about 1 ulp). Every width
/// computes the same value lane by lane: 2^n is applied exactly (vscalefps on 512 bits, the exponent field elsewhere).
/// </summary>
internal static class VectorExp
{
    private const float Magic = 12582912f; // 1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits

    /// <summary>e^x on 4 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        x = Vector128.MinNative(Vector128.MaxNative(x, Vector128.Create(-87f)), Vector128.Create(88f));
        var magic = Vector128.Create(Magic);
        var t = Vector128.FusedMultiplyAdd(x, Vector128.Create(1.44269504f), magic);
        var n = t - magic;
        var r = Vector128.FusedMultiplyAdd(n, Vector128.Create(-0.693359375f), x);
        r = Vector128.FusedMultiplyAdd(n, Vector128.Create(2.12194440e-4f), r);
        var p = Vector128.Create(1.9875691500e-4f);
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(1.3981999507e-3f));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(8.3334519073e-3f));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(4.1665795894e-2f));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(1.6666665459e-1f));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(5.0000001201e-1f));
        p = Vector128.FusedMultiplyAdd(p, r * r, r + Vector128<float>.One);
        var scale = Vector128.ShiftLeft(t.AsInt32() - magic.AsInt32() + Vector128.Create(127), 23).AsSingle(); // 2^n
        return p * scale;
    }

    /// <summary>e^x on 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.MinNative(Vector256.MaxNative(x, Vector256.Create(-87f)), Vector256.Create(88f));
        var magic = Vector256.Create(Magic);
        var t = Vector256.FusedMultiplyAdd(x, Vector256.Create(1.44269504f), magic);
        var n = t - magic;
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-0.693359375f), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(2.12194440e-4f), r);
        var p = Vector256.Create(1.9875691500e-4f);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.3981999507e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(8.3334519073e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(4.1665795894e-2f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.6666665459e-1f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(5.0000001201e-1f));
        p = Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One);
        var scale = Vector256.ShiftLeft(t.AsInt32() - magic.AsInt32() + Vector256.Create(127), 23).AsSingle(); // 2^n
        return p * scale;
    }

    /// <summary>e^x on 16 lanes (512-bit vectors exist only with AVX-512 here: 2^n by vscalefps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.MinNative(Vector512.MaxNative(x, Vector512.Create(-87f)), Vector512.Create(88f));
        var magic = Vector512.Create(Magic);
        var t = Vector512.FusedMultiplyAdd(x, Vector512.Create(1.44269504f), magic);
        var n = t - magic;
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        var p = Vector512.Create(1.9875691500e-4f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        return Avx512F.Scale(p, n); // p 2^n in one instruction, exact for the clamped range
    }
}
