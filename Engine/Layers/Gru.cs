using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using Engine.Kernels;
using Engine.Random;
using Engine.Training;

namespace Engine.Layers;

/// <summary>
/// Gated recurrent unit with Keras' layout and semantics (gate blocks z, r, h). Parameters, in its slice:
/// <code>
/// kernel            // (F, 3H), gate blocks z, r, h
/// recurrent_kernel  // (H, 3H), gate blocks z, r, h
/// bias              // reset_after: (2, 3H) = [input bias b; recurrent bias b'];  else (3H)
/// </code>
/// With a the activation, σ the recurrent activation, h = h_{t-1}, h_0 = 0:
/// <code>
/// reset_after (Keras 3 / TF2 default):
///   z = σ(x W_z + b_z + h U_z + b'_z),  r = σ(x W_r + b_r + h U_r + b'_r)
///   ĥ = a(x W_h + b_h + r ∘ (h U_h + b'_h))
/// reset_after = false:
///   z = σ(x W_z + h U_z + b_z),  r = σ(x W_r + h U_r + b_r),  ĥ = a(x W_h + (r ∘ h) U_h + b_h)
/// h_t = z ∘ h_{t-1} + (1 - z) ∘ ĥ
/// </code>
/// As in <see cref="Lstm"/>: X W + b is one product over all steps, only the recurrent product stays in the time loop
/// (against U packed once per pass, <see cref="GemmPacked"/>), and a step's gate math is one fused kernel over the
/// batch
/// (<see cref="GruGates"/>). reset_after = false needs r before (r ∘ h) U_h, so its step is two kernels around that
/// product. Backward through time writes each step's gate gradients into dZ (T N, 3H) and dX_t = dZ_t Wᵀ at once;
/// dW, dU and the biases are products and sums over all steps after the loop.
/// </summary>
public sealed class Gru : Layer
{
    // Forward saves (time-major rows t*N + n):
    private float[] _gates = [];    // (T, N, 3H) x W + b, then the activated z, r, ĥ
    private float[] _hidden = [];   // (T+1, N, H) h_t, with h_0 = 0 in block 0
    private float[] _recurrent = []; // reset_after: (T, N, 3H) h_{t-1} U + b'; else (T, N, H) r ∘ h_{t-1}
    // Backward scratch:
    private float[] _dz = [];       // (T, N, 3H) input side gate gradients [dz̃, dr̃, dĥ̃]
    private float[] _dr = [];       // reset_after: (T, N, 3H) recurrent side [dz̃, dr̃, dĥ̃ ∘ r]
    private float[] _dh = [];       // (N, H) gradient into h_t
    private float[] _drh = [];      // (N, H) gradient into r ∘ h_{t-1} (reset_after = false)
    // Right operands packed for GemmPacked, rebuilt from the parameters on every pass:
    private float[] _packW = [];    // W (F, 3H)
    private float[] _packU = [];    // U (H, 3H); reset_after = false: its z, r columns (H, 2H)
    private float[] _packUh = [];   // reset_after = false: U_h (H, H)
    private float[] _packUT = [];   // Uᵀ (3H, H); reset_after = false: (2H, H)
    private float[] _packUhT = [];  // reset_after = false: U_hᵀ (H, H)
    private float[] _packWT = [];   // Wᵀ (3H, F)
    private float[] _packDz = [];   // dZ (or a block of it) packed for the weight gradients
    private ForwardMode _mode;      // the last forward pass's

    public Gru(int units, Activation activation = Activation.Tanh, Activation recurrentActivation = Activation.Sigmoid,
               bool returnSequences = false, bool resetAfter = true)
        : base(units, activation)
    {
        RecurrentActivation = recurrentActivation;
        ReturnSequences = returnSequences;
        ResetAfter = resetAfter;
    }

    /// <summary>The gate activation (Keras' recurrent_activation).</summary>
    public Activation RecurrentActivation { get; }

    /// <summary>Whether every step's h is output (else only the last).</summary>
    public bool ReturnSequences { get; }

    /// <summary>Keras' reset_after: the reset gate applies after the recurrent product (and the bias has two
    /// rows).</summary>
    public bool ResetAfter { get; }

    public override string TypeName => "GRU";

    internal override IReadOnlyList<ParameterTensor> Tensors => [
        new("kernel", 0, [InputSize, 3 * Units]),
        new("recurrent_kernel", InputSize * 3 * Units, [Units, 3 * Units]),
        new("bias", (InputSize + Units) * 3 * Units, ResetAfter ? [2, 3 * Units] : [3 * Units]),
    ];

    internal override bool OutputsSequence(bool inputIsSequence) => ReturnSequences;

    internal override bool RequiresSequence => true;

    /// <summary>The kernel's gate blocks, in Keras' order.</summary>
    internal override IReadOnlyList<string> InputGates => ["z", "r", "h"];

