using System.Text.Json.Nodes;
using Engine.Models;

namespace Engine.Import;

/// <summary>The interpretation of one ONNX graph (see <see cref="OnnxReader"/>).</summary>
internal sealed class OnnxGraphReader(OnnxModelProto model, string path)
{
    private enum Role { In0, In1, Time, Batch, Dir, Feat }

    /// <summary>One axis of the data path: its role and size (-1 unknown). A time axis of size 1 left by a Slice of
    /// the last step has <see cref="Last"/> set.</summary>
    private readonly record struct Axis(Role Role, long Size, bool Last = false);

    private abstract record Value;
    private sealed record ConstValue(OnnxTensor Tensor) : Value;
    private sealed record ZerosValue : Value;
    private sealed record MetaValue : Value;
    private sealed record CellStatesValue : Value;
    /// <summary>The data path. <see cref="Dense"/>: the index of the Dense layer this value is the direct output of
    /// (its activation can still be set), <see cref="NeedsBias"/>: it came from a MatMul whose Add is still
    /// due.</summary>
    private sealed record SeqValue(Axis[] Axes, int Version, int Dense = -1, bool NeedsBias = false) : Value;
    /// <summary>Final hidden states (Y_h) stacked on axis 0, as (layer, direction) entries; axes (S, batch,
    /// H).</summary>
    private sealed record StatesValue((int Layer, int Dir)[] Entries) : Value;

    private sealed class LayerBuilder(string className, string name, JsonObject config)
    {
        public string ClassName = className, Name = name;
        public JsonObject Config = config;
        public List<ImportedTensor> Weights = [];
        public int Directions;               // 0 for Dense/Flatten, 1 or 2 for LSTM/GRU
        public int Units;                    // H or the Dense units
        public bool Recurrent => Directions > 0;
    }

    private readonly OnnxGraph graph = model.Graph!;
    private readonly Dictionary<string, Value> values = new(StringComparer.Ordinal);
    private readonly List<LayerBuilder> layers = [];
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private int tipVersion, versions;
    private Role? inTime;                    // which input axis role turned out to be time
    private OnnxNode node = new();

    public (int? Steps, int Features, IReadOnlyList<ImportedLayer> Layers) Run()
    {
        foreach (var t in graph.Initializers) values[t.Name] = new ConstValue(t);
        var inputs = graph.Inputs.Where(i => !values.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1)
            throw Fail($"the ONNX graph has {inputs.Count} inputs; one (N, T, F) or (T, N, F) input is supported");
        var input = inputs[0];
        if (input.ElemType != OnnxTensor.Float)
            throw Fail($"the graph input '{input.Name}' is not float32 (ONNX type {input.ElemType})");
        if (input.Dims is not { Length: 3 } || input.Dims[2] <= 0)
            throw Fail($"the graph input '{input.Name}' must be 3-D with a fixed feature count, not " +
                       (input.Dims is null ? "unshaped" : $"({string.Join(", ", input.Dims.Select(D))})"));
        values[input.Name] = new SeqValue([new(Role.In0, input.Dims[0]), new(Role.In1, input.Dims[1]),
                                          new(Role.Feat, input.Dims[2])], 0);

        foreach (var n in graph.Nodes)
        {
            node = n;
            if (n.Domain is not ("" or "ai.onnx"))
                throw Fail($"node '{n.Name}' is op {n.OpType} of domain '{n.Domain}'; only standard ONNX ops are read");
            Interpret();
        }

        if (graph.Outputs.Count != 1) throw Fail($"the ONNX graph has {graph.Outputs.Count} outputs; one is supported");
        if (!layers.Any(l => l.Recurrent)) throw Fail("the ONNX graph has no LSTM or GRU op");
        string outName = graph.Outputs[0].Name;
        var output = values.GetValueOrDefault(outName);
        if (output is StatesValue { Entries.Length: 1 } s) output = FinalState(s.Entries[0]);
        if (output is not SeqValue seq || seq.Version != tipVersion)
            throw Fail($"the graph output '{outName}' is not the end of a chain of layers");
        var roles = seq.Axes.Select(a => Norm(a.Role)).ToArray();
        if (roles.Contains(Role.Dir))
            throw Fail($"the graph output '{outName}' keeps the direction axis of a bidirectional layer apart");
        if (roles.Length is < 2 or > 3 || roles[^1] != Role.Feat || !roles.Contains(Role.Batch))
            throw Fail($"the graph output '{outName}' has axes ({string.Join(", ", roles)}); " +
                       "(batch[, time], features) expected");

        long time = input.Dims[inTime == Role.In0 ? 0 : 1];
        var result = layers.Select(l => new ImportedLayer(l.ClassName, l.Name, l.Config, l.Weights)).ToList();
        return (time > 0 ? checked((int)time) : null, checked((int)input.Dims[2]), result);
    }

