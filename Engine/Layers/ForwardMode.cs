namespace Engine.Layers;

/// <summary>
/// What a forward pass (<see cref="Layer.Forward"/>) is for, and so what the layer keeps after it. A layer computes the
/// same outputs, bit for bit, in every mode (dropout aside, which masks only in <see cref="Training"/>); the modes
/// differ in what is left for a later call:
/// <code>
/// mode              dropout   Backward may follow   State may follow   used by
/// Training          masks     yes                   yes                a training step (Sequential.ComputeGradients)
/// KeepForBackward   identity  yes                   yes                Sequential.Forward, the input-gradient methods
/// Record            identity  no                    yes                Sequential.PredictRecording (resumed passes)
/// Predict           identity  no                    no                 Sequential.Predict, PredictFrom
/// </code>
/// A recurrent layer keeps its per-step gates, cells and activations for a pass's whole length only when Backward may
/// follow, its state after every step (h, c) only when State may follow, and otherwise works through one or two steps
/// of scratch and writes each step's h straight into the output where it can.
/// </summary>
internal enum ForwardMode
{
    /// <summary>A training step: dropout draws its masks; everything Backward reads is kept.</summary>
    Training,
    /// <summary>No dropout; everything Backward reads is kept (gradients with respect to the input).</summary>
    KeepForBackward,
    /// <summary>No dropout; the outputs and every step's state (<see cref="Layer.State"/>), nothing for
    /// Backward.</summary>
    Record,
    /// <summary>The outputs only: neither Backward nor State may follow.</summary>
    Predict,
}

/// <summary>What a <see cref="ForwardMode"/> keeps.</summary>
internal static class ForwardModes
{
    /// <summary>Whether Backward may follow the pass (Training, KeepForBackward).</summary>
    public static bool KeepsBackward(this ForwardMode mode) => mode <= ForwardMode.KeepForBackward;

    /// <summary>Whether <see cref="Layer.State"/> may follow the pass (every mode but Predict).</summary>
    public static bool KeepsStates(this ForwardMode mode) => mode != ForwardMode.Predict;
}

/// <summary>
/// Where a recurrent layer's pass keeps its per-step blocks (<see cref="Of"/> a <see cref="ForwardMode"/>): every
/// step's gates and a(c) (<paramref name="AllSteps"/>: backward may follow), every step's c and h (<paramref
/// name="AllStates"/>: State may follow, or backward), and whether h_t goes straight into the output (<paramref
/// name="Direct"/>: a sequence output that keeps no states; else h_T, or all h when kept, is copied there after the
/// pass).
/// </summary>
internal readonly record struct RecurrentLayout(bool AllSteps, bool AllStates, bool Direct)
{
    public static RecurrentLayout Of(ForwardMode mode, bool sequences) =>
        new(mode.KeepsBackward(), mode.KeepsStates(), sequences && !mode.KeepsStates());

    /// <summary>Offset of block j (of <paramref name="size"/> floats) in a buffer of every step's blocks, or of two
    /// alternating ones.</summary>
    public static int Block(int j, int size, bool all) => (all ? j : j & 1) * size;

    /// <summary>h_t (N H = <paramref name="bh"/> floats), t = -1 .. T-1: block t + 1 of
    /// <paramref name="hidden"/>, or when <see cref="Direct"/> the output's rows of step t (t ≥ 0).</summary>
    public Span<float> Hidden(Span<float> hidden, Span<float> output, int t, int bh) =>
        Direct && t >= 0 ? output.Slice(t * bh, bh) : hidden.Slice(Block(t + 1, bh, AllStates), bh);
}
