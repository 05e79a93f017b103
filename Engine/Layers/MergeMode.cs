namespace Engine.Layers;

/// <summary>How <see cref="Bidirectional"/> merges its two directions' outputs f and b (H each).</summary>
public enum MergeMode
{
    /// <summary>[f | b], 2H values.</summary>
    Concat,
    /// <summary>f + b.</summary>
    Sum,
    /// <summary>(f + b) / 2.</summary>
    Ave,
    /// <summary>f b, elementwise.</summary>
    Mul,
}