    private static string D(long d) => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private ModelFormatException Fail(string problem) => new(path, problem);

    private ModelFormatException Unsupported(string why) =>
        Fail($"node '{node.Name}' ({node.OpType}): {why}");

    // ---- values -------------------------------------------------------------------------------------------------

    private Value In(int i)
    {
        if (i >= node.Inputs.Count || node.Inputs[i].Length == 0) throw Unsupported($"input {i} is missing");
        return values.TryGetValue(node.Inputs[i], out var v) ? v
            : throw Fail($"node '{node.Name}' ({node.OpType}) reads '{node.Inputs[i]}', which no earlier node makes");
    }

    private bool Has(int i) => i < node.Inputs.Count && node.Inputs[i].Length > 0;

    private void Out(Value v, int i = 0)
    {
        if (i < node.Outputs.Count && node.Outputs[i].Length > 0) values[node.Outputs[i]] = v;
    }

    private SeqValue NewSeq(Axis[] axes, int dense = -1, bool needsBias = false)
    {
        tipVersion = ++versions;
        return new SeqValue(axes, tipVersion, dense, needsBias);
    }

    private Role Norm(Role r) => r is Role.In0 or Role.In1 && inTime is { } t ? (r == t ? Role.Time : Role.Batch) : r;

    /// <summary>The data-path input <paramref name="i"/>, which must be the current end of the chain.</summary>
    private SeqValue Data(int i)
    {
        var v = In(i);
        if (v is StatesValue { Entries.Length: 1 } s) v = FinalState(s.Entries[0]);
        if (v is not SeqValue seq) throw Unsupported("its data input is not the output of the layers before it");
        if (seq.Version != tipVersion) throw Unsupported("the graph branches; only a chain of layers is supported");
        return seq;
    }

    private OnnxTensor Const(int i, string what)
    {
        var v = In(i);
        return v is ConstValue c ? c.Tensor : throw Unsupported($"its {what} is not a constant");
    }

    private long[] Ints(int i, string what) =>
        Const(i, what).Ints ?? throw Unsupported($"its {what} is not an integer tensor");

    private float[] Floats(int i, string what) =>
        Const(i, what).Floats ?? throw Unsupported($"its {what} is not a float32 tensor");

    private bool IsZero(int i) => !Has(i) || In(i) switch
    {
        ZerosValue => true,
        ConstValue { Tensor.Floats: { } f } => f.All(x => x == 0),
        _ => false,
    };

    private OnnxAttribute? Attr(string name) => node.Attributes.GetValueOrDefault(name);

    private long Int(string name, long fallback) => Attr(name)?.I ?? fallback;

    private int AxisIndex(long axis, int rank) =>
        axis >= -rank && axis < rank ? (int)(axis < 0 ? axis + rank : axis)
                                     : throw Unsupported($"axis {axis} is out of range");

    // ---- the ops ------------------------------------------------------------------------------------------------

    private static readonly HashSet<string> ShapeOps = new(StringComparer.Ordinal)
    {
        "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice", "Reshape", "Transpose", "Expand", "Cast", "Identity",
        "Add", "Sub", "Mul", "Div", "Equal", "Where", "Range", "ReduceProd", "Min", "Max", "Neg",
    };

