using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.Kernels;

/// <summary>
/// A whole LSTM time loop, forward and backward, in one call for a layer of at most 16 units on 512-bit vectors.
/// Each gate block is padded to P = 4, 8 or 16 lanes (the smallest that holds H), so a row of the four gates is
/// V = P / 4 = 1, 2 or 4 whole vectors of R = 4P = 16V lanes, with no scalar remainder:
/// <code>
/// wp     // (F, R)  W with gate q's H columns at lanes q*P .. q*P+H-1, zero elsewhere
/// up     // (H, R)  U, padded likewise
/// bp     // (R)     b, padded likewise
/// utp    // (R, 16) Uᵀ: row q*P+j holds U[:, q*H+j] (H values), zero elsewhere
/// wtp    // (R, Fp) Wᵀ: row q*P+j holds W[:, q*H+j] (F values), Fp = F rounded up to 16
/// gates  // (T N, R)         activated i, f, g, o, padded
/// cells  // ((T+1) N, P)     c_t, block 0 = c_0 = 0
/// cellAct// (T N, P)         a(c_t)
/// hidden // ((T+1) N, P)     h_t, block 0 = h_0 = 0
///           (each of the three with 16 floats of slack: a row is stored as a whole vector, over the rows after it,
///           which are written after it; lanes past P read the next rows and are dead)
/// dz     // (T N, R)         dL/dz, padded like gates
/// </code>
/// Forward: Z = b + X W for all steps, then per step two passes over the batch: z += h_{t-1} U (broadcast FMAs
/// over the R-wide rows), then the gate math of <see cref="LstmCell"/> on registers (gates moved to lane 0 by
/// permutes when P &lt; 16; for H &lt;= 5 the i, f, o blocks are first packed into one vector, so the exp pass runs on
/// fewer vectors). For H = 9, 10 the forward's wp, up, bp and Z rows are compact instead, three vectors a row
/// (<see cref="CompactRows"/>), and so is a copy of dz for the weight gradients; gates and dz keep the padded layout.
/// Backward: per step (t = T-1 .. 0) the gate backward into dz for every row, then dh_{t-1} = dz_t Uᵀ;
/// the weight gradients, db and dx over all steps after the loop. The products over rows (X W, h U, dz Uᵀ) take two
/// rows at a time, so each vector of W, U or Uᵀ is loaded once for two FMAs (this core loads one 512-bit vector a
/// cycle, the same rate as its FMAs).
/// A layer of one unit (<see cref="BatchInLanes"/>) holds batch rows in the lanes instead: blocks of B = 4, 8 or 16
/// rows, lane q*B+n = gate q of row n, with the gate math above unchanged (see the loops at the end).
/// Lanes past H in a block hold finite values that never reach a live lane: broadcasts read live lanes only,
/// c is masked to them, and every result leaves through an H-lane mask or an unpacking loop.
/// The general path (<see cref="GemmPacked"/> products and <see cref="LstmGates"/>) is this kernel's twin.
/// </summary>
internal static unsafe partial class LstmSequence
{
    public const int Lanes = 16;

    /// <summary>Whether a layer of <paramref name="units"/> takes this path on this machine.</summary>
    public static bool Supported(int units) => Vector512.IsHardwareAccelerated && units <= Lanes;

    /// <summary>Vectors per row of four gate blocks: 1, 2 or 4.</summary>
    public static int RowVectors(int units) => units <= 4 ? 1 : units <= 8 ? 2 : 4;

    /// <summary>Floats per padded row of four gate blocks, R = 16 V.</summary>
    public static int RowLength(int units) => Lanes * RowVectors(units);

    /// <summary>F rounded up to whole vectors: the row length of <c>wtp</c>.</summary>
    public static int PaddedInputs(int inputs) => (inputs + Lanes - 1) / Lanes * Lanes;

    /// <summary>Whether a layer of <paramref name="units"/> holds batch rows in the lanes (one unit) instead of
    /// units.</summary>
    public static bool BatchInLanes(int units) => units == 1;

