using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.Kernels;

/// <summary>
/// Loads and stores of a row's last partial vector: lanes [0, count) through a mask, the others read as 0 and not
/// written, so a row of any length runs on whole vectors without padding.
/// </summary>
internal static unsafe class MaskedLanes
{
    /// <summary>The mask of lanes [0, <paramref name="count"/>) of 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Mask512(int count) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* p, Vector512<float> mask, bool masked) =>
        masked ? Avx512F.MaskLoad(p, mask, Vector512<float>.Zero) : Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector512<float> v, Vector512<float> mask, bool masked)
    {
        if (masked) Avx512F.MaskStore(p, mask, v);
        else v.Store(p);
    }

    /// <summary>The mask of lanes [0, <paramref name="count"/>) of 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Mask256(int count) =>
        Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* p, Vector256<float> mask, bool masked) =>
        masked ? Avx.MaskLoad(p, mask) : Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector256<float> v, Vector256<float> mask, bool masked)
    {
        if (masked) Avx.MaskStore(p, mask, v);
        else v.Store(p);
    }
}