    private void Interpret()
    {
        string op = node.OpType;
        switch (op)
        {
            case "Constant": Out(ConstantNode()); return;
            case "Shape": In(0); Out(new MetaValue()); return;
            case "ConstantOfShape":
                bool zero = Attr("value")?.T is not { Floats: { } f } || f.All(x => x == 0);
                Out(zero ? new ZerosValue() : new MetaValue());
                return;
        }
        bool data = node.Inputs.Any(n => values.GetValueOrDefault(n) is SeqValue or StatesValue);
        if (!data && op is not ("LSTM" or "GRU"))
        {
            // Shape arithmetic and the zero initial states: nothing here reaches the numbers but through the checks
            // on the recurrent ops' initial states.
            if (!ShapeOps.Contains(op) && op is not ("Dropout" or "ConstantOfShape"))
                throw Unsupported($"the ONNX op {op} is not supported; supported: {OnnxReader.SupportedOps}");
            for (int i = 0; i < node.Inputs.Count; i++) if (Has(i)) In(i);
            bool zeros = Has(0) && In(0) is ZerosValue
                         || Has(0) && op is "Expand" or "Slice" or "Gather" or "Squeeze" or "Unsqueeze" or "Reshape"
                                      or "Transpose" or "Identity" or "Dropout" or "Cast" && IsZero(0);
            if (op is "Identity" or "Dropout" && In(0) is ConstValue) { Out(In(0)); return; }
            Out(zeros ? new ZerosValue() : new MetaValue());
            return;
        }
        switch (op)
        {
            case "Identity" or "Dropout": Out(Data(0)); return;
            case "Cast":
                if (Int("to", 0) != OnnxTensor.Float) throw Unsupported("it casts the data to another type");
                Out(Data(0));
                return;
            case "LSTM" or "GRU": Recurrent(op == "LSTM"); return;
            case "Transpose": Transpose(); return;
            case "Squeeze": Squeeze(); return;
            case "Reshape": Reshape(); return;
            case "Flatten": FlattenNode(); return;
            case "Gather": GatherNode(); return;
            case "Slice": SliceNode(); return;
            case "Concat": ConcatNode(); return;
            case "Gemm": Gemm(); return;
            case "MatMul": MatMul(); return;
            case "Add": AddBias(); return;
            case "Relu" or "Tanh" or "Sigmoid" or "Softmax": ActivationNode(); return;
            default: throw Unsupported($"the ONNX op {op} is not supported; supported: {OnnxReader.SupportedOps}");
        }
    }

    private ConstValue ConstantNode()
    {
        if (Attr("value")?.T is { } t) return new ConstValue(t with { Name = node.Outputs.FirstOrDefault() ?? "" });
        if (Attr("value_float") is { } f) return new ConstValue(new OnnxTensor("", [], OnnxTensor.Float, [f.F], null));
        if (Attr("value_floats") is { } fs)
            return new ConstValue(new OnnxTensor("", [fs.Floats.Count], OnnxTensor.Float, [.. fs.Floats], null));
        if (Attr("value_int") is { } i) return new ConstValue(new OnnxTensor("", [], OnnxTensor.Int64, null, [i.I]));
        if (Attr("value_ints") is { } iv)
            return new ConstValue(new OnnxTensor("", [iv.Ints.Count], OnnxTensor.Int64, null, [.. iv.Ints]));
        throw Unsupported("a Constant without a tensor, float or int value is not supported");
    }

    private void Transpose()
    {
        var x = Data(0);
        int rank = x.Axes.Length;
        long[] perm = Attr("perm")?.Ints.ToArray() ?? [.. Enumerable.Range(0, rank).Reverse().Select(i => (long)i)];
        if (perm.Length != rank || perm.Distinct().Count() != rank || perm.Any(p => p < 0 || p >= rank))
            throw Unsupported($"perm ({string.Join(", ", perm)}) does not fit a rank-{rank} tensor");
        Out(NewSeq([.. perm.Select(p => x.Axes[p])], x.Dense));
    }

    private long[] SqueezeAxes(int rank)
    {
        long[] axes = Has(1) ? Ints(1, "axes") : Attr("axes")?.Ints.ToArray()
            ?? throw Unsupported("a Squeeze of every axis of size 1 is not supported");
        return [.. axes.Select(a => (long)AxisIndex(a, rank)).Distinct().OrderDescending()];
    }

    private void Squeeze()
    {
        if (In(0) is StatesValue { Entries.Length: 1 } h && SqueezeAxes(3) is [0])
        {
            Out(h);                                      // h_n.squeeze(0) of a one-layer network
            return;
        }
        var x = Data(0);
        var axes = x.Axes.ToList();
        foreach (int a in SqueezeAxes(axes.Count))
        {
            var axis = axes[a];
            if (axis.Role == Role.Dir && axis.Size == 1) { axes.RemoveAt(a); continue; }
            if (Norm(axis.Role) == Role.Time && axis.Last) { axes.RemoveAt(a); continue; }
            throw Unsupported($"it squeezes the {Norm(axis.Role)} axis");
        }
        Out(NewSeq([.. axes], x.Dense));
    }

