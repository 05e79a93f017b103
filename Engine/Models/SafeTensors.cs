using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engine.Models;

/// <summary>A model file could not be read: it names the file and what was wrong.</summary>
public sealed class ModelFormatException(string path, string problem) : Exception($"{path}: {problem}")
{
    /// <summary>The file that could not be read.</summary>
    public string Path { get; } = path;
}

/// <summary>One F32 tensor of a safetensors file.</summary>
/// <param name="Name">Tensor name, e.g. layers.0.kernel.</param>
/// <param name="Shape">Shape, row-major.</param>
/// <param name="Data">Values, row-major; length = product of <paramref name="Shape"/>.</param>
public sealed record NamedTensor(string Name, int[] Shape, float[] Data);

/// <summary>The content of a safetensors file: tensors in file order and the string-to-string metadata.</summary>
public sealed record SafeTensorsContent(IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian unsigned header size N, N bytes of UTF-8 JSON
/// <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {"k": "v"}}</c>
/// (padded with spaces to a multiple of 8), then the raw little-endian data; offsets are relative to the end of the
/// header, and the tensors tile the data exactly. This engine reads and writes F32 tensors only.
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest header accepted, as the reference implementation caps it (100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes tensors (in the given order) and metadata to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string> metadata)
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
            if (t.Name == "__metadata__" || header.ContainsKey(t.Name)) throw new ArgumentException($"tensor name '{t.Name}' is reserved or repeated", nameof(tensors));
            long length = t.Shape.Aggregate(1L, (a, b) => a * b);
            if (length != t.Data.Length) throw new ArgumentException($"tensor '{t.Name}' has shape ({string.Join(", ", t.Shape)}) but {t.Data.Length} values", nameof(tensors));
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
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * i), t.Data[start + i]);
                stream.Write(buffer, 0, 4 * n);
            }
        }
    }

    /// <summary>Reads a safetensors file; throws <see cref="ModelFormatException"/> naming the file and the problem.</summary>
    public static SafeTensorsContent Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new ModelFormatException(path, "file not found"); }
        catch (DirectoryNotFoundException) { throw new ModelFormatException(path, "file not found"); }
        catch (UnauthorizedAccessException e) { throw new ModelFormatException(path, $"cannot be read: {e.Message}"); }
        catch (IOException e) { throw new ModelFormatException(path, $"cannot be read: {e.Message}"); }
        return Read(bytes, path);
    }

    /// <summary>Parses the bytes of a safetensors file; <paramref name="path"/> names it in errors.</summary>
    public static SafeTensorsContent Read(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < 8) throw new ModelFormatException(path, $"not a safetensors file: {bytes.Length} bytes, shorter than the 8-byte header size");
        ulong headerSize = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerSize > MaxHeaderBytes) throw new ModelFormatException(path, $"not a safetensors file: the first 8 bytes give a header of {headerSize} bytes");
        if (8 + (long)headerSize > bytes.Length)
            throw new ModelFormatException(path, $"truncated: the header should be {headerSize} bytes but only {bytes.Length - 8} follow the size");
        var headerBytes = bytes.Slice(8, (int)headerSize);
        if (headerBytes.Length == 0 || headerBytes[0] != (byte)'{') throw new ModelFormatException(path, "not a safetensors file: the header is not a JSON object");
        JsonObject header;
        try { header = JsonNode.Parse(headerBytes.ToArray())?.AsObject() ?? throw new JsonException("null header"); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new ModelFormatException(path, $"not a safetensors file: the header is not valid JSON ({e.Message})");
        }

        var metadata = new Dictionary<string, string>();
        var entries = new List<(string Name, int[] Shape, long Begin, long End)>();
        var data = bytes[(8 + (int)headerSize)..];
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is not JsonObject meta) throw new ModelFormatException(path, "__metadata__ must be a JSON object of strings");
                foreach (var (k, v) in meta)
                {
                    if (v is not JsonValue value || !value.TryGetValue<string>(out var s)) throw new ModelFormatException(path, $"__metadata__ value '{k}' is not a string");
                    metadata[k] = s;
                }
                continue;
            }
            try
            {
                var o = node!.AsObject();
                string dtype = o["dtype"]!.GetValue<string>();
                if (dtype != "F32") throw new ModelFormatException(path, $"tensor '{name}' has dtype {dtype}; only F32 is supported");
                int[] shape = o["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
                var offsets = o["data_offsets"]!.AsArray();
                if (offsets.Count != 2) throw new ModelFormatException(path, $"tensor '{name}': data_offsets must be [begin, end]");
                long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
                if (shape.Any(d => d < 0)) throw new ModelFormatException(path, $"tensor '{name}' has a negative dimension");
                entries.Add((name, shape, begin, end));
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or JsonException)
            {
                throw new ModelFormatException(path, $"tensor '{name}' needs dtype, shape and data_offsets ({e.Message})");
            }
        }

        // The tensors must tile the data buffer exactly, as the reference implementation requires.
        long expected = 0;
        foreach (var e in entries.OrderBy(e => e.Begin))
        {
            long length = 4 * e.Shape.Aggregate(1L, (a, b) => a * b);
            if (e.Begin != expected || e.End - e.Begin != length)
                throw new ModelFormatException(path, $"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] do not match its shape ({string.Join(", ", e.Shape)}) at byte {expected} of the data");
            expected = e.End;
        }
        if (expected > data.Length)
            throw new ModelFormatException(path, $"truncated: the tensors need {expected} bytes of data but only {data.Length} follow the header");
        if (expected < data.Length)
            throw new ModelFormatException(path, $"{data.Length - expected} bytes after the last tensor; the file is not a valid safetensors file");

        var tensors = new List<NamedTensor>(entries.Count);
        foreach (var e in entries)
        {
            var values = new float[(e.End - e.Begin) / 4];
            var src = data.Slice((int)e.Begin, (int)(e.End - e.Begin));
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
            tensors.Add(new NamedTensor(e.Name, e.Shape, values));
        }
        return new SafeTensorsContent(tensors, metadata);
    }
}
