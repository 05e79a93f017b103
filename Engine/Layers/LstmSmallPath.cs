using Engine.Kernels;

namespace Engine.Layers;

/// <summary>
/// The small-layer path of an <see cref="Lstm"/> layer (H ≤ 16, <see cref="LstmSequence.Supported"/>): the whole time
/// loop of forward and of backward runs in <see cref="LstmSequence"/>, over the saved state with padded rows (gates and
/// dz
/// (T N, R) with R = 16, 32 or 64, the others (·, P = R / 4)) and the parameters copied into padded layouts on every
/// pass
/// (the parameters stay in Keras' layout: Adam and the importance methods write them in place).
/// </summary>
internal sealed class LstmSmallPath(Lstm layer) : ILstmPath
{
    // Forward saves (padded layouts, see LstmSequence):
    private float[] _gates = [];   // (T N, R) activated gates
    private float[] _cells = [];   // c_t, c_0 = 0 first
    private float[] _hidden = [];  // h_t, h_0 = 0 first
    private float[] _cellAct = []; // a(c_t)
    // Backward scratch:
    private float[] _dz = [];      // (T, N, R)
    private float[] _dh = [];      // (N, 16)
    private float[] _dc = [];      // (N, 16)
    // Parameters in padded layouts, copied on every pass:
    private float[] _wp = [];      // (F, R)
    private float[] _up = [];      // (H, R)
    private float[] _bp = [];      // (R)
    private float[] _utp = [];     // (R, 16) Uᵀ
    private float[] _wtp = [];     // (R, Fp) Wᵀ
    private int _packedInputs = -1; // the input width _utp and _wtp were laid out for (-1: not yet)

    /// <summary>h_t then c_t (N, H each) after step <paramref name="step"/> of the last forward pass.</summary>
    public void State(Span<float> state, int batch, int step)
    {
        int h = layer.Units, p = LstmSequence.StateStride(h);
        int hiddenAt = (int)LstmSequence.HiddenAt(step + 1, batch, h), cellsAt = (int)LstmSequence.CellsAt(step + 1,
            batch, h);
        for (int n = 0; n < batch; n++)
        {
            _hidden.AsSpan(hiddenAt + n * p, h).CopyTo(state.Slice(n * h, h));
            _cells.AsSpan(cellsAt + n * p, h).CopyTo(state.Slice((batch + n) * h, h));
        }
    }

    // A forward pass from h_0 = c_0 = 0 (state empty) or from a saved state (h then c, (N, H) each).
    // Every mode: the kernel writes each step's rows into these layouts as its working memory and h straight into the
    // output, so a pass that keeps nothing has nothing to leave out.
    public unsafe void ForwardFrom(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> state,
                                   ReadOnlySpan<float> parameters, int batch, int steps, ForwardMode mode)
    {
        int f = layer.InputSize, h = layer.Units, rl = LstmSequence.PackedRowLength(h, batch),
        initial = batch * LstmSequence.RowLength(h) / 4;
        var gates = Layer.Workspace(ref _gates, LstmSequence.GatesLength(steps, batch, h));
        var cells = Layer.Workspace(ref _cells, LstmSequence.StateLength(steps + 1, batch, h));
        var hidden = Layer.Workspace(ref _hidden, LstmSequence.HiddenLength(steps, batch, h));
        var cellAct = Layer.Workspace(ref _cellAct, LstmSequence.StateLength(steps, batch, h));
        var wp = Layer.Workspace(ref _wp, f * rl);
        var up = Layer.Workspace(ref _up, h * rl);
        var bp = Layer.Workspace(ref _bp, rl);
        cells[..initial].Clear(); // c_0 = h_0 = 0 (at least N P floats in either layout)
        hidden[..initial].Clear();
        for (int n = 0, p = LstmSequence.StateStride(h); n < batch && !state.IsEmpty; n++) // or the state
        {
            state.Slice(n * h, h).CopyTo(hidden.Slice(n * p, h));
            state.Slice((batch + n) * h, h).CopyTo(cells.Slice(n * p, h));
        }
        fixed (float* y = output, x = input, pr = parameters, wpp = wp, upp = up, bpp = bp, gp = gates, cp = cells,
               sp = cellAct, hp = hidden)
        {
            LstmSequence.PackForward(wpp, upp, bpp, pr, f, h, batch);
            LstmSequence.Forward(y, x, new LstmSequence.Pass
            {
                Steps = steps, Batch = batch, Inputs = f, Units = h, Sequences = layer.ReturnSequences,
                Resumed = !state.IsEmpty, Activation = layer.Activation,
                RecurrentActivation = layer.RecurrentActivation,
                Wp = wpp, Up = upp, Bp = bpp, Gates = gp, Cells = cp, CellAct = sp, Hidden = hp,
            });
        }
    }

    public unsafe void Backward(Span<float> dInput, Span<float> gradients, ReadOnlySpan<float> dOutput,
                                ReadOnlySpan<float> input,
                                ReadOnlySpan<float> parameters, int batch, int steps)
    {
        const int L = LstmSequence.Lanes;
        int f = layer.InputSize, h = layer.Units, g = 4 * h, fp = LstmSequence.PaddedInputs(f),
        rl = LstmSequence.RowLength(h);
        var utp = Layer.Workspace(ref _utp, Math.Max(rl * L, LstmSequence.PackedRowLength(h, batch)));
        var wtp = Layer.Workspace(ref _wtp, dInput.IsEmpty ? 0 : rl * fp);
        var dz = Layer.Workspace(ref _dz, LstmSequence.DzLength(steps, batch, h));
        var dh = Layer.Workspace(ref _dh, batch * L);
        var dc = Layer.Workspace(ref _dc, batch * L);
        dh.Clear(); dc.Clear();
        fixed (float* dx = dInput, gr = gradients, dy = dOutput, x = input, pr = parameters, utpp = utp, wtpp = wtp,
               dzp = dz,
               dhp = dh, dcp = dc, gp = _gates, cp = _cells, sp = _cellAct, hp = _hidden)
        {
            // The zeros of the transposed copies are written once per layout: grown workspaces start zeroed, and only a
            // layer bound
            // again (another input width) finds other values there.
            LstmSequence.PackBackward(utpp, dInput.IsEmpty ? null : wtpp, pr, f, h, batch, clear: _packedInputs != f);
            _packedInputs = f;
            bool weights = !gradients.IsEmpty; // empty: an input-gradient pass (null weight gradients)
            LstmSequence.Backward(dInput.IsEmpty ? null : dx, gr, weights ? gr + f * g : null,
                                  weights ? gr + (f + h) * g : null, dy, x,
                                  new LstmSequence.Pass
                                  {
                                      Steps = steps, Batch = batch, Inputs = f, Units = h,
                                      Sequences = layer.ReturnSequences,
                                      Activation = layer.Activation, RecurrentActivation = layer.RecurrentActivation,
                                      Gates = gp, Cells = cp, CellAct = sp, Hidden = hp, Utp = utpp, Wtp = wtpp,
                                      Dz = dzp, Dh = dhp, Dc = dcp,
                                  });
        }
    }
}
