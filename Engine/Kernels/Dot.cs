using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>sum_i x[i] * y[i]. The vector path sums lanes in a different order from the scalar twin.</summary>
internal static class Dot
{
    /// <summary>Returns sum_i x[i] * y[i].</summary>
    public static float Run(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        Check.SameLength(x, y, nameof(x), nameof(y));
        return Unchecked(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length);
    }

    /// <summary>Scalar twin of <see cref="Run"/>, summed left to right.</summary>
    public static float Scalar(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        Check.SameLength(x, y, nameof(x), nameof(y));
        float s = 0f;
        for (int i = 0; i < x.Length; i++) s = MathF.FusedMultiplyAdd(x[i], y[i], s);
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Unchecked(ref float x, ref float y, int length)
    {
        nuint n = (nuint)length, i = 0;
        float s = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16)
                acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref y, i), acc);
            s += Vector512.Sum(acc);
        }
        if (Vector256.IsHardwareAccelerated && i + 8 <= n)
        {
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8)
                acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i), acc);
            s += Vector256.Sum(acc);
        }
        if (Vector128.IsHardwareAccelerated && i + 4 <= n)
        {
            var acc = Vector128<float>.Zero;
            for (; i + 4 <= n; i += 4)
                acc = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref x, i), Vector128.LoadUnsafe(ref y, i), acc);
            s += Vector128.Sum(acc);
        }
        for (; i < n; i++)
            s = MathF.FusedMultiplyAdd(Unsafe.Add(ref x, i), Unsafe.Add(ref y, i), s);
        return s;
    }
}
