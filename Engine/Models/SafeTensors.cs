using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace Engine.Models;

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian unsigned header size N, N bytes of UTF-8 JSON
/// <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {"k": "v"}}</c>
/// (padded with spaces to a multiple of 8), then the raw little-endian data; offsets are relative to the end of the
/// header, and the tensors tile the data exactly. This engine reads and writes F32 tensors only.
/// </summary>
internal static class SafeTensors
{
    /// <summary>Largest header accepted, as the reference implementation caps it (100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes tensors (in the given order) and metadata to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string,
                             string> metadata)
    {
        var list = tensors.ToList();
        var header = new JsonObject();
        if (metadata.Count > 0)
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var t in list)
        {
            if (t.Name == "__metadata__" || header.ContainsKey(t.Name))
                throw new ArgumentException($"tensor name '{t.Name}' is reserved or repeated", nameof(tensors));
            long length = t.Shape.Aggregate(1L, (a, b) => a * b);
            if (length != t.Data.Length)
                throw new ArgumentException($"tensor '{t.Name}' has shape ({string.Join(", ", t.Shape)}) but " +
                                            $"{t.Data.Length} values", nameof(tensors));
            header[t.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + 4 * length),
            };
            offset += 4 * length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        Span<byte> size = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(size, (ulong)padded);
        stream.Write(size);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        var buffer = new byte[4096];
        foreach (var t in list)
        {
            for (int start = 0; start < t.Data.Length; start += buffer.Length / 4)
            {
                int n = Math.Min(buffer.Length / 4, t.Data.Length - start);
                for (int i = 0; i < n; i++)
                    BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * i), t.Data[start + i]);
                stream.Write(buffer, 0, 4 * n);
            }
        }
    }

    /// <summary>Most tensor data <see cref="Read(string, long)"/> loads at once (200 MB: 50 million F32
    /// values).</summary>
    public const long MaxDataBytes = 200_000_000;

    /// <summary>
    /// Reads a whole safetensors file: the header, then every tensor; throws <see cref="ModelFormatException"/>
    /// naming the file and the problem. Only the header and the declared tensor bytes are read, and nothing is
    /// allocated before the header size is checked against the file (see <see cref="SafeTensorsFile.Open(string)"/>);
    /// tensor data over <paramref name="maxDataBytes"/> is refused.
    /// </summary>
    public static SafeTensorsContent Read(string path, long maxDataBytes = MaxDataBytes)
    {
        using var file = SafeTensorsFile.Open(path);
        return file.ReadAll(maxDataBytes);
    }

    /// <summary>Parses the bytes of a safetensors file; <paramref name="path"/> names it in errors.</summary>
    public static SafeTensorsContent Read(ReadOnlySpan<byte> bytes, string path, long maxDataBytes = MaxDataBytes)
    {
        using var file = SafeTensorsFile.Open(new MemoryStream(bytes.ToArray(), writable: false), path);
        return file.ReadAll(maxDataBytes);
    }
}