    /// <summary>Floats per padded row of <c>wp</c>, <c>up</c> and <c>bp</c>.</summary>
    public static int PackedRowLength(int units, int batch) =>
        BatchInLanes(units) ? RowLength(batch) : RowLength(units);

    /// <summary>Floats of <c>gates</c> for T steps of N rows.</summary>
    public static long GatesLength(int steps, int batch, int units) =>
        Math.Max((long)steps * batch * RowLength(units),
                 BatchInLanes(units) ? (long)steps * Blocks(batch) * RowLength(batch) : 0);

    /// <summary>Floats of <c>cells</c> (count = T + 1) or <c>cellAct</c> (count = T).</summary>
    public static long StateLength(int count, int batch, int units) =>
        Math.Max((long)count * batch * (RowLength(units) / 4),
                 BatchInLanes(units) ? (long)count * Blocks(batch) * (RowLength(batch) / 4) : 0) + Lanes;

    /// <summary>
    /// Floats of <c>dz</c>: (T N, R), then for <see cref="CompactRows"/> a copy (T N, 48) in the compact layout for the
    /// weight
    /// gradients (three vectors a row instead of four).
    /// </summary>
    public static long DzLength(int steps, int batch, int units) =>
        (long)steps * batch * (RowLength(units) + (CompactRows(units) ? 48 : 0));

    /// <summary>Floats between the rows of h_t in <c>hidden</c> and of c_t in <c>cells</c>: P (one unit: 1, rows in
    /// order).</summary>
    public static int StateStride(int units) => BatchInLanes(units) ? 1 : RowLength(units) / 4;

    /// <summary>Where h_t of row 0 starts in <c>hidden</c> (t = 0: the initial state).</summary>
    public static long HiddenAt(int t, int batch, int units) => (long)t * batch * StateStride(units);

    /// <summary>Where c_t of row 0 starts in <c>cells</c> (t = 0: the initial state).</summary>
    public static long CellsAt(int t, int batch, int units) =>
        BatchInLanes(units) ? (long)t * Blocks(batch) * (RowLength(batch) / 4) : HiddenAt(t, batch, units);

    /// <summary>Floats of <c>hidden</c>.</summary>
    public static long HiddenLength(int steps, int batch, int units) =>
        Math.Max((long)(steps + 1) * batch * (RowLength(units) / 4), BatchInLanes(units) ? (long)(steps + 1) * batch
                 + Lanes * (1 + Blocks(batch)) : 0) + Lanes;

    /// <summary>Copies the parameters (Keras' layout, W then U then b) into the padded wp (F, R), up (H, R), bp (R) of
    /// <see cref="Forward"/>.</summary>
    public static void PackForward(float* wp, float* up, float* bp, float* parameters, int inputs, int units, int batch)
    {
        int g = 4 * units;
        if (BatchInLanes(units))
        {
            PackRepeated(wp, parameters, inputs, batch);
            PackRepeated(up, parameters + inputs * g, 1, batch);
            PackRepeated(bp, parameters + (inputs + 1) * g, 1, batch);
            return;
        }
        if (CompactRows(units))
        {
            PackCompact(wp, parameters, inputs, units);
            PackCompact(up, parameters + inputs * g, units, units);
            PackCompact(bp, parameters + (inputs + units) * g, 1, units);
            return;
        }
        PackRows(wp, parameters, inputs, units);
        PackRows(up, parameters + inputs * g, units, units);
        PackRows(bp, parameters + (inputs + units) * g, 1, units);
    }

    // Rows of four vectors whose i, f and o fit in two (H = 9, 10): the forward's W, U, b and Z rows use three vectors,
    // [i, o_0 .. o_{15-H}], [f, o_{16-H} .. o_{H-1}, 0 ..], [g, 0 ..] (R = 64 apart, the fourth vector unused), so X W
    // and h U
    // take three FMAs per input instead of four and the gate activation runs on two vectors for i, f and o. The
    // activated
    // gates are stored in the padded layout, which is all the backward pass reads.
    private static bool CompactRows(int units) => RowVectors(units) == 4 && 3 * units <= 32;