    private void Reshape()
    {
        var x = Data(0);
        long[] shape = Ints(1, "shape");
        if (Int("allowzero", 0) != 0 && shape.Contains(0)) throw Unsupported("allowzero with a 0 in the shape");
        var axes = x.Axes;
        // Copied leading axes: a 0, or the axis' own known size at its place.
        int k = 0;
        while (k < shape.Length && k < axes.Length && (shape[k] == 0 || shape[k] > 0 && shape[k] == axes[k].Size)) k++;
        var rest = axes[k..];
        if (k == axes.Length && k == shape.Length) { Out(NewSeq(axes, x.Dense)); return; }
        if (k == shape.Length - 1 && rest.Length >= 1)
        {
            var roles = rest.Select(a => Norm(a.Role)).ToArray();
            long width = rest.Aggregate(1L, (p, a) => p < 0 || a.Size < 0 ? -1 : p * a.Size);
            if (shape[k] != -1 && shape[k] != width) throw Unsupported($"it reshapes to ({string.Join(", ", shape)})");
            if (roles is [Role.Feat]) { Out(NewSeq(axes, x.Dense)); return; }
            if (roles is [Role.Dir, Role.Feat])
            {
                // (.., D, H) -> (.., D*H): direction-major, i.e. [forward, backward] concatenated as Keras does.
                Out(NewSeq([.. axes[..k], new Axis(Role.Feat, width)]));
                return;
            }
            if (roles is [Role.Time, Role.Feat] && k == 1 && Norm(axes[0].Role) == Role.Batch)
            {
                AddFlatten();
                Out(NewSeq([axes[0], new Axis(Role.Feat, width)]));
                return;
            }
        }
        throw Unsupported($"it reshapes ({string.Join(", ", axes.Select(a => Norm(a.Role)))}) to " +
                          $"({string.Join(", ", shape)}); only merging the direction or time axis into the " +
                          "features is supported");
    }

    private void FlattenNode()
    {
        var x = Data(0);
        int axis = AxisIndex(Int("axis", 1), x.Axes.Length);
        var roles = x.Axes.Select(a => Norm(a.Role)).ToArray();
        if (axis == 1 && roles is [Role.Batch, Role.Feat]) { Out(NewSeq(x.Axes, x.Dense)); return; }
        if (axis == 1 && roles is [Role.Batch, Role.Time, Role.Feat])
        {
            AddFlatten();
            long width = x.Axes[1].Size < 0 ? -1 : x.Axes[1].Size * x.Axes[2].Size;
            Out(NewSeq([x.Axes[0], new Axis(Role.Feat, width)]));
            return;
        }
        throw Unsupported($"it flattens ({string.Join(", ", roles)}) from axis {axis}");
    }

    private void AddFlatten()
    {
        if (inTime is null) throw Unsupported("it flattens the input before any recurrent layer");
        layers.Add(new LayerBuilder("Flatten", UniqueName("flatten"), new JsonObject()));
    }

    /// <summary>Whether <paramref name="index"/> (a constant index on the time axis <paramref name="axis"/>) is the
    /// last step: -1, or T - 1 when T is known.</summary>
    private static bool IsLastStep(long index, Axis axis) => index == -1 || axis.Size > 0 && index == axis.Size - 1;

    private void GatherNode()
    {
        var v = In(0);
        var indexTensor = Const(1, "index");
        long[] index = indexTensor.Ints ?? throw Unsupported("its index is not an integer tensor");
        if (v is StatesValue states)
        {
            if (Int("axis", 0) != 0 || indexTensor.Dims.Length != 0)
                throw Unsupported("it gathers final states other than one by index");
            long i = index[0] < 0 ? index[0] + states.Entries.Length : index[0];
            if (i < 0 || i >= states.Entries.Length) throw Unsupported($"index {index[0]} is out of range");
            Out(new StatesValue([states.Entries[i]]));
            return;
        }
        var x = Data(0);
        int axis = AxisIndex(Int("axis", 0), x.Axes.Length);
        if (Norm(x.Axes[axis].Role) != Role.Time || indexTensor.Dims.Length != 0 || !IsLastStep(index[0], x.Axes[axis]))
            throw Unsupported($"it gathers index {string.Join(",", index)} of the {Norm(x.Axes[axis].Role)} axis; " +
                              "only the last step of the time axis is supported");
        SelectLastStep();
        Out(NewSeq([.. x.Axes[..axis], .. x.Axes[(axis + 1)..]]));
    }

