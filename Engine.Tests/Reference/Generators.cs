using Engine.Kernels;
using FsCheck;
using FsCheck.Fluent;

namespace Engine.Tests.Reference;

/// <summary>
/// FsCheck generators for the property tests, in one place. Shapes are tiny so a property runs in
/// milliseconds: batch 1-4, steps 1-6, features 1-5, units 1-6, 1-3 stacked LSTMs, optional Dense head
/// and, in a quarter of the cases, a Dense layer before the LSTMs.
/// </summary>
public static class Generators
{
    public static readonly Activation[] AllActivations =
        [Activation.Linear, Activation.Relu, Activation.Tanh, Activation.Sigmoid, Activation.HardSigmoid,
         Activation.HardSigmoidKeras3];

    public static readonly Activation[] GateActivations = [Activation.Sigmoid, Activation.HardSigmoid,
                                                           Activation.HardSigmoidKeras3];

    /// <summary>Uniform floats in [-range, range] on a fine grid (2^21 points), so exact ties are rare.</summary>
    public static Gen<float> Uniform(float range) =>
        Gen.Choose(-(1 << 20), 1 << 20).Select(k => range * k / (1 << 20));

    public static Gen<float[]> Floats(int length, float range) => Gen.ArrayOf(Uniform(range), length);

    public static Gen<LstmSpec> Lstm(bool returnSequences) =>
        from units in Gen.Choose(1, 6)
        from a in Gen.Elements(AllActivations)
        from r in Gen.Elements(GateActivations)
        select new LstmSpec(units, a, r, returnSequences);

    /// <summary>1-3 LSTMs; all but the last return sequences, the last either way.</summary>
    public static Gen<LstmSpec[]> LstmStack =>
        from depth in Gen.Choose(1, 3)
        from lastReturns in Gen.Elements(true, false)
        from layers in Gen.CollectToArray(Enumerable.Range(0, depth), k => Lstm(k < depth - 1 || lastReturns))
        select layers;

    /// <summary>
    /// A GRU, either reset_after form, any candidate activation, bounded gates (both hard_sigmoids, sigmoid, tanh):
    /// unbounded
    /// relu / linear gates overflow float on these weights (GruTests checks them on smaller ones).
    /// </summary>
    public static Gen<RecurrentSpec> Gru(bool returnSequences) =>
        from units in Gen.Choose(1, 6)
        from a in Gen.Elements(AllActivations)
        from r in Gen.Elements([.. GateActivations, Activation.Tanh])
        from resetAfter in Gen.Elements(true, false)
        select (RecurrentSpec)new GruSpec(units, a, r, returnSequences, resetAfter);

    /// <summary>1-3 GRUs (a GRU below an LSTM in a quarter of the cases); all but the last return sequences.</summary>
    public static Gen<RecurrentSpec[]> GruStack =>
        from depth in Gen.Choose(1, 3)
        from lastReturns in Gen.Elements(true, false)
        from layers in Gen.CollectToArray(Enumerable.Range(0, depth), k =>
            Gen.Frequency((3, Gru(k < depth - 1 || lastReturns)),
                          (1, Lstm(k < depth - 1 || lastReturns).Select(l => (RecurrentSpec)l))))
        select layers;

    public static Gen<DenseSpec?> Head => OptionalDense(1, 1, 3);

    /// <summary>The optional Dense layer before the LSTMs: absent in 3 cases of 4.</summary>
    public static Gen<DenseSpec?> First => OptionalDense(3, 1, 4);

    private static Gen<DenseSpec?> OptionalDense(int absentWeight, int minUnits, int maxUnits) =>
        Gen.Frequency(
            (absentWeight, Gen.Constant<DenseSpec?>(null)),
            (1, from units in Gen.Choose(minUnits, maxUnits)
                from a in Gen.Elements(AllActivations)
                select (DenseSpec?)new DenseSpec(units, a)));

    /// <summary>
    /// A network, its weights (U(-1.5, 1.5): enough to push hard_sigmoid gates past +-2.5 and relus below 0),
    /// inputs U(-2, 2), and a loss with its targets (weights for the weighted sum, U(0, 1) labels for BCE).
    /// BCE needs outputs in (0, 1): half its cases get a sigmoid Dense head (the fused path of
    /// Sequential.ComputeGradients), the others a sigmoid/sigmoid last LSTM as in the reference model.
    /// The weights below the head are then <see cref="NetworkCase.Tamed"/> (linear / relu cells otherwise reach
    /// states float32 cannot differentiate through).
    /// </summary>
    public static Gen<NetworkCase> Network =>
        NetworkOf(LstmStack.Select(layers => (RecurrentSpec[])layers)).Select(c => c.Tamed());

    /// <summary>As <see cref="Network"/> with GRU stacks (<see cref="GruStack"/>).</summary>
    public static Gen<NetworkCase> GruNetwork => DrawnGruNetwork.Select(c => c.Tamed());

    /// <summary><see cref="GruNetwork"/>'s cases as drawn, before <see cref="NetworkCase.Tamed"/>: for replays of
    /// former failures.</summary>
    public static Gen<NetworkCase> DrawnGruNetwork => NetworkOf(GruStack);

    private static Gen<NetworkCase> NetworkOf(Gen<RecurrentSpec[]> stack) =>
        from batch in Gen.Choose(1, 4)
        from steps in Gen.Choose(1, 6)
        from features in Gen.Choose(1, 5)
        from loss in Gen.Elements(LossKind.WeightedSum, LossKind.MeanSquaredError, LossKind.BinaryCrossEntropy)
        from first in First
        from drawnLstms in stack
        from drawnHead in Head
        from fused in Gen.Elements(true, false)
        from headUnits in Gen.Choose(1, 3)
        let bce = loss == LossKind.BinaryCrossEntropy
        let head = bce ? (fused ? new DenseSpec(headUnits, Activation.Sigmoid) : null) : drawnHead
        let lstms = bce && !fused
            ? [.. drawnLstms[..^1],
               drawnLstms[^1] with { Activation = Activation.Sigmoid, RecurrentActivation = Activation.Sigmoid }]
            : drawnLstms
        from flatten in Gen.Elements(true, false)
        let net = new ReferenceNetwork(features, lstms, head, first)
        from parameters in Floats(net.ParameterCount, 1.5f)
        from input in Floats(batch * steps * features, 2f)
        from target in bce
            ? Floats(batch * net.OutputsPerSeries(steps), 0.5f).Select(a => a.Select(v => v + 0.5f).ToArray())
            : Floats(batch * net.OutputsPerSeries(steps), 1f)
        select new NetworkCase(batch, steps, features, lstms, head, flatten && net.OutputsSequence, parameters, input,
                               loss, target, first);
}

/// <summary>Registers the generators with FsCheck: <c>[Property(Arbitrary = [typeof(Arbitraries)])]</c>.</summary>
public static class Arbitraries
{
    public static Arbitrary<NetworkCase> NetworkCase() => Generators.Network.ToArbitrary();
}

/// <summary>The GRU cases: <c>[Property(Arbitrary = [typeof(GruArbitraries)])]</c>.</summary>
public static class GruArbitraries
{
    public static Arbitrary<NetworkCase> NetworkCase() => Generators.GruNetwork.ToArbitrary();
}

/// <summary>The GRU cases as drawn (<see cref="Generators.DrawnGruNetwork"/>), for replays of former
/// failures.</summary>
public static class DrawnGruArbitraries
{
    public static Arbitrary<NetworkCase> NetworkCase() => Generators.DrawnGruNetwork.ToArbitrary();
}