    // dst (rows, 64) = src (rows, 4H) in the compact layout of CompactRows.
    private static void PackCompact(float* dst, float* src, int rows, int units)
    {
        int g = 4 * units;
        var live = Mask(units);
        var x = new PackedIndices(units, 4);
        for (int r = 0; r < rows; r++)
        {
            float* s = src + r * g, d = dst + r * 64;
            var o = Avx512F.MaskLoad(s + 3 * units, live, Vector512<float>.Zero);
            Avx512F.PermuteVar16x32x2(Avx512F.MaskLoad(s, live, Vector512<float>.Zero), x.A, o).Store(d);
            (Avx512F.PermuteVar16x32x2(Avx512F.MaskLoad(s + units, live, Vector512<float>.Zero), x.B,
                                       o) & Mask(3 * units - 16)).Store(d + 16);
            Avx512F.MaskLoad(s + 2 * units, live, Vector512<float>.Zero).Store(d + 32);
        }
    }

    /// <summary>
    /// Copies U into utp (R, 16) and, unless null, W into wtp (R, Fp) for <see cref="Backward"/>. The copies write the
    /// same entries
    /// on every call for one shape (inputs, units), so the zeros elsewhere need writing only when
    /// <paramref name="clear"/>: on the
    /// first call for a shape into buffers that may hold anything else.
    /// </summary>
    public static void PackBackward(float* utp, float* wtp, float* parameters, int inputs, int units, int batch,
                                    bool clear)
    {
        int g = 4 * units;
        if (BatchInLanes(units)) PackRepeated(utp, parameters + inputs * g, 1, batch);
        else PackTransposed(utp, parameters + inputs * g, units, units, Lanes, clear);
        if (wtp != null) PackTransposed(wtp, parameters, inputs, units, PaddedInputs(inputs), clear);
    }

