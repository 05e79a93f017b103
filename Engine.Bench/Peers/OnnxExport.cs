using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using Google.Protobuf;

namespace Engine.Bench.Peers;

/// <summary>
/// Writes a <see cref="Sequential"/> of unidirectional LSTM layers (tanh, sigmoid gates, every step returned) and a
/// Dense head on every step as an ONNX model (opset 14), so that ONNX Runtime runs the
/// same network on the same weights: the inference peer of W3 and W7. Input <c>x</c> (batch, steps, features),
/// output <c>y</c> (batch, steps, units), batch and steps dynamic. ONNX Runtime's CPU LSTM takes only the time-major
/// layout 0, so the graph transposes the input to (steps, batch, features) before the first LSTM and back before
/// the head, as a batch-first torch model exported to ONNX does.
/// </summary>
/// <remarks>
/// The messages of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto) written by hand with Google.Protobuf's
/// <see cref="CodedOutputStream"/>, field numbers as there. Gate blocks go from Keras' i, f, c, o to ONNX's i, o, f, c;
/// W (1, 4H, F) and R (1, 4H, H) are the transposed kernels; B (1, 8H) = [bias, 0]. A model outside this shape is
/// refused with <see cref="NotSupportedException"/>.
/// </remarks>
internal static class OnnxExport
{
    private const int Float = 1, Int64 = 7;                        // TensorProto.DataType
    private const int AttrInt = 2, AttrString = 3, AttrInts = 7, AttrStrings = 8; // AttributeProto.AttributeType

    /// <summary>The ONNX bytes of <paramref name="model"/>.</summary>
    public static byte[] Write(Sequential model)
    {
        var nodes = new List<byte[]>();
        var initializers = new List<byte[]>();
        string current = "x";
        int width = model.InputFeatures;
        bool timeMajor = false;
        void Transpose(string name)
        {
            nodes.Add(Node("Transpose", [current], [name], Attribute("perm", [1L, 0L, 2L])));
            current = name;
            timeMajor = !timeMajor;
        }
        for (int k = 0; k < model.Layers.Count; k++)
        {
            switch (model.Layers[k])
            {
                case Lstm l when l.ReturnSequences && l.Activation == Activation.Tanh
                                 && l.RecurrentActivation == Activation.Sigmoid:
                    {
                        int h = l.Units;
                        var (w, r, b) = OnnxWeights(model.Tensor(k, "kernel"), model.Tensor(k, "recurrent_kernel"),
                                                    model.Tensor(k, "bias"), width, h);
                        string p = $"lstm{k}_";
                        if (!timeMajor) Transpose(p + "x");
                        initializers.Add(Tensor(p + "W", [1, 4 * h, width], w));
                        initializers.Add(Tensor(p + "R", [1, 4 * h, h], r));
                        initializers.Add(Tensor(p + "B", [1, 8 * h], b));
                        nodes.Add(Node("LSTM", [current, p + "W", p + "R", p + "B"], [p + "Y"],
                                       Attribute("hidden_size", h),
                                       Attribute("activations", ["Sigmoid", "Tanh", "Tanh"])));
                        // Y (steps, 1, batch, H) -> (steps, batch, H).
                        initializers.Add(Int64Tensor(p + "axes", [1]));
                        nodes.Add(Node("Squeeze", [p + "Y", p + "axes"], [p + "out"]));
                        current = p + "out";
                        width = h;
                        break;
                    }
                case Dense d when d.Activation is Activation.Sigmoid or Activation.Linear:
                    {
                        string p = $"dense{k}_";
                        if (timeMajor) Transpose(p + "x");
                        initializers.Add(Tensor(p + "W", [width, d.Units], model.Tensor(k, "kernel").ToArray()));
                        initializers.Add(Tensor(p + "b", [d.Units], model.Tensor(k, "bias").ToArray()));
                        nodes.Add(Node("MatMul", [current, p + "W"], [p + "xw"]));
                        bool last = k == model.Layers.Count - 1;
                        string sum = d.Activation == Activation.Sigmoid || !last ? p + "z" : "y";
                        nodes.Add(Node("Add", [p + "xw", p + "b"], [sum]));
                        if (d.Activation == Activation.Sigmoid)
                            nodes.Add(Node("Sigmoid", [sum], [last ? "y" : p + "out"]));
                        current = last ? "y" : d.Activation == Activation.Sigmoid ? p + "out" : sum;
                        width = d.Units;
                        break;
                    }
                default:
                    throw new NotSupportedException(
                        $"layer {k} ({model.Layers[k].TypeName}): the ONNX peer writes LSTM (tanh/sigmoid, every " +
                        "step) and Dense (sigmoid or linear) layers only");
            }
        }
        if (current != "y" || !model.OutputsSequence)
            throw new NotSupportedException("the ONNX peer needs a Dense head on every step as the last layer");

        var graph = Message(g =>
        {
            foreach (var n in nodes) Field(g, 1, n);
            String(g, 2, "engine_peer");
            foreach (var t in initializers) Field(g, 5, t);
            Field(g, 11, ValueInfo("x", ["batch", "steps", null], [0, 0, model.InputFeatures]));
            Field(g, 12, ValueInfo("y", ["batch", "steps", null], [0, 0, width]));
        });
        return Message(m =>
        {
            m.WriteTag(1, WireFormat.WireType.Varint); m.WriteInt64(8);  // ir_version 8 (opset 14 needs >= 7)
            String(m, 2, "Engine.Bench");                                   // producer_name
            Field(m, 7, graph);
            Field(m, 8, Message(o => { o.WriteTag(2, WireFormat.WireType.Varint); o.WriteInt64(14); }));
        });
    }

