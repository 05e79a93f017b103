using System.Security.Cryptography;
using Engine.Models;

namespace Engine.Import;

/// <summary>
/// Reads a recurrent network exported by <c>torch.onnx.export</c> (nn.LSTM / nn.GRU, 1 or more layers, uni- or
/// bidirectional, batch_first either way, with nn.Linear layers and their activations after it) into the neutral
/// <see cref="ImportedModel"/> form: Keras layer classes, configs, layouts and gate orders.
/// </summary>
/// <remarks>
/// The graph is interpreted, not executed: every value is classified as a constant, a zero tensor (the exporter's
/// initial states), shape arithmetic, the data path (a tensor whose axes are tracked by role: time, batch, direction,
/// features) or the stacked final states of a recurrent op, and each op on the data path must map onto a Keras layer
/// or onto plumbing with no effect on the numbers (Transpose, Squeeze of the direction axis, the Reshape that
/// concatenates the two directions, the selection of the last step, Identity, Dropout). Anything else is refused
/// with one line naming the node and the op. Gate orders: ONNX LSTM i, o, f, c and GRU z, r, h (torch's i, f, g, o
/// and r, z, n, which the exporter reorders) become Keras' i, f, c, o and z, r, h; see docs/IMPORT.md.
/// </remarks>
internal static class OnnxReader
{
    /// <summary>The largest ONNX file read (protobuf itself caps a message at 2 GiB).</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>The ops the reader interprets (the error for any other op lists them).</summary>
    public const string SupportedOps =
        "LSTM, GRU, Gemm, MatMul, Add, Relu, Tanh, Sigmoid, Softmax, Transpose, Squeeze, Unsqueeze, Reshape, " +
        "Flatten, Slice, Gather, Concat, Shape, Constant, ConstantOfShape, Expand, Identity, Dropout, Cast";

    /// <summary>Whether <paramref name="head"/> (the first bytes of a file, 64 or more when the file has them) starts
    /// like a serialized ONNX ModelProto: known top-level fields with their wire types, the first one ir_version
    /// between 1 and 100.</summary>
    public static bool LooksLikeOnnx(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty) return false;
        int p = 0;
        for (int field = 0; field < 4 && p < head.Length; field++)
        {
            if (!TryVarint(head, ref p, out ulong tag)) return field > 0;
            int number = (int)(tag >> 3), wire = (int)(tag & 7);
            if (field == 0 && number != 1) return false;
            bool known = number switch
            {
                1 or 5 => wire == 0,                                   // ir_version, model_version
                2 or 3 or 4 or 6 or 7 or 8 or 14 or 20 or 25 => wire == 2,
                _ => false,
            };
            if (!known) return false;
            if (wire == 0)
            {
                if (!TryVarint(head, ref p, out ulong v)) return field > 0;
                if (number == 1 && v is < 1 or > 100) return false;
            }
            else
            {
                if (!TryVarint(head, ref p, out ulong length)) return true;
                if (number == 7) return true;                          // the graph: the rest is one message
                if (length > (ulong)(head.Length - p)) return true;
                p += (int)length;
            }
        }
        return true;
    }

    private static bool TryVarint(ReadOnlySpan<byte> s, ref int p, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && p < s.Length; shift += 7)
        {
            byte b = s[p++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }

    /// <summary>Reads the ONNX file at <paramref name="path"/>. Throws <see cref="ModelFormatException"/> (one line
    /// naming the file and the problem) for a malformed file or a graph this reader does not map.</summary>
    public static ImportedModel Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new ModelFormatException(path, "the file does not exist");
        if (info.Length > MaxFileBytes)
            throw new ModelFormatException(path, $"the file is {info.Length} bytes; the limit is {MaxFileBytes}");
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads an ONNX model from <paramref name="bytes"/>; <paramref name="path"/> names it in errors and in
    /// <see cref="ImportedModel.SourceName"/> (its file name).</summary>
    public static ImportedModel Read(byte[] bytes, string path)
    {
        var model = OnnxProto.ReadModel(bytes, path);
        if (model.Graph is null) throw new ModelFormatException(path, "not an ONNX model: it has no graph");
        var (steps, features, layers) = new OnnxGraphReader(model, path).Run();
        string version = (model.ProducerName + " " + model.ProducerVersion).Trim();
        return new ImportedModel("onnx", version.Length == 0 ? null : version, steps, features, layers,
                                 Path.GetFileName(path), Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }
}