    // dst (rows, 16 V) = src (rows, 4) of one unit with each gate value repeated over its block of B = 4 V lanes (V for
    // N rows).
    private static void PackRepeated(float* dst, float* src, int rows, int batch)
    {
        int pb = RowLength(batch) / 4;
        var block = Mask(pb);
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < 4; q++)
                Avx512F.MaskStore(dst + (r * 4 + q) * pb, block, Vector512.Create(src[r * 4 + q]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mask(int count) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    /// <summary>dst (rows, R) = src (rows, 4H) with each gate block padded to P lanes.</summary>
    public static void PackRows(float* dst, float* src, int rows, int units)
    {
        int g = 4 * units, r4 = RowLength(units), p = r4 / 4;
        Vector512<float> live = Mask(units), block = Mask(p);
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < 4; q++)
                Avx512F.MaskStore(dst + r * r4 + q * p, block,
                                  Avx512F.MaskLoad(src + r * g + q * units, live, Vector512<float>.Zero));
    }

    /// <summary>dst (R, width), row q*P+j = column q*H+j of src (rows, 4H); zero elsewhere. width ≥ rows.</summary>
    public static void PackTransposed(float* dst, float* src, int rows, int units, int width, bool clear = true)
    {
        int g = 4 * units, r4 = RowLength(units), p = r4 / 4;
        if (clear) new Span<float>(dst, r4 * width).Clear();
        for (int q = 0; q < 4; q++)
            for (int j = 0; j < units; j++)
            {
                float* d = dst + (q * p + j) * width, s = src + q * units + j;
                int k = 0;
                for (; k + 4 <= rows; k += 4,
                     s += 4 * g) { d[k] = s[0]; d[k + 1] = s[g]; d[k + 2] = s[2 * g]; d[k + 3] = s[3 * g]; }
                for (; k < rows; k++, s += g) d[k] = *s;
            }
    }

    /// <summary>
    /// One layer's pass: its shape and activations, and the addresses of its buffers in the layouts of the class notes
    /// (<see cref="GatesLength"/>, <see cref="StateLength"/>, <see cref="HiddenLength"/>, <see cref="DzLength"/>,
    /// <see cref="PackedRowLength"/>). Forward reads Wp, Up, Bp and writes Gates, Cells, CellAct, Hidden; backward
    /// reads
    /// those, Utp and Wtp, and uses Dz, Dh and Dc as scratch.
    /// </summary>
    public readonly struct Pass
    {
        public int Steps { get; init; }
        public int Batch { get; init; }
        public int Inputs { get; init; }
        public int Units { get; init; }
        /// <summary>Whether y holds every step's h (else only the last).</summary>
        public bool Sequences { get; init; }
        /// <summary>Whether block 0 of Cells and Hidden holds the state a resumed pass starts from (else zero: step 0
        /// skips h U).</summary>
        public bool Resumed { get; init; }
        public Activation Activation { get; init; }
        public Activation RecurrentActivation { get; init; }
        public float* Wp { get; init; }      // (F, R), or compact rows
        public float* Up { get; init; }      // (H, R), or compact rows
        public float* Bp { get; init; }      // (R)
        public float* Utp { get; init; }     // (R, 16) Uᵀ
        public float* Wtp { get; init; }     // (R, Fp) Wᵀ; null when dx is not wanted
        public float* Gates { get; init; }   // (T N, R)
        public float* Cells { get; init; }   // ((T+1) N, P), block 0 = 0
        public float* CellAct { get; init; } // (T N, P)
        public float* Hidden { get; init; }  // ((T+1) N, P), block 0 = 0
        public float* Dz { get; init; }      // (T N, R)
        public float* Dh { get; init; }      // (N, 16)
        public float* Dc { get; init; }      // (N, 16)
    }

    /// <summary>
    /// The forward time loop; <paramref name="y"/> gets h_t (T N, H) when <see cref="Pass.Sequences"/>, else h_T (N,
    /// H).
    /// Block 0 of <see cref="Pass.Cells"/> and <see cref="Pass.Hidden"/> must be zero, or hold the state before the
    /// first step when <see cref="Pass.Resumed"/> (h_0 and c_0 of a pass resumed after a step; one unit: in row
    /// order).
    /// </summary>
    public static void Forward(float* y, float* x, in Pass p)
    {
        if (BatchInLanes(p.Units))
        {
            var kb = new BatchForwardLoop(y, x, p.Wp, p.Up, p.Bp, p.Gates, p.Cells, p.CellAct, p.Hidden, p.Steps,
                                          p.Batch, p.Inputs, p.Sequences, p.Resumed);
            Dispatch(ref kb, p.Batch, p.Activation, p.RecurrentActivation);
            return;
        }
        var k = new ForwardLoop(y, x, p.Wp, p.Up, p.Bp, p.Gates, p.Cells, p.CellAct, p.Hidden, p.Steps, p.Batch,
                                p.Inputs, p.Units, p.Sequences, p.Resumed);
        Dispatch(ref k, p.Units, p.Activation, p.RecurrentActivation);
    }

    /// <summary>
    /// Backpropagation through time after <see cref="Forward"/>: adds dW into <paramref name="dw"/> (F, 4H), dU into
    /// <paramref name="du"/> (H, 4H) and db into <paramref name="db"/> (4H), Keras' layouts (dw null: none of the
    /// three, an input-gradient pass); writes dx (T N, F) unless null.
    /// dy as <see cref="Forward"/>'s y. <see cref="Pass.Dz"/> (<see cref="DzLength"/>) receives dL/dz (T N, R).
    /// </summary>
    public static void Backward(float* dx, float* dw, float* du, float* db, float* dy, float* x, in Pass p)
    {
        if (BatchInLanes(p.Units))
        {
            var kb = new BatchBackwardLoop(dx, dw, du, db, p.Dz, dy, x, p.Gates, p.Cells, p.CellAct, p.Hidden, p.Utp,
                                           p.Wtp, p.Dh, p.Dc,
                                           p.Steps, p.Batch, p.Inputs, p.Sequences);
            Dispatch(ref kb, p.Batch, p.Activation, p.RecurrentActivation);
            return;
        }
        var k = new BackwardLoop(dx, dw, du, db, p.Dz, dy, x, p.Gates, p.Cells, p.CellAct, p.Hidden, p.Utp, p.Wtp, p.Dh,
                                 p.Dc,
                                 p.Steps, p.Batch, p.Inputs, p.Units, p.Sequences);
        Dispatch(ref k, p.Units, p.Activation, p.RecurrentActivation);
    }
}