    /// <summary>ONNX W (4H, F), R (4H, H) and B (8H) in gate order i, o, f, c from Keras kernel (F, 4H),
    /// recurrent_kernel (H, 4H) and bias (4H) in i, f, c, o.</summary>
    internal static (float[] W, float[] R, float[] B) OnnxWeights(ReadOnlySpan<float> kernel,
                                                                  ReadOnlySpan<float> recurrent,
                                                                  ReadOnlySpan<float> bias, int f, int h)
    {
        int gh = 4 * h;
        var w = new float[gh * f];
        var r = new float[gh * h];
        var b = new float[2 * gh];
        ReadOnlySpan<int> kerasOf = [0, 3, 1, 2];   // ONNX blocks i, o, f, c are Keras blocks 0, 3, 1, 2
        for (int og = 0; og < 4; og++)
        {
            int kg = kerasOf[og];
            for (int j = 0; j < h; j++)
            {
                int row = og * h + j, col = kg * h + j;
                for (int i = 0; i < f; i++) w[row * f + i] = kernel[i * gh + col];
                for (int i = 0; i < h; i++) r[row * h + i] = recurrent[i * gh + col];
                b[row] = bias[col];
            }
        }
        return (w, r, b);
    }

    private static byte[] Node(string op, string[] inputs, string[] outputs, params byte[][] attributes) =>
        Message(n =>
        {
            foreach (var i in inputs) String(n, 1, i);
            foreach (var o in outputs) String(n, 2, o);
            String(n, 4, op);
            foreach (var a in attributes) Field(n, 5, a);
        });

    private static byte[] Attribute(string name, long value) => Message(a =>
    {
        String(a, 1, name);
        a.WriteTag(3, WireFormat.WireType.Varint); a.WriteInt64(value);
        a.WriteTag(20, WireFormat.WireType.Varint); a.WriteInt32(AttrInt);
    });

    private static byte[] Attribute(string name, long[] values) => Message(a =>
    {
        String(a, 1, name);
        foreach (long v in values) { a.WriteTag(8, WireFormat.WireType.Varint); a.WriteInt64(v); }
        a.WriteTag(20, WireFormat.WireType.Varint); a.WriteInt32(AttrInts);
    });

    private static byte[] Attribute(string name, string[] values) => Message(a =>
    {
        String(a, 1, name);
        foreach (var v in values) String(a, 9, v);
        a.WriteTag(20, WireFormat.WireType.Varint); a.WriteInt32(values.Length == 1 ? AttrString : AttrStrings);
    });

    private static byte[] Tensor(string name, long[] dims, float[] values) => Message(t =>
    {
        foreach (long d in dims) { t.WriteTag(1, WireFormat.WireType.Varint); t.WriteInt64(d); }
        t.WriteTag(2, WireFormat.WireType.Varint); t.WriteInt32(Float);
        String(t, 8, name);
        var raw = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);   // raw_data is little-endian, as this machine
        t.WriteTag(9, WireFormat.WireType.LengthDelimited); t.WriteBytes(ByteString.CopyFrom(raw));
    });

    private static byte[] Int64Tensor(string name, long[] values) => Message(t =>
    {
        t.WriteTag(1, WireFormat.WireType.Varint); t.WriteInt64(values.Length);
        t.WriteTag(2, WireFormat.WireType.Varint); t.WriteInt32(Int64);
        foreach (long v in values) { t.WriteTag(7, WireFormat.WireType.Varint); t.WriteInt64(v); }
        String(t, 8, name);
    });

    /// <summary>A ValueInfoProto of a FLOAT tensor: a named dimension where <paramref name="names"/> has a name,
    /// else the fixed size.</summary>
    private static byte[] ValueInfo(string name, string?[] names, long[] sizes) => Message(v =>
    {
        String(v, 1, name);
        var shape = Message(s =>
        {
            for (int i = 0; i < sizes.Length; i++)
                Field(s, 1, Message(d =>
                {
                    if (names[i] is { } n) String(d, 2, n);
                    else { d.WriteTag(1, WireFormat.WireType.Varint); d.WriteInt64(sizes[i]); }
                }));
        });
        var tensorType = Message(t =>
        {
            t.WriteTag(1, WireFormat.WireType.Varint); t.WriteInt32(Float);
            Field(t, 2, shape);
        });
        Field(v, 2, Message(t => Field(t, 1, tensorType)));
    });

    private static void String(CodedOutputStream s, int field, string value)
    {
        s.WriteTag(field, WireFormat.WireType.LengthDelimited);
        s.WriteString(value);
    }

    private static void Field(CodedOutputStream s, int field, byte[] message)
    {
        s.WriteTag(field, WireFormat.WireType.LengthDelimited);
        s.WriteBytes(ByteString.CopyFrom(message));
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var s = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(s);
            s.Flush();
        }
        return buffer.ToArray();
    }
}
