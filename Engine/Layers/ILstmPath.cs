namespace Engine.Layers;

/// <summary>How an <see cref="Lstm"/> layer runs a pass: one strategy per type, owning its buffers, forward and
/// backward side by side.</summary>
internal interface ILstmPath
{
    /// <summary>The layer's forward pass (see <see cref="Layer.Forward"/>): output rows T x N (sequences) or
    /// N.</summary>
    void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters, int batch, int steps,
                 ForwardMode mode) =>
        ForwardFrom(output, input, [], parameters, batch, steps, mode);

    /// <summary>The layer's forward pass resumed from a state (see <see cref="Layer.ForwardFrom"/>): h then c, (N, H)
    /// each (empty: the zero state of a full pass); <paramref name="steps"/> the steps that remain; keeps what
    /// <paramref name="mode"/> says.</summary>
    void ForwardFrom(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> state,
                     ReadOnlySpan<float> parameters, int batch, int steps, ForwardMode mode);

    /// <summary>h_t then c_t, (N, H) each, after step <paramref name="step"/> of this path's last forward pass (one
    /// that <see cref="ForwardModes.KeepsStates"/>).</summary>
    void State(Span<float> state, int batch, int step);

    /// <summary>The layer's backward pass after this path's forward (see <see cref="Layer.Backward"/>).</summary>
    void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input,
                  ReadOnlySpan<float> parameters, int batch, int steps);
}