    private void SliceNode()
    {
        var x = Data(0);
        long[] starts = Ints(1, "starts"), ends = Ints(2, "ends");
        long[] axes = Has(3) ? Ints(3, "axes") : [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)];
        long[] steps = Has(4) ? Ints(4, "steps") : [.. starts.Select(_ => 1L)];
        if (starts.Length != 1 || ends.Length != 1 || axes.Length != 1 || steps.Length != 1)
            throw Unsupported("only a slice along one axis is supported");
        int axis = AxisIndex(axes[0], x.Axes.Length);
        var a = x.Axes[axis];
        bool toEnd = ends[0] >= int.MaxValue || a.Size > 0 && ends[0] >= a.Size;
        if (Norm(a.Role) != Role.Time || steps[0] != 1 || !toEnd || !IsLastStep(starts[0], a))
            throw Unsupported($"it slices [{starts[0]}:{ends[0]}:{steps[0]}] of the {Norm(a.Role)} axis; " +
                              "only the last step of the time axis is supported");
        SelectLastStep();
        var result = x.Axes.ToArray();
        result[axis] = a with { Size = 1, Last = true };
        Out(NewSeq(result));
    }

    private void ConcatNode()
    {
        int count = node.Inputs.Count;
        var inputs = Enumerable.Range(0, count).Select(In).ToArray();
        long axis = Int("axis", 0);
        if (inputs.All(v => v is StatesValue))
        {
            var entries = inputs.Cast<StatesValue>().SelectMany(s => s.Entries).ToArray();
            if (entries is [(int layer0, 0), (int layer1, 1)] && layer0 == layer1 && inputs.Length == 2
                && axis is 1 or -1)
            {
                // torch.cat((h_n[-2], h_n[-1]), dim=1): Keras Bidirectional(return_sequences=False), merge concat.
                var layer = layers[entries[0].Layer];
                FinishRecurrent(entries[0].Layer);
                Out(NewSeq([new(Role.Batch, -1), new(Role.Feat, 2L * layer.Units)]));
                return;
            }
            if (axis == 0) { Out(new StatesValue(entries)); return; }
        }
        throw Unsupported("only the concatenation of final states (h_n) is supported");
    }

    // ---- layers -------------------------------------------------------------------------------------------------

    private string UniqueName(string stem)
    {
        string name = stem;
        for (int i = 1; !names.Add(name); i++) name = $"{stem}_{i}";
        return name;
    }

    /// <summary>The torch module of the node from its exporter name ("/rnn/LSTM_1" -> "rnn"), else
    /// <paramref name="fallback"/>.</summary>
    private string ModuleName(string fallback)
    {
        string n = node.Name.Trim('/');
        int slash = n.LastIndexOf('/');
        string module = slash > 0 ? n[..slash].Replace('/', '_').Replace('.', '_') : "";
        return module.Length > 0 ? module : fallback;
    }

    private void Recurrent(bool lstm)
    {
        string op = lstm ? "LSTM" : "GRU";
        int gates = lstm ? 4 : 3;
        var x = Data(0);
        var roles = x.Axes.Select(a => Norm(a.Role)).ToArray();
        bool inputAxes = x.Axes.Length == 3 && x.Axes[2].Role == Role.Feat
                         && (x.Axes[0].Role, x.Axes[1].Role) is (Role.In0, Role.In1) or (Role.In1, Role.In0)
                         && inTime is null;
        if (!inputAxes && roles is not [Role.Time, Role.Batch, Role.Feat])
            throw Unsupported($"its input has axes ({string.Join(", ", roles)}); (time, batch, features) expected");
        if (inputAxes) inTime = x.Axes[0].Role;
        if (Int("layout", 0) != 0) throw Unsupported("layout = 1 (batch-major) is not supported");
        if (Attr("clip") is not null) throw Unsupported("clip is not supported");
        if (Attr("activation_alpha") is not null || Attr("activation_beta") is not null)
            throw Unsupported("activation_alpha/beta are not supported");
        if (lstm && Int("input_forget", 0) != 0) throw Unsupported("input_forget is not supported");
        string direction = Attr("direction")?.S ?? "forward";
        int dirs = direction switch
        {
            "forward" => 1,
            "bidirectional" => 2,
            _ => throw Unsupported($"direction '{direction}' is not supported (a reverse-only layer is Keras' " +
                                   "go_backwards alone)"),
        };
        if (Has(4)) throw Unsupported("sequence_lens is not supported");
        for (int i = 5; i <= (lstm ? 6 : 5); i++)
            if (!IsZero(i))
                throw Unsupported($"initial {(i == 5 ? "h" : "c")} is not zero (the model is called with h0)");
        if (lstm && Has(7) && !IsZero(7)) throw Unsupported("peepholes are not supported");

        var w = Const(1, "W");
        var r = Const(2, "R");
        long h = Int("hidden_size", r.Dims.Length == 3 ? r.Dims[2] : -1);
        long f = x.Axes[2].Size > 0 ? x.Axes[2].Size : (w.Dims.Length == 3 ? w.Dims[2] : -1);
        if (h <= 0 || h > 1 << 20) throw Unsupported($"hidden_size {h} is not valid");
        int H = (int)h;
        CheckShape(w, "W", dirs, gates * h, f);
        CheckShape(r, "R", dirs, gates * h, h);
        var wData = w.Floats ?? throw Unsupported("W is not float32");
        var rData = r.Floats ?? throw Unsupported("R is not float32");
        float[] bData = new float[dirs * 2 * gates * H];
        if (Has(3))
        {
            var b = Const(3, "B");
            CheckShape(b, "B", dirs, 2 * gates * h);
            bData = b.Floats ?? throw Unsupported("B is not float32");
        }
        foreach (var data in new[] { wData, rData, bData })
            if (data.Any(v => !float.IsFinite(v))) throw Unsupported("a weight is NaN or infinite");

        string[] defaults = lstm ? ["Sigmoid", "Tanh", "Tanh"] : ["Sigmoid", "Tanh"];
        var acts = Attr("activations")?.Strings ?? [.. Enumerable.Range(0, dirs).SelectMany(_ => defaults)];
        if (acts.Count != defaults.Length * dirs) throw Unsupported($"it lists {acts.Count} activations");
        for (int d = 1; d < dirs; d++)
            if (!acts.Take(defaults.Length).SequenceEqual(acts.Skip(d * defaults.Length).Take(defaults.Length)))
                throw Unsupported("its two directions use different activations");
        if (lstm && acts[1] != acts[2])
            throw Unsupported($"its cell ({acts[1]}) and output ({acts[2]}) activations differ");
        bool resetAfter = !lstm && Int("linear_before_reset", 0) != 0;

        string stem = ModuleName(lstm ? "lstm" : "gru");
        int index = layers.Count(l => l.Recurrent && l.Name.StartsWith(stem + "_l", StringComparison.Ordinal));
        string name = UniqueName($"{stem}_l{index}");
        JsonObject Cell(string cellName) => new()
        {
            ["name"] = cellName,
            ["units"] = H,
            ["activation"] = KerasActivation(acts[1]),
            ["recurrent_activation"] = KerasActivation(acts[0]),
            ["use_bias"] = true,
            ["return_sequences"] = true,
            ["return_state"] = false,
            ["go_backwards"] = false,
            ["stateful"] = false,
        };
        LayerBuilder layer;
        if (dirs == 1)
        {
            var config = Cell(name);
            if (!lstm) config["reset_after"] = resetAfter;
            layer = new LayerBuilder(op, name, config);
            layer.Weights.AddRange(CellWeights("", lstm, resetAfter, 0, (int)f, H, wData, rData, bData));
        }
        else
        {
            var forward = Cell("forward_" + name);
            var backward = Cell("backward_" + name);
            backward["go_backwards"] = true;
            if (!lstm)
            {
                forward["reset_after"] = resetAfter;
                backward["reset_after"] = resetAfter;
            }
            var config = new JsonObject
            {
                ["name"] = name,
                ["merge_mode"] = "concat",
                ["layer"] = new JsonObject { ["class_name"] = op, ["config"] = forward },
                ["backward_layer"] = new JsonObject { ["class_name"] = op, ["config"] = backward },
            };
            layer = new LayerBuilder("Bidirectional", name, config);
            layer.Weights.AddRange(CellWeights("forward_layer/", lstm, resetAfter, 0, (int)f, H, wData, rData, bData));
            layer.Weights.AddRange(CellWeights("backward_layer/", lstm, resetAfter, 1, (int)f, H, wData, rData, bData));
        }
        layer.Directions = dirs;
        layer.Units = H;
        layers.Add(layer);
        int layerIndex = layers.Count - 1;
        var t = x.Axes[0] with { Role = Role.Time };
        Out(NewSeq([t, new(Role.Dir, dirs), x.Axes[1] with { Role = Role.Batch }, new(Role.Feat, h)]), 0);
        Out(new StatesValue([.. Enumerable.Range(0, dirs).Select(d => (layerIndex, d))]), 1);
        Out(new CellStatesValue(), 2);
    }

    private void CheckShape(OnnxTensor t, string what, params long[] dims)
    {
        if (!t.Dims.SequenceEqual(dims))
            throw Unsupported($"{what} has shape ({string.Join(", ", t.Dims)}), " +
                              $"expected ({string.Join(", ", dims.Select(D))})");
    }

    private string KerasActivation(string onnx) => onnx switch
    {
        "Sigmoid" => "sigmoid",
        "Tanh" => "tanh",
        "Relu" => "relu",
        _ => throw Unsupported($"activation {onnx} is not supported (Sigmoid, Tanh, Relu)"),
    };

    /// <summary>The ONNX gate block of Keras gate <paramref name="k"/>: LSTM Keras i, f, c, o from ONNX i, o, f, c;
    /// GRU Keras z, r, h from ONNX z, r, h.</summary>
    private static int OnnxGate(bool lstm, int k) => lstm ? k switch { 0 => 0, 1 => 2, 2 => 3, _ => 1 } : k;

    /// <summary>One direction's kernel (F, G H), recurrent_kernel (H, G H) and bias in Keras' layout and gate order
    /// from ONNX W (D, G H, F), R (D, G H, H) and B (D, 2 G H) = [Wb, Rb]. LSTM and GRU with reset_after = False: bias
    /// (G H) = Wb + Rb; GRU with reset_after (ONNX linear_before_reset = 1): bias (2, 3H) = [Wb; Rb].</summary>
    internal static IEnumerable<ImportedTensor> CellWeights(string prefix, bool lstm, bool resetAfter, int d, int f,
                                                            int h, float[] w, float[] r, float[] b)
    {
        int g = lstm ? 4 : 3, gh = g * h;
        var kernel = new float[f * gh];
        var recurrent = new float[h * gh];
        var bias = new float[resetAfter ? 2 * gh : gh];
        for (int k = 0; k < g; k++)
        {
            int og = OnnxGate(lstm, k);
            for (int j = 0; j < h; j++)
            {
                int row = d * gh + og * h + j;                 // row of W[d] / R[d]
                for (int i = 0; i < f; i++) kernel[i * gh + k * h + j] = w[row * f + i];
                for (int i = 0; i < h; i++) recurrent[i * gh + k * h + j] = r[row * h + i];
                float wb = b[d * 2 * gh + og * h + j], rb = b[d * 2 * gh + gh + og * h + j];
                if (resetAfter) { bias[k * h + j] = wb; bias[gh + k * h + j] = rb; }
                else bias[k * h + j] = wb + rb;
            }
        }
        yield return new ImportedTensor(prefix + "kernel", [f, gh], kernel);
        yield return new ImportedTensor(prefix + "recurrent_kernel", [h, gh], recurrent);
        yield return new ImportedTensor(prefix + "bias", resetAfter ? [2, gh] : [gh], bias);
    }

    /// <summary>A single final state h_n[k] as the data path: the last recurrent layer's forward state when that
    /// layer is unidirectional (Keras return_sequences = False).</summary>
    private SeqValue FinalState((int Layer, int Dir) entry)
    {
        var layer = layers[entry.Layer];
        if (layer.Directions != 1)
            throw Unsupported("it uses one direction's final state of a bidirectional layer; " +
                              "torch.cat((h_n[-2], h_n[-1]), 1) is the supported form");
        FinishRecurrent(entry.Layer);
        return NewSeq([new(Role.Batch, -1), new(Role.Feat, layer.Units)]);
    }

    /// <summary>Makes <paramref name="index"/> the last recurrent layer and ends its sequence (return_sequences =
    /// False): no layer may follow it yet.</summary>
    private void FinishRecurrent(int index)
    {
        if (index != layers.Count - 1)
            throw Unsupported($"it uses the final state of layer '{layers[index].Name}', which is not the last layer");
        SetReturnSequences(layers[index], false);
    }

    private static void SetReturnSequences(LayerBuilder layer, bool value)
    {
        if (layer.ClassName == "Bidirectional")
        {
            layer.Config["layer"]!["config"]!["return_sequences"] = value;
            layer.Config["backward_layer"]!["config"]!["return_sequences"] = value;
        }
        else layer.Config["return_sequences"] = value;
    }

    /// <summary>torch's <c>out[:, -1]</c>: the last recurrent layer stops returning sequences (the Dense layers after
    /// it act step by step, so they commute with the selection). A bidirectional layer's last step holds the forward
    /// direction after T steps but the backward direction after one, which is not Keras' return_sequences = False:
    /// the layer keeps returning sequences and a <c>LastStep</c> layer (not a Keras class) takes the step.</summary>
    private void SelectLastStep()
    {
        int last = layers.FindLastIndex(l => l.Recurrent);
        if (last < 0) throw Unsupported("it selects the last input step before any recurrent layer");
        if (layers.Skip(last + 1).Any(l => l.ClassName != "Dense"))
            throw Unsupported("it selects the last step after a layer that is not step by step");
        if (layers[last].Directions == 1) SetReturnSequences(layers[last], false);
        else
        {
            string name = UniqueName("last_step");
            layers.Add(new LayerBuilder("LastStep", name, new JsonObject { ["name"] = name }));
        }
    }

    private void AddDense(SeqValue x, float[] kernel, int inputs, int units, float[]? bias, bool needsBias)
    {
        if (x.Axes.Length == 0 || Norm(x.Axes[^1].Role) != Role.Feat || x.Axes.Any(a => a.Role == Role.Dir))
            throw Unsupported("it is not applied to the features of a sequence or of a last step");
        if (x.Axes[^1].Size > 0 && x.Axes[^1].Size != inputs)
            throw Unsupported($"its weight has {inputs} inputs but the features are {x.Axes[^1].Size}");
        if (inTime is null) throw Unsupported("a Linear layer before the first recurrent layer is not supported");
        if (kernel.Any(v => !float.IsFinite(v)) || bias is not null && bias.Any(v => !float.IsFinite(v)))
            throw Unsupported("a weight is NaN or infinite");
        var layer = new LayerBuilder("Dense", UniqueName(ModuleName("dense")), new JsonObject())
        {
            Units = units,
        };
        layer.Config["name"] = layer.Name;
        layer.Config["units"] = units;
        layer.Config["activation"] = "linear";
        layer.Config["use_bias"] = true;
        layer.Weights.Add(new ImportedTensor("kernel", [inputs, units], kernel));
        layer.Weights.Add(new ImportedTensor("bias", [units], bias ?? new float[units]));
        layers.Add(layer);
        Out(NewSeq([.. x.Axes[..^1], new(Role.Feat, units)], layers.Count - 1, needsBias));
    }

    private void Gemm()
    {
        var x = Data(0);
        if (x.Axes.Length != 2) throw Unsupported("Gemm on a tensor that is not 2-D");
        if (Int("transA", 0) != 0) throw Unsupported("transA is not supported");
        var bt = Const(1, "weight");
        float[] b = bt.Floats ?? throw Unsupported("its weight is not float32");
        if (bt.Dims.Length != 2) throw Unsupported("its weight is not 2-D");
        bool transB = Int("transB", 0) != 0;
        int inputs = (int)(transB ? bt.Dims[1] : bt.Dims[0]), units = (int)(transB ? bt.Dims[0] : bt.Dims[1]);
        float alpha = Attr("alpha")?.F ?? 1f, beta = Attr("beta")?.F ?? 1f;
        var kernel = new float[inputs * units];
        for (int i = 0; i < inputs; i++)
            for (int j = 0; j < units; j++)
                kernel[i * units + j] = alpha * (transB ? b[j * inputs + i] : b[i * units + j]);
        float[]? bias = null;
        if (Has(2))
        {
            bias = BiasVector(Const(2, "bias"), units);
            for (int j = 0; j < units; j++) bias[j] *= beta;
        }
        AddDense(x, kernel, inputs, units, bias, needsBias: false);
    }

    private float[] BiasVector(OnnxTensor c, int units)
    {
        var data = c.Floats ?? throw Unsupported("its bias is not float32");
        if (c.Dims.Count(d => d != 1) > 1 || (c.Dims.Length > 0 && c.Dims[^1] != units) && data.Length != 1)
            throw Unsupported($"its bias has shape ({string.Join(", ", c.Dims)}), not ({units})");
        return data.Length == units ? (float[])data.Clone() : [.. Enumerable.Repeat(data[0], units)];
    }

    private void MatMul()
    {
        var x = Data(0);
        var bt = Const(1, "weight");
        float[] b = bt.Floats ?? throw Unsupported("its weight is not float32");
        if (bt.Dims.Length != 2) throw Unsupported("its weight is not 2-D");
        AddDense(x, (float[])b.Clone(), (int)bt.Dims[0], (int)bt.Dims[1], null, needsBias: true);
    }

    private void AddBias()
    {
        int data = In(0) is SeqValue or StatesValue ? 0 : 1;
        var x = Data(data);
        if (!x.NeedsBias) throw Unsupported("an Add that is not the bias of a MatMul is not supported");
        var layer = layers[x.Dense];
        var bias = BiasVector(Const(1 - data, "bias"), layer.Units);
        if (bias.Any(v => !float.IsFinite(v))) throw Unsupported("a weight is NaN or infinite");
        layer.Weights[1] = layer.Weights[1] with { Data = bias };
        Out(NewSeq(x.Axes, x.Dense));
    }

    private void ActivationNode()
    {
        var x = Data(0);
        if (x.Dense < 0 || (string?)layers[x.Dense].Config["activation"] != "linear")
            throw Unsupported($"{node.OpType} is supported only right after a Linear layer");
        if (node.OpType == "Softmax")
        {
            int rank = x.Axes.Length;
            int axis = AxisIndex(Int("axis", model.Opset >= 13 ? -1 : 1), rank);
            // Before opset 13 Softmax normalises over every axis from axis on: the features alone when it is the last.
            if (axis != rank - 1) throw Unsupported("Softmax over an axis other than the features");
        }
        layers[x.Dense].Config["activation"] = node.OpType.ToLowerInvariant();
        Out(NewSeq(x.Axes));
    }
}
