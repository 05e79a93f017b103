using System.Runtime.InteropServices;
using System.Text;
using Engine.Models;
using Google.Protobuf;

namespace Engine.Import;

// The few messages of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto, IR version 3-10) that the ONNX reader needs,
// read by hand with Google.Protobuf's CodedInputStream instead of a generated onnx.proto class (~12 000 lines, with
// reflection descriptors the trim analyzers object to). Unknown fields are skipped; nested messages are parsed from
// their own length-delimited bytes, so nothing recurses deeper than ModelProto > GraphProto > NodeProto >
// AttributeProto > TensorProto, and subgraphs (If/Loop bodies) are skipped, never parsed.

/// <summary>An ONNX <c>TensorProto</c>: name, dims and data. <see cref="Floats"/> is set for FLOAT (1) tensors,
/// <see cref="Ints"/> for INT64 (7) and INT32 (6) ones; other types keep only their type number.</summary>
internal sealed record OnnxTensor(string Name, long[] Dims, int DataType, float[]? Floats, long[]? Ints)
{
    public const int Float = 1, Int32 = 6, Int64 = 7;

    /// <summary>The element count, the product of <see cref="Dims"/> (a scalar has one element).</summary>
    public long Count
    {
        get
        {
            long n = 1;
            foreach (long d in Dims) n *= d;
            return n;
        }
    }
}

/// <summary>An ONNX <c>AttributeProto</c> (the fields of the kinds torch emits: f, i, s, t, floats, ints).</summary>
internal sealed class OnnxAttribute
{
    public string Name = "";
    public float F;
    public long I;
    public string S = "";
    public OnnxTensor? T;
    public List<float> Floats = [];
    public List<long> Ints = [];
    public List<string> Strings = [];
}

/// <summary>An ONNX <c>NodeProto</c>.</summary>
internal sealed class OnnxNode
{
    public List<string> Inputs = [];
    public List<string> Outputs = [];
    public string Name = "", OpType = "", Domain = "";
    public Dictionary<string, OnnxAttribute> Attributes = new(StringComparer.Ordinal);
}

/// <summary>An ONNX <c>ValueInfoProto</c> of a tensor: name, element type and dims (a dim is its value, or -1 when it
/// is symbolic or unknown); <see cref="Dims"/> is null when no shape is declared.</summary>
internal sealed record OnnxValueInfo(string Name, int ElemType, long[]? Dims);

/// <summary>An ONNX <c>GraphProto</c>.</summary>
internal sealed class OnnxGraph
{
    public List<OnnxNode> Nodes = [];
    public List<OnnxTensor> Initializers = [];
    public List<OnnxValueInfo> Inputs = [], Outputs = [];
}

/// <summary>An ONNX <c>ModelProto</c>: the IR version, the producer, the default-domain opset and the graph.</summary>
internal sealed class OnnxModelProto
{
    public long IrVersion;
    public string ProducerName = "", ProducerVersion = "";
    public long Opset;
    public OnnxGraph? Graph;
}

/// <summary>Reads <see cref="OnnxModelProto"/> from bytes. Caps: 100 000 nodes, 10 000 initializers, 16 dims a
/// tensor; a tensor's element count must match the bytes it actually holds (so no allocation is sized by a declared
/// dimension), external data is refused. Malformed input throws <see cref="ModelFormatException"/>.</summary>
internal sealed class OnnxProto(string path)
{
    public const int MaxNodes = 100_000, MaxTensors = 10_000, MaxDims = 16;

    // Wire types.
    private const int Varint = 0, Ld = 2, Fixed32 = 5;

    public static OnnxModelProto ReadModel(byte[] bytes, string path)
    {
        try
        {
            return new OnnxProto(path).Model(new CodedInputStream(bytes));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelFormatException(path, $"not a valid ONNX protobuf file ({e.Message.TrimEnd('.')})");
        }
    }

    private ModelFormatException Bad(string problem) => new(path, problem);

    private static CodedInputStream Sub(CodedInputStream input) => input.ReadBytes().CreateCodedInput();

    private void Expect(uint tag, int wireType, string what)
    {
        if (WireFormat.GetTagWireType(tag) != (WireFormat.WireType)wireType)
            throw Bad($"not a valid ONNX file: field {what} has the wrong wire type");
    }

    private OnnxModelProto Model(CodedInputStream input)
    {
        var m = new OnnxModelProto();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: Expect(tag, Varint, "ModelProto.ir_version"); m.IrVersion = input.ReadInt64(); break;
                case 2: Expect(tag, Ld, "ModelProto.producer_name"); m.ProducerName = input.ReadString(); break;
                case 3: Expect(tag, Ld, "ModelProto.producer_version"); m.ProducerVersion = input.ReadString(); break;
                case 7:
                    Expect(tag, Ld, "ModelProto.graph");
                    if (m.Graph is not null) throw Bad("the ONNX model has two graphs");
                    m.Graph = Graph(Sub(input));
                    break;
                case 8:
                    Expect(tag, Ld, "ModelProto.opset_import");
                    var (domain, version) = OpsetId(Sub(input));
                    if (domain is "" or "ai.onnx") m.Opset = version;
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return m;
    }

