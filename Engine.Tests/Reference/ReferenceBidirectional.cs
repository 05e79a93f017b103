using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using FsCheck;
using FsCheck.Fluent;

namespace Engine.Tests.Reference;

/// <summary>A Bidirectional(LSTM or GRU) layer of a <see cref="BidirectionalCase"/>.</summary>
public sealed record BidirectionalSpec(RecurrentSpec Inner, MergeMode Mode)
{
    public int OutputWidth => Mode == MergeMode.Concat ? 2 * Inner.Units : Inner.Units;
}

/// <summary>
/// A network Bidirectional(LSTM|GRU) [- Bidirectional(LSTM|GRU)] [- Dropout] - Dense head (elementwise activation or
/// softmax),
/// with weights, inputs and loss weights w: what the Bidirectional and softmax gradient property checks. The double
/// reference is written from Keras' equations, one series at a time:
/// <code>
/// f = LSTM_f(x_0 .. x_{T-1});  b = reverse(LSTM_b(x_{T-1} .. x_0))   (without return_sequences: b = LSTM_b's last
/// step)
/// concat [f | b]; sum f + b; ave (f + b) / 2; mul f b
/// softmax head: y_j = e^{z_j} / sum_k e^{z_k}, z = x K + c
/// </code>
/// The LSTM, GRU and Dense rows are <see cref="ReferenceNetwork"/>'s. The loss is L = sum_k w_k y_k (batch-major
/// outputs).
/// Dropout is in the model only: at inference (<c>Sequential.Forward</c>) it is the identity, as in the reference.
/// </summary>
public sealed record BidirectionalCase(int Batch, int Steps, int Features, BidirectionalSpec[] Layers, bool Dropout,
                                       DenseSpec Head, bool Softmax, float[] Parameters, float[] Input, float[] Weights)
{
    public int OutputsPerSeries => (Layers[^1].Inner.ReturnSequences ? Steps : 1) * Head.Units;

    public int ParameterCount
    {
        get
        {
            int count = 0, width = Features;
            foreach (var l in Layers) { count += 2 * l.Inner.ParameterCount(width); width = l.OutputWidth; }
            return count + (width + 1) * Head.Units;
        }
    }

    public Sequential BuildModel()
    {
        var layers = new List<Layer>();
        foreach (var l in Layers)
        {
            var s = l.Inner;
            Layer inner = s is GruSpec g
                ? new Gru(g.Units, g.Activation, g.RecurrentActivation, g.ReturnSequences, g.ResetAfter)
                : new Lstm(s.Units, s.Activation, s.RecurrentActivation, s.ReturnSequences);
            layers.Add(new Bidirectional(inner, l.Mode));
            if (Dropout) layers.Add(new Dropout(0.5));
        }
        layers.Add(Softmax ? Dense.WithSoftmax(Head.Units) : new Dense(Head.Units, Head.Activation));
        var model = new Sequential(Features, layers);
        Parameters.CopyTo(model.Parameters, 0);
        return model;
    }

    /// <summary>The reference forward pass, (N, OutputsPerSeries) batch-major.</summary>
    public double[] Forward(double[] p, double[] x, KinkRecorder? kinks = null)
    {
        var output = new double[Batch * OutputsPerSeries];
        for (int n = 0; n < Batch; n++)
        {
            var seq = new double[Steps][];
            for (int t = 0; t < Steps; t++) seq[t] = x.AsSpan((n * Steps + t) * Features, Features).ToArray();
            int offset = 0;
            foreach (var l in Layers)
            {
                var f = ReferenceNetwork.RecurrentLayer(l.Inner, seq, p, ref offset, kinks);
                var b = ReferenceNetwork.RecurrentLayer(l.Inner, [.. seq.Reverse()], p, ref offset, kinks);
                if (l.Inner.ReturnSequences) Array.Reverse(b);
                seq = [.. f.Zip(b, (ft, bt) => Merge(l.Mode, ft, bt))];
                foreach (var row in seq) kinks?.RecordStates(row);
            }
            var head = Softmax ? Head with { Activation = Activation.Linear } : Head;
            for (int t = 0; t < seq.Length; t++)
            {
                var y = ReferenceNetwork.DenseRow(head, seq[t], p, offset, kinks);
                if (Softmax)
                {
                    double max = y.Max(), sum = y.Sum(v => Math.Exp(v - max));
                    y = [.. y.Select(v => Math.Exp(v - max) / sum)];
                }
                y.CopyTo(output, n * OutputsPerSeries + t * Head.Units);
            }
        }
        return output;
    }

    private static double[] Merge(MergeMode mode, double[] f, double[] b) => mode switch
    {
        MergeMode.Concat => [.. f, .. b],
        MergeMode.Sum => [.. f.Zip(b, (u, v) => u + v)],
        MergeMode.Ave => [.. f.Zip(b, (u, v) => (u + v) / 2)],
        _ => [.. f.Zip(b, (u, v) => u * v)],
    };

    public double Loss(double[] p, double[] x, KinkRecorder? kinks = null) =>
        Forward(p, x, kinks).Select((y, k) => y * Weights[k]).Sum();

    public override string ToString()
    {
        static string Layer(BidirectionalSpec l) =>
            $"Bidirectional({(l.Inner is GruSpec ? "GRU" : "LSTM")}({l.Inner.Units}, "
            + $"{l.Inner.Activation.Name()}/{l.Inner.RecurrentActivation.Name()}"
            + $"{(l.Inner.ReturnSequences ? ", seq" : "")}), {l.Mode})";
        static string Numbers(IEnumerable<float> v) => string.Join(", ", v.Select(x => x.ToString("R")));
        return $"N={Batch} T={Steps} F={Features}: {string.Join(" -> ", Layers.Select(Layer))}"
               + $"{(Dropout ? " + Dropout" : "")} -> Dense({Head.Units}, "
               + $"{(Softmax ? "softmax" : Head.Activation.Name())}); "
               + $"params [{Numbers(Parameters)}]; input [{Numbers(Input)}]";
    }

    /// <summary>
    /// Engine gradients (Sequential.Backward from dL/dy = w) against central differences of the reference loss, for
    /// every parameter and input; steps that straddle a relu / hard_sigmoid kink are skipped. Empty when they agree.
    /// </summary>
    public string Check()
    {
        var failures = new System.Text.StringBuilder();
        var model = BuildModel();
        double[] p = GradientCheck.ToDouble(Parameters), x = GradientCheck.ToDouble(Input);
        var expected = Forward(p, x);
        var actual = new float[expected.Length];
        model.Forward(actual, Input, Batch, Steps);
        for (int k = 0; k < actual.Length; k++)
            if (!(Math.Abs(actual[k] - expected[k]) <= 1e-5 + 1e-4 * Math.Abs(expected[k])))
                failures.AppendLine($"output[{k}]: engine {actual[k]:R}, reference {expected[k]:R}");
        var dInput = new float[Input.Length];
        model.Backward(dInput, Weights);
        var baseKinks = new KinkRecorder();
        Loss(p, x, baseKinks);
        int skipped = 0;
        double?[] Differences(double[] v)
        {
            var d = new double?[v.Length];
            for (int k = 0; k < v.Length; k++)
            {
                double saved = v[k];
                KinkRecorder plus = new(), minus = new();
                v[k] = saved + GradientCheck.Step;
                double lp = Loss(p, x, plus);
                v[k] = saved - GradientCheck.Step;
                double lm = Loss(p, x, minus);
                v[k] = saved;
                if (plus.SameSides(baseKinks) && minus.SameSides(baseKinks))
                    d[k] = (lp - lm) / (2 * GradientCheck.Step);
                else skipped++;
            }
            return d;
        }
        var dp = Differences(p);
        var dx = Differences(x);
        double absolute = GradientCheck.Absolute * (1 + dp.Concat(dx).Max(v => Math.Abs(v ?? 0)));
        void Compare(string what, float engine, double? fd)
        {
            if (fd is { } d && !(Math.Abs(engine - d) <= absolute + GradientCheck.Relative * Math.Abs(d)))
                failures.AppendLine($"{what}: engine {engine:R}, finite difference {d:R}");
        }
        for (int k = 0; k < dp.Length; k++) Compare($"dL/dparameter[{k}]", model.Gradients[k], dp[k]);
        for (int k = 0; k < dx.Length; k++) Compare($"dL/dinput[{k}]", dInput[k], dx[k]);
        if (skipped * 10 > p.Length + x.Length) failures.AppendLine($"{skipped} finite differences straddled a kink");
        return failures.ToString();
    }

    /// <summary>Whether every relu / hard_sigmoid argument is at least <see cref="GradientCheck.KinkMargin"/> from its
    /// kink.</summary>
    public bool IsWellPosed()
    {
        var kinks = new KinkRecorder();
        Forward(GradientCheck.ToDouble(Parameters), GradientCheck.ToDouble(Input), kinks);
        return kinks.NearestKink >= GradientCheck.KinkMargin;
    }

    /// <summary>The largest |value| of a state (either direction) or merged output of the reference forward
    /// pass.</summary>
    public double LargestState() => LargestState(Parameters);

    private double LargestState(float[] parameters)
    {
        var recorder = new KinkRecorder();
        Forward(GradientCheck.ToDouble(parameters), GradientCheck.ToDouble(Input), recorder);
        return recorder.LargestState;
    }

    /// <summary>This case with its recurrent layers' weights <see cref="GradientCheck.Tame">tamed</see>; the Dense
    /// head as drawn.</summary>
    public BidirectionalCase Tamed() => this with
    {
        Parameters = GradientCheck.Tame(Parameters, ParameterCount - (Layers[^1].OutputWidth + 1) * Head.Units,
                                        LargestState),
    };

    /// <summary>
    /// Batch 1-3, steps 1-5, features 1-4; one or two Bidirectional(LSTM or GRU, 1-6 units) layers (every merge mode,
    /// every
    /// activation, the last returning sequences or not); Dropout after each in a third of the cases; a Dense head of
    /// 1-3 units, softmax (2-3 units) in half the cases. Weights U(-1.5, 1.5), inputs U(-2, 2), loss weights U(-1, 1);
    /// the recurrent weights then <see cref="Tamed"/> (linear / relu cells otherwise reach states of 100 and more).
    /// </summary>
    public static Gen<BidirectionalCase> Generator => Drawn.Select(c => c.Tamed());

    /// <summary>The cases of <see cref="Generator"/> as drawn, before <see cref="Tamed"/>.</summary>
    public static Gen<BidirectionalCase> Drawn =>
        from batch in Gen.Choose(1, 3)
        from steps in Gen.Choose(1, 5)
        from features in Gen.Choose(1, 4)
        from depth in Gen.Choose(1, 2)
        from lastReturns in Gen.Elements(true, false)
        from inner in Gen.CollectToArray(Enumerable.Range(0, depth), k =>
            Gen.OneOf(Generators.Lstm(k < depth - 1 || lastReturns).Select(s => (RecurrentSpec)s),
                      Generators.Gru(k < depth - 1 || lastReturns)))
        from modes in Gen.ArrayOf(Gen.Elements(MergeMode.Concat, MergeMode.Sum, MergeMode.Ave, MergeMode.Mul), depth)
        from dropout in Gen.Frequency((2, Gen.Constant(false)), (1, Gen.Constant(true)))
        from softmax in Gen.Elements(true, false)
        from units in Gen.Choose(softmax ? 2 : 1, 3)
        from activation in Gen.Elements(Generators.AllActivations)
        let layers = inner.Zip(modes, (s, m) => new BidirectionalSpec(s, m)).ToArray()
        let shape = new BidirectionalCase(batch, steps, features, layers, dropout, new DenseSpec(units, activation),
                                          softmax, [], [], [])
        from parameters in Generators.Floats(shape.ParameterCount, 1.5f)
        from input in Generators.Floats(batch * steps * features, 2f)
        from weights in Generators.Floats(batch * shape.OutputsPerSeries, 1f)
        select shape with { Parameters = parameters, Input = input, Weights = weights };
}

/// <summary>Registers <see cref="BidirectionalCase.Generator"/> with FsCheck.</summary>
public static class BidirectionalArbitraries
{
    public static Arbitrary<BidirectionalCase> BidirectionalCase() =>
        Reference.BidirectionalCase.Generator.ToArbitrary();
}

/// <summary>Registers <see cref="BidirectionalCase.Drawn"/> (untamed) with FsCheck, for replays of former
/// failures.</summary>
public static class DrawnBidirectionalArbitraries
{
    public static Arbitrary<BidirectionalCase> BidirectionalCase() => Reference.BidirectionalCase.Drawn.ToArbitrary();
}
