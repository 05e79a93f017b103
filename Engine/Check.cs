using System.Numerics;

namespace Engine;

/// <summary>Argument checks for the public entry points; messages name the shapes involved.</summary>
internal static class Check
{
    public static void SameLength(ReadOnlySpan<float> a, ReadOnlySpan<float> b, string nameA, string nameB)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"{nameA} has length {a.Length} but {nameB} has length {b.Length}: they must " +
                                        $"match", nameB);
    }

    public static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive, got {value}");
    }

    public static void NonNegative(int value, string name)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must not be negative, got {value}");
    }

    /// <summary>Checks that a span holds at least rows x cols elements of a matrix named
    /// <paramref name="name"/>.</summary>
    public static void Matrix(ReadOnlySpan<float> span, int rows, int cols, string name)
    {
        // Names are built only on the throwing path: kernels call this on every entry.
        if (rows < 0)
            throw new ArgumentOutOfRangeException(name, rows, $"{name} rows must not be negative, got {rows}");
        if (cols < 0)
            throw new ArgumentOutOfRangeException(name, cols, $"{name} columns must not be negative, got {cols}");
        if ((long)rows * cols != span.Length)
            throw new ArgumentException($"{name} must be a ({rows}, {cols}) matrix of {(long)rows * cols} elements, " +
                                        $"but has {span.Length}", name);
    }

    /// <summary>Throws when any element is NaN or infinite, naming the first bad index.</summary>
    public static void Finite(ReadOnlySpan<float> span, string name)
    {
        int i = FirstNonFinite(span);
        if (i >= 0) throw new ArgumentException($"{name}[{i}] is {span[i]}: inputs must be finite", name);
    }

    /// <summary>The index of the first NaN or infinite element, or -1 when all are finite.</summary>
    public static int FirstNonFinite(ReadOnlySpan<float> span)
    {
        // x - x is 0 for finite x and NaN for ±inf or NaN: whole vectors pass with one compare; the scalar loop resumes
        // at
        // the first vector that fails, so it still names the first bad index.
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= span.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(span[i..]);
                if (!Vector.EqualsAll(v - v, Vector<float>.Zero)) break;
            }
        for (; i < span.Length; i++)
            if (!float.IsFinite(span[i])) return i;
        return -1;
    }
}