    /// <summary>The candidate block h: ĥ = a(x W_h + ...) carries the input's value into the state.</summary>
    internal override int ValueGate => 2;

    /// <summary>Gate block (F, H) of the kernel W (F, 3H).</summary>
    internal override double[,] InputWeights(ReadOnlySpan<float> parameters, int gate, bool absolute) =>
        KernelBlock(parameters[..(InputSize * 3 * Units)], InputSize, Units, 3, gate, absolute);

    internal override void WriteConfig(JsonObject config)
    {
        config["units"] = Units;
        config["activation"] = Activation.Name();
        config["recurrent_activation"] = RecurrentActivation.Name();
        config["return_sequences"] = ReturnSequences;
        config["reset_after"] = ResetAfter;
    }

    /// <summary>
    /// Reads <c>units</c>, <c>activation</c> (default tanh), <c>recurrent_activation</c> (default sigmoid),
    /// <c>return_sequences</c> (default false), <c>reset_after</c> (default true).
    /// </summary>
    internal static Gru FromConfig(LayerConfig config) =>
        new(config.Units(), config.Activation("activation", Activation.Tanh),
            config.Activation("recurrent_activation", Activation.Sigmoid),
            config.Bool("return_sequences", false), config.Bool("reset_after", true));

    /// <summary>The kernel W (F, 3H) in the layer's slice.</summary>
    internal Span<float> Kernel(Span<float> slice) => slice[..(InputSize * 3 * Units)];
    /// <summary>The recurrent kernel U (H, 3H) in the layer's slice.</summary>
    internal Span<float> RecurrentKernel(Span<float> slice) => slice.Slice(InputSize * 3 * Units, Units * 3 * Units);
    /// <summary>The bias in the layer's slice: (2, 3H) with reset_after, else (3H).</summary>
    internal Span<float> Bias(Span<float> slice) =>
        slice.Slice((InputSize + Units) * 3 * Units, (ResetAfter ? 2 : 1) * 3 * Units);

    /// <summary>Keras' initialisers: glorot_uniform kernel, orthogonal recurrent kernel, zero bias.</summary>
    internal override void Initialize(Span<float> parameters, RandomSource rng)
    {
        int g = 3 * Units;
        Initializers.GlorotUniform(Kernel(parameters), InputSize, g, rng);
        Initializers.Orthogonal(RecurrentKernel(parameters), Units, g, rng);
        Bias(parameters).Clear();
    }