    private static (string Domain, long Version) OpsetId(CodedInputStream input)
    {
        string domain = "";
        long version = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    domain = input.ReadString(); break;
                case 2 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint:
                    version = input.ReadInt64(); break;
                default: input.SkipLastField(); break;
            }
        }
        return (domain, version);
    }

    private OnnxGraph Graph(CodedInputStream input)
    {
        var g = new OnnxGraph();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    Expect(tag, Ld, "GraphProto.node");
                    if (g.Nodes.Count == MaxNodes)
                        throw Bad($"the ONNX graph has more than {MaxNodes} nodes");
                    g.Nodes.Add(Node(Sub(input)));
                    break;
                case 5:
                    Expect(tag, Ld, "GraphProto.initializer");
                    if (g.Initializers.Count == MaxTensors)
                        throw Bad($"the ONNX graph has more than {MaxTensors} initializers");
                    g.Initializers.Add(Tensor(Sub(input)));
                    break;
                case 11: Expect(tag, Ld, "GraphProto.input"); g.Inputs.Add(ValueInfo(Sub(input))); break;
                case 12: Expect(tag, Ld, "GraphProto.output"); g.Outputs.Add(ValueInfo(Sub(input))); break;
                case 15:
                    throw Bad("the ONNX graph has sparse initializers, which are not supported");
                default: input.SkipLastField(); break;
            }
            if (g.Inputs.Count > MaxTensors || g.Outputs.Count > MaxTensors)
                throw Bad($"the ONNX graph has more than {MaxTensors} inputs or outputs");
        }
        return g;
    }

    private OnnxNode Node(CodedInputStream input)
    {
        var n = new OnnxNode();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: Expect(tag, Ld, "NodeProto.input"); n.Inputs.Add(input.ReadString()); break;
                case 2: Expect(tag, Ld, "NodeProto.output"); n.Outputs.Add(input.ReadString()); break;
                case 3: Expect(tag, Ld, "NodeProto.name"); n.Name = input.ReadString(); break;
                case 4: Expect(tag, Ld, "NodeProto.op_type"); n.OpType = input.ReadString(); break;
                case 7: Expect(tag, Ld, "NodeProto.domain"); n.Domain = input.ReadString(); break;
                case 5:
                    Expect(tag, Ld, "NodeProto.attribute");
                    var a = Attribute(Sub(input));
                    if (!n.Attributes.TryAdd(a.Name, a))
                        throw Bad($"node '{n.Name}' has two attributes named '{a.Name}'");
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return n;
    }

    private OnnxAttribute Attribute(CodedInputStream input)
    {
        var a = new OnnxAttribute();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int wire = (int)WireFormat.GetTagWireType(tag);
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: Expect(tag, Ld, "AttributeProto.name"); a.Name = input.ReadString(); break;
                case 2: Expect(tag, Fixed32, "AttributeProto.f"); a.F = input.ReadFloat(); break;
                case 3: Expect(tag, Varint, "AttributeProto.i"); a.I = input.ReadInt64(); break;
                case 4: Expect(tag, Ld, "AttributeProto.s"); a.S = Utf8(input.ReadBytes()); break;
                case 5: Expect(tag, Ld, "AttributeProto.t"); a.T = Tensor(Sub(input)); break;
                case 7 when wire == Ld: ReadPackedFloats(Sub(input), a.Floats); break;
                case 7: Expect(tag, Fixed32, "AttributeProto.floats"); a.Floats.Add(input.ReadFloat()); break;
                case 8 when wire == Ld: ReadPackedInts(Sub(input), a.Ints); break;
                case 8: Expect(tag, Varint, "AttributeProto.ints"); a.Ints.Add(input.ReadInt64()); break;
                case 9:
                    Expect(tag, Ld, "AttributeProto.strings");
                    a.Strings.Add(Utf8(input.ReadBytes()));
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return a;
    }

    private string Utf8(ByteString bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes.Span);
        }
        catch (DecoderFallbackException)
        {
            throw Bad("an ONNX string attribute is not valid UTF-8");
        }
    }

    private static void ReadPackedFloats(CodedInputStream input, List<float> into)
    {
        while (!input.IsAtEnd) into.Add(input.ReadFloat());
    }

    private static void ReadPackedInts(CodedInputStream input, List<long> into)
    {
        while (!input.IsAtEnd) into.Add(input.ReadInt64());
    }

    private OnnxValueInfo ValueInfo(CodedInputStream input)
    {
        string name = "";
        int elemType = 0;
        long[]? dims = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: Expect(tag, Ld, "ValueInfoProto.name"); name = input.ReadString(); break;
                case 2:
                    Expect(tag, Ld, "ValueInfoProto.type");
                    (elemType, dims) = TypeProto(Sub(input));
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return new OnnxValueInfo(name, elemType, dims);
    }

    // TypeProto { Tensor tensor_type = 1 { int32 elem_type = 1; TensorShapeProto shape = 2 { repeated Dimension dim
    // = 1 { int64 dim_value = 1; string dim_param = 2 } } } }; other kinds (sequence, map, ...) are skipped.
    private (int ElemType, long[]? Dims) TypeProto(CodedInputStream input)
    {
        int elemType = 0;
        long[]? dims = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 1) { input.SkipLastField(); continue; }
            Expect(tag, Ld, "TypeProto.tensor_type");
            var tensorType = Sub(input);
            uint t2;
            while ((t2 = tensorType.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(t2))
                {
                    case 1: Expect(t2, Varint, "TypeProto.Tensor.elem_type"); elemType = tensorType.ReadInt32(); break;
                    case 2: Expect(t2, Ld, "TypeProto.Tensor.shape"); dims = Shape(Sub(tensorType)); break;
                    default: tensorType.SkipLastField(); break;
                }
            }
        }
        return (elemType, dims);
    }

    private long[] Shape(CodedInputStream input)
    {
        var dims = new List<long>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 1) { input.SkipLastField(); continue; }
            Expect(tag, Ld, "TensorShapeProto.dim");
            if (dims.Count == MaxDims) throw Bad($"an ONNX shape has more than {MaxDims} dims");
            var dim = Sub(input);
            long value = -1;
            uint t2;
            while ((t2 = dim.ReadTag()) != 0)
            {
                if (t2 == WireFormat.MakeTag(1, WireFormat.WireType.Varint)) value = dim.ReadInt64();
                else dim.SkipLastField();
            }
            dims.Add(value >= 0 ? value : -1);
        }
        return [.. dims];
    }

    // TensorProto: dims = 1, data_type = 2, float_data = 4, int32_data = 5, int64_data = 7, name = 8, raw_data = 9,
    // external_data = 13, data_location = 14 (1 = EXTERNAL).
    private OnnxTensor Tensor(CodedInputStream input)
    {
        var dims = new List<long>();
        int dataType = 0;
        string name = "";
        ByteString? raw = null;
        var floats = new List<float>();
        var ints = new List<long>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int wire = (int)WireFormat.GetTagWireType(tag);
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when wire == Ld: ReadPackedInts(Sub(input), dims); break;
                case 1: Expect(tag, Varint, "TensorProto.dims"); dims.Add(input.ReadInt64()); break;
                case 2: Expect(tag, Varint, "TensorProto.data_type"); dataType = input.ReadInt32(); break;
                case 4 when wire == Ld: ReadPackedFloats(Sub(input), floats); break;
                case 4: Expect(tag, Fixed32, "TensorProto.float_data"); floats.Add(input.ReadFloat()); break;
                case 5 or 7 when wire == Ld: ReadPackedInts(Sub(input), ints); break;
                case 5 or 7: Expect(tag, Varint, "TensorProto.int_data"); ints.Add(input.ReadInt64()); break;
                case 8: Expect(tag, Ld, "TensorProto.name"); name = input.ReadString(); break;
                case 9: Expect(tag, Ld, "TensorProto.raw_data"); raw = input.ReadBytes(); break;
                case 13:
                    throw Bad("the ONNX model keeps tensor data in external files, which are not read");
                case 14:
                    Expect(tag, Varint, "TensorProto.data_location");
                    if (input.ReadInt32() != 0)
                        throw Bad("the ONNX model keeps tensor data in external files, which are not read");
                    break;
                default: input.SkipLastField(); break;
            }
            if (dims.Count > MaxDims) throw Bad($"an ONNX tensor has more than {MaxDims} dims");
        }
        string shown = name.Length == 0 ? "a constant" : $"tensor '{name}'";
        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0 || d > int.MaxValue) throw Bad($"{shown} has a dimension of {d}");
            count = d == 0 ? 0 : (count > int.MaxValue / d ? long.MaxValue : count * d);
        }
        int size = dataType switch { OnnxTensor.Float or OnnxTensor.Int32 => 4, OnnxTensor.Int64 => 8, _ => 0 };
        if (size == 0) return new OnnxTensor(name, [.. dims], dataType, null, null);
        long held = raw is not null ? raw.Length / size : dataType == OnnxTensor.Float ? floats.Count : ints.Count;
        if (raw is not null && raw.Length % size != 0 || held != count)
            throw Bad($"{shown} declares {(count == long.MaxValue ? "too many" : count)} elements " +
                                                 $"of shape ({string.Join(", ", dims)}) but holds {held}");
        if (dataType == OnnxTensor.Float)
        {
            float[] data = raw is not null ? MemoryMarshal.Cast<byte, float>(raw.Span).ToArray() : [.. floats];
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian machines");
            return new OnnxTensor(name, [.. dims], dataType, data, null);
        }
        long[] values;
        if (raw is null) values = [.. ints];
        else if (dataType == OnnxTensor.Int64) values = MemoryMarshal.Cast<byte, long>(raw.Span).ToArray();
        else
        {
            var int32 = MemoryMarshal.Cast<byte, int>(raw.Span);
            values = new long[int32.Length];
            for (int i = 0; i < values.Length; i++) values[i] = int32[i];
        }
        return new OnnxTensor(name, [.. dims], dataType, null, values);
    }
}
