namespace Engine.Layers;

/// <summary>
/// Keras' SpatialDropout1D: <see cref="Dropout"/> with one mask value per series and feature, shared by every step
/// (whole feature channels are dropped): <c>y[t, n, i] = x[t, n, i] m[n, i] / (1 - rate)</c> in a training step,
/// the identity at inference. Needs a sequence input.
/// </summary>
public sealed class SpatialDropout1D(double rate) : Dropout(rate)
{
    public override string TypeName => "SpatialDropout1D";

    internal override bool RequiresSequence => true;

    /// <summary>Reads <c>rate</c> in [0, 1) (required).</summary>
    internal static new SpatialDropout1D FromConfig(LayerConfig config) => new(ReadRate(config));

    private protected override int MaskRows(int batch, int steps) => batch;

    internal override Layer CloneUnbound() => new SpatialDropout1D(Rate);
}
