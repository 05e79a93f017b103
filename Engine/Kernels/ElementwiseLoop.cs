using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>An elementwise operation with a body for every vector width and a scalar body.</summary>
internal interface IUnaryOp
{
    static abstract Vector512<float> Invoke(Vector512<float> x);
    static abstract Vector256<float> Invoke(Vector256<float> x);
    static abstract Vector128<float> Invoke(Vector128<float> x);
    static abstract float Invoke(float x);
}

/// <summary>A two-input elementwise operation.</summary>
internal interface IBinaryOp
{
    static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
    static abstract Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);
    static abstract Vector128<float> Invoke(Vector128<float> x, Vector128<float> y);
    static abstract float Invoke(float x, float y);
}

/// <summary>
/// The one loop that every elementwise kernel runs: widest vectors first, then the narrower
/// widths for the remainder, then scalars. Lengths 1, 7, 8, 15, 16, 17, 33, 65 reach every branch.
/// Arguments are not checked here: the public kernels check them once.
/// </summary>
internal static class ElementwiseLoop
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Unary<TOp>(ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOp
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16)
                TOp.Invoke(Vector512.LoadUnsafe(ref xr, i)).StoreUnsafe(ref yr, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8)
                TOp.Invoke(Vector256.LoadUnsafe(ref xr, i)).StoreUnsafe(ref yr, i);
        if (Vector128.IsHardwareAccelerated)
            for (; i + 4 <= n; i += 4)
                TOp.Invoke(Vector128.LoadUnsafe(ref xr, i)).StoreUnsafe(ref yr, i);
        for (; i < n; i++)
            Unsafe.Add(ref yr, i) = TOp.Invoke(Unsafe.Add(ref xr, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Binary<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z) where TOp : struct,
    IBinaryOp
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        nuint n = (nuint)x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16)
                TOp.Invoke(Vector512.LoadUnsafe(ref xr, i), Vector512.LoadUnsafe(ref yr, i)).StoreUnsafe(ref zr, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8)
                TOp.Invoke(Vector256.LoadUnsafe(ref xr, i), Vector256.LoadUnsafe(ref yr, i)).StoreUnsafe(ref zr, i);
        if (Vector128.IsHardwareAccelerated)
            for (; i + 4 <= n; i += 4)
                TOp.Invoke(Vector128.LoadUnsafe(ref xr, i), Vector128.LoadUnsafe(ref yr, i)).StoreUnsafe(ref zr, i);
        for (; i < n; i++)
            Unsafe.Add(ref zr, i) = TOp.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
    }
}