    internal override void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> parameters,
                                   int batch, int steps,
                                   ForwardMode mode) =>
        Run(output, input, [], parameters, batch, steps, mode);

    /// <inheritdoc/>
    /// <remarks>The state is h_t (N, H).</remarks>
    internal override bool ResumesForward => true;

    /// <inheritdoc/>
    /// <remarks>X W + b is one product over all steps' rows, grouped by <see cref="GemmPacked.MicroRows"/>.</remarks>
    internal override bool ResumesAt(int batch, int steps, int start) =>
        (long)start * batch % GemmPacked.MicroRows == 0;

    internal override int StateSize => Units;

    internal override void State(Span<float> state, int batch, int step)
    {
        if (!_mode.KeepsStates()) throw new InvalidOperationException("the last forward pass kept no states");
        _hidden.AsSpan((step + 1) * batch * Units, batch * Units).CopyTo(state);
    }

    internal override void ForwardFrom(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> state,
                                       ReadOnlySpan<float> parameters, int batch, int steps, int start) =>
        Run(output, input, state, parameters, batch, steps - start, ForwardMode.Predict);

    // A forward pass from h_0 = 0 (state empty) or from a saved h (N, H): then step 0 adds h_0 U as later steps do.
    // The recurrent terms of every step and every h are kept as the mode says (RecurrentLayout): else one step's
    // recurrent block, two alternating blocks of h, or h_t straight into a sequence output.
    private void Run(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> state,
                     ReadOnlySpan<float> parameters, int batch, int steps, ForwardMode mode)
    {
        int f = InputSize, h = Units, g = 3 * h, rows = steps * batch, bh = batch * h;
        ReadOnlySpan<float> w = parameters[..(f * g)], u = parameters.Slice(f * g, h * g),
        b = parameters.Slice((f + h) * g, g);
        var layout = RecurrentLayout.Of(mode, ReturnSequences);
        bool all = layout.AllStates;
        _mode = mode;
        var gates = Workspace(ref _gates, (long)rows * g); // X W + b is one product over all steps
        var hidden = Workspace(ref _hidden, (long)(all ? steps + 1 : layout.Direct ? 1 : 2) * bh);
        var recurrent = Workspace(ref _recurrent, (long)(layout.AllSteps ? rows : batch) * (ResetAfter ? g : h));
        bool resumed = !state.IsEmpty;
        if (resumed) state[..bh].CopyTo(hidden);
        else hidden[..bh].Clear();
        var packW = Workspace(ref _packW, GemmPacked.PackedLength(f, g));
        GemmPacked.PackBUnchecked(packW, w, g, transposed: false, f, g);
        BroadcastRows.Unchecked(gates, b, rows, g);
        // X W + b, every step at once
        GemmPacked.Unchecked(gates, g, input, f, 1, packW, rows, f, g);
        if (ResetAfter)
        {
            var bRecurrent = parameters.Slice((f + h) * g + g, g);
            var packU = Workspace(ref _packU, GemmPacked.PackedLength(h, g));
            GemmPacked.PackBUnchecked(packU, u, g, transposed: false, h, g);
            for (int t = 0; t < steps; t++)
            {
                var ut = recurrent.Slice((layout.AllSteps ? t : 0) * batch * g, batch * g);
                var hPrev = layout.Hidden(hidden, output, t - 1, bh);
                BroadcastRows.Unchecked(ut, bRecurrent, batch, g);
                // h_{t-1} U + b'
                if (t > 0 || resumed) GemmPacked.Unchecked(ut, g, hPrev, h, 1, packU, batch, h, g);
                GruGates.ForwardResetAfterUnchecked(gates.Slice(t * batch * g, batch * g), ut,
                                                    layout.Hidden(hidden, output, t, bh), hPrev, Activation,
                                                    RecurrentActivation, batch, h);
            }
        }
        else
        {
            var packU = Workspace(ref _packU, GemmPacked.PackedLength(h, 2 * h));
            var packUh = Workspace(ref _packUh, GemmPacked.PackedLength(h, h));
            GemmPacked.PackBUnchecked(packU, u, g, transposed: false, h, 2 * h);
            GemmPacked.PackBUnchecked(packUh, u[(2 * h)..], g, transposed: false, h, h);
            for (int t = 0; t < steps; t++)
            {
                var zt = gates.Slice(t * batch * g, batch * g);
                var hPrev = layout.Hidden(hidden, output, t - 1, bh);
                var rh = recurrent.Slice((layout.AllSteps ? t : 0) * bh, bh);
                // z, r columns += h U_zr
                if (t > 0 || resumed) GemmPacked.Unchecked(zt, g, hPrev, h, 1, packU, batch, h, 2 * h);
                GruGates.ForwardResetGateUnchecked(zt, rh, hPrev, RecurrentActivation, batch, h);
                // h columns += (r h) U_h
                if (t > 0 || resumed) GemmPacked.Unchecked(zt[(2 * h)..], g, rh, h, 1, packUh, batch, h, h);
                GruGates.ForwardCandidateUnchecked(zt, layout.Hidden(hidden, output, t, bh), hPrev, Activation, batch,
                                                   h);
            }
        }
        if (layout.Direct) return;
        if (ReturnSequences) hidden.Slice(bh, rows * h).CopyTo(output);
        else layout.Hidden(hidden, output, steps - 1, bh).CopyTo(output);
    }

    /// <inheritdoc/>
    /// <remarks>An empty <paramref name="dInput"/> skips dL/dX (the first layer of a training step needs
    /// none).</remarks>
    internal override void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput,
                                    ReadOnlySpan<float> input,
                                    ReadOnlySpan<float> parameters, int batch, int steps)
    {
        if (!_mode.KeepsBackward())
            throw new InvalidOperationException("the last forward pass kept nothing for Backward");
        int f = InputSize, h = Units, g = 3 * h, rows = steps * batch, bh = batch * h, later = rows - batch;
        ReadOnlySpan<float> w = parameters[..(f * g)], u = parameters.Slice(f * g, h * g);
        bool weights = !gradients.IsEmpty; // empty: an input-gradient pass
        Span<float> dw = weights ? gradients[..(f * g)] : [], du = weights ? gradients.Slice(f * g, h * g) : [],
        db = weights ? gradients.Slice((f + h) * g, g) : [];
        ReadOnlySpan<float> gates = _gates.AsSpan(0, rows * g), hidden = _hidden.AsSpan(0, (steps + 1) * bh);
        var dz = Workspace(ref _dz, (long)rows * g);
        var dr = Workspace(ref _dr, ResetAfter ? (long)rows * g : 0);
        var dh = Workspace(ref _dh, bh);
        var drh = Workspace(ref _drh, ResetAfter ? 0 : bh);
        var packUT = Workspace(ref _packUT, GemmPacked.PackedLength(ResetAfter ? g : 2 * h, h));
        GemmPacked.PackBUnchecked(packUT, u, g, transposed: true, ResetAfter ? g : 2 * h, h);
        var packUhT = Workspace(ref _packUhT, ResetAfter ? 0 : GemmPacked.PackedLength(h, h));
        if (!ResetAfter) GemmPacked.PackBUnchecked(packUhT, u[(2 * h)..], g, transposed: true, h, h);
        var packWT = Workspace(ref _packWT, dInput.IsEmpty ? 0 : GemmPacked.PackedLength(g, f));
        if (!dInput.IsEmpty) GemmPacked.PackBUnchecked(packWT, w, g, transposed: true, g, f);
        if (ReturnSequences) dOutput.Slice((steps - 1) * bh, bh).CopyTo(dh);
        else dOutput.CopyTo(dh);

        for (int t = steps - 1; t >= 0; t--)
        {
            // dh holds dL/dh_t: the output's own gradient plus what reaches h_t from step t + 1.
            var zt = gates.Slice(t * batch * g, batch * g);
            var dzt = dz.Slice(t * batch * g, batch * g);
            var hPrev = hidden.Slice(t * bh, bh);
            if (ResetAfter)
            {
                var drt = dr.Slice(t * batch * g, batch * g);
                GruGates.BackwardResetAfterUnchecked(dzt, drt, dh, zt, _recurrent.AsSpan(t * batch * g, batch * g),
                                                     hPrev,
                                                     Activation, RecurrentActivation, batch, h);
                if (t > 0)
                {
                    if (ReturnSequences) TensorPrimitives.Add(dh, dOutput.Slice((t - 1) * bh, bh), dh);
                    GemmPacked.Unchecked(dh, h, drt, g, 1, packUT, batch, g, h);               // dh_{t-1} += dR_t Uᵀ
                }
            }
            else
            {
                GruGates.BackwardCandidateUnchecked(dzt, dh, zt, hPrev, Activation, RecurrentActivation, batch, h);
                drh.Clear();
                GemmPacked.Unchecked(drh, h, dzt[(2 * h)..], g, 1, packUhT, batch, h, h);        // d(r h) = dĥ̃ U_hᵀ
                GruGates.BackwardResetGateUnchecked(dzt, dh, drh, zt, hPrev, RecurrentActivation, batch, h);
                if (t > 0)
                {
                    if (ReturnSequences) TensorPrimitives.Add(dh, dOutput.Slice((t - 1) * bh, bh), dh);
                    // dh_{t-1} += dZ_t[:, z r] U_zrᵀ
                    GemmPacked.Unchecked(dh, h, dzt, g, 1, packUT, batch, 2 * h, h);
                }
            }
            if (!dInput.IsEmpty)
            {
                var dxt = dInput.Slice(t * batch * f, batch * f);
                dxt.Clear();
                GemmPacked.Unchecked(dxt, f, dzt, g, 1, packWT, batch, g, f);                  // dX_t = dZ_t Wᵀ
            }
        }
        // Weight gradients over all steps at once (A read transposed through its strides). Hidden block t holds
        // h_{t-1};
        // step 0 (h_{-1} = 0) adds nothing to dU.
        if (!weights) return;
        SumRows.Unchecked(db, dz, rows, g);
        var pack = Workspace(ref _packDz, GemmPacked.PackedLength(rows, g));
        GemmPacked.PackBUnchecked(pack, dz, g, transposed: false, rows, g);
        GemmPacked.Unchecked(dw, g, input, 1, f, pack, f, rows, g);                            // dW += Xᵀ dZ
        // db' += column sums of dR
        if (ResetAfter) SumRows.Unchecked(gradients.Slice((f + h) * g + g, g), dr, rows, g);
        if (later == 0) return;
        var previous = hidden.Slice(bh, later * h);
        if (ResetAfter)
        {
            pack = pack[..GemmPacked.PackedLength(later, g)];
            GemmPacked.PackBUnchecked(pack, dr[(batch * g)..], g, transposed: false, later, g);
            GemmPacked.Unchecked(du, g, previous, 1, h, pack, h, later, g);                    // dU += H_{t-1}ᵀ dR
            return;
        }
        pack = pack[..GemmPacked.PackedLength(later, 2 * h)];
        GemmPacked.PackBUnchecked(pack, dz[(batch * g)..], g, transposed: false, later, 2 * h);
        // dU_zr += H_{t-1}ᵀ dZ_zr
        GemmPacked.Unchecked(du, g, previous, 1, h, pack, h, later, 2 * h);
        pack = pack[..GemmPacked.PackedLength(later, h)];
        GemmPacked.PackBUnchecked(pack, dz[(batch * g + 2 * h)..], g, transposed: false, later, h);
        // dU_h += (r h)ᵀ dĥ̃
        GemmPacked.Unchecked(du[(2 * h)..], g, _recurrent.AsSpan(bh, later * h), 1, h, pack, h, later, h);
    }

    internal override Layer CloneUnbound() =>
        new Gru(Units, Activation, RecurrentActivation, ReturnSequences, ResetAfter);
}
