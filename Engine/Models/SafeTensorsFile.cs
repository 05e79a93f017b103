using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Engine.IO;

namespace Engine.Models;

/// <summary>
/// An open safetensors file whose header has been read and checked; tensors are read on demand, each from its
/// declared bytes only. Checks, all before any allocation that depends on the file's content: the path is a regular
/// file (a device or FIFO is refused before it is opened); the 8-byte header size is at most
/// <see cref="SafeTensors.MaxHeaderBytes"/> and fits the file; the header is valid UTF-8 and JSON, a single object,
/// with no duplicate key at any level, at most <see cref="MaxTensors"/> tensors of rank at most
/// <see cref="MaxRank"/>, each with exactly dtype F32, shape and data_offsets; the tensors tile the data section
/// exactly and the file ends where the last tensor does. Error messages quote names cut to a few dozen characters.
/// </summary>
internal sealed class SafeTensorsFile : IDisposable
{
    /// <summary>Most tensors in one file.</summary>
    public const int MaxTensors = 65_536;

    /// <summary>Most dimensions of one tensor.</summary>
    public const int MaxRank = 8;

    private readonly Stream _stream;
    private readonly long _dataStart;

    private SafeTensorsFile(string path, Stream stream, long dataStart, List<TensorEntry> tensors, Dictionary<string,
                            string> metadata)
    {
        Path = path;
        _stream = stream;
        _dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The file, as the caller named it.</summary>
    public string Path { get; }

    /// <summary>The tensors, in header order.</summary>
    public IReadOnlyList<TensorEntry> Tensors { get; }

    /// <summary>The <c>__metadata__</c> strings.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and checks <paramref name="path"/>; throws <see cref="ModelFormatException"/>.</summary>
    public static SafeTensorsFile Open(string path)
    {
        var status = FileStatus.Of(path);
        if (status.Kind == FileKind.Missing) throw new ModelFormatException(path, "file not found");
        if (status.Kind == FileKind.Directory) throw new ModelFormatException(path, "is a directory, not a model file");
        if (status.Kind != FileKind.Regular) throw new ModelFormatException(path, $"is {status.KindName}, not a " +
            $"model file");
        FileStream stream;
        try
        {
            stream = new FileStream(status.Resolved, FileMode.Open, FileAccess.Read, FileShare.Read, 1,
                                      FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(path, $"cannot be read: {e.Message}");
        }
        try { return Open(stream, path); }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads and checks the header of a seekable <paramref name="stream"/>, which the result then
    /// owns.</summary>
    public static SafeTensorsFile Open(Stream stream, string path)
    {
        try
        {
            long length = stream.Length;
            if (length < 8) throw new ModelFormatException(path, $"not a safetensors file: {length} bytes, " +
                $"shorter than the 8-byte header size");
            Span<byte> size = stackalloc byte[8];
            stream.Position = 0;
            stream.ReadExactly(size);
            ulong headerSize = BinaryPrimitives.ReadUInt64LittleEndian(size);
            if (headerSize > SafeTensors.MaxHeaderBytes)
                throw new ModelFormatException(path, $"not a safetensors file: the first 8 bytes give a header of " +
                    $"{headerSize} bytes, over the limit of {SafeTensors.MaxHeaderBytes}");
            if ((long)headerSize > length - 8)
                throw new ModelFormatException(path, $"truncated: the header should be {headerSize} bytes but " +
                    $"only {length - 8} follow the size");
            var header = new byte[headerSize];
            stream.ReadExactly(header);
            var (tensors, metadata) = ParseHeader(header, path);
            long expected = CheckTiling(tensors, path);
            long data = length - 8 - (long)headerSize;
            if (expected > data)
                throw new ModelFormatException(path, $"truncated: the tensors need {expected} bytes of data but " +
                    $"only {data} follow the header");
            if (expected < data)
                throw new ModelFormatException(path, $"{data - expected} bytes after the last tensor; the file is " +
                    $"not a valid safetensors file");
            return new SafeTensorsFile(path, stream, 8 + (long)headerSize, tensors, metadata);
        }
        catch (IOException e)
        {
            throw new ModelFormatException(path, $"cannot be read: {e.Message}");
        }
    }

    /// <summary>Reads one tensor's values into <paramref name="destination"/> (its <see cref="TensorEntry.Count"/>
    /// values).</summary>
    public void ReadTensor(TensorEntry entry, Span<float> destination)
    {
        if (destination.Length != entry.Count)
            throw new ArgumentException(
                $"tensor '{entry.Name}' has {entry.Count} values, the destination " +
                    $"{destination.Length}", nameof(destination));
        try
        {
            _stream.Position = _dataStart + entry.Begin;
            var bytes = MemoryMarshal.AsBytes(destination);
            _stream.ReadExactly(bytes);
            if (!BitConverter.IsLittleEndian)
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(4 * i, 4));
        }
        catch (IOException e) { throw new ModelFormatException(Path, $"cannot be read: {e.Message}"); }
    }

    /// <summary>Every tensor, read whole; tensor data over <paramref name="maxDataBytes"/> is refused first.</summary>
    public SafeTensorsContent ReadAll(long maxDataBytes)
    {
        long total = Tensors.Sum(t => t.End - t.Begin);
        if (total > maxDataBytes)
            throw new ModelFormatException(Path, $"{total} bytes of tensor data, over the limit of {maxDataBytes}");
        var list = new List<NamedTensor>(Tensors.Count);
        foreach (var e in Tensors)
        {
            var values = new float[e.Count];
            ReadTensor(e, values);
            list.Add(new NamedTensor(e.Name, e.Shape, values));
        }
        return new SafeTensorsContent(list, Metadata);
    }

    public void Dispose() => _stream.Dispose();

    private static string Q(string name) => ErrorText.Quote(name);

    // The header JSON, read token by token (a huge shape or a million tensors is refused as soon as it is seen).
    private static (List<TensorEntry>, Dictionary<string, string>) ParseHeader(byte[] header, string path)
    {
        if (header.Length == 0 || header[0] != (byte)'{')
            throw new ModelFormatException(path, "not a safetensors file: the header is not a JSON object");
        if (!Utf8.IsValid(header))
            throw new ModelFormatException(path, $"the header is not valid UTF-8 (at byte " +
                $"{8 + FirstInvalidUtf8(header)})");
        var tensors = new List<TensorEntry>();
        var metadata = new Dictionary<string, string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(header, new JsonReaderOptions { MaxDepth = 8 });
        try
        {
            Expect(ref reader, JsonTokenType.StartObject, path, "the header");
            while (Next(ref reader, path) == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                if (!seen.Add(name)) throw new ModelFormatException(path, $"the header repeats the key {Q(name)}");
                if (name == "__metadata__") ReadMetadata(ref reader, metadata, path);
                else
                {
                    if (tensors.Count == MaxTensors)
                        throw new ModelFormatException(path, $"more than {MaxTensors} tensors");
                    tensors.Add(ReadEntry(ref reader, name, path));
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject) throw Bad(path, "the header");
            if (reader.Read()) throw new ModelFormatException(path, "the header has more after its JSON object");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"not a safetensors file: the header is not valid JSON " +
                $"({ErrorText.Line(e.Message)})");
        }
        return (tensors, metadata);
    }

    private static int FirstInvalidUtf8(byte[] bytes)
    {
        for (int i = 0; i < bytes.Length;)
        {
            if (Rune.DecodeFromUtf8(bytes.AsSpan(i), out _, out int used) != System.Buffers.OperationStatus.Done)
                return i;
            i += used;
        }
        return -1;
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string path)
    {
        if (Next(ref reader, path) != JsonTokenType.StartObject)
            throw new ModelFormatException(path, "__metadata__ must be a JSON object of strings");
        while (Next(ref reader, path) == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            if (Next(ref reader, path) != JsonTokenType.String)
                throw new ModelFormatException(path, $"__metadata__ value {Q(key)} is not a string");
            if (!metadata.TryAdd(key, reader.GetString()!)) throw new ModelFormatException(path, $"__metadata__ " +
                $"repeats the key {Q(key)}");
        }
    }

    private static TensorEntry ReadEntry(ref Utf8JsonReader reader, string name, string path)
    {
        string what = $"tensor {Q(name)}";
        if (Next(ref reader, path) != JsonTokenType.StartObject)
            throw new ModelFormatException(path, $"{what} needs dtype, shape and data_offsets");
        string? dtype = null;
        int[]? shape = null;
        long[]? offsets = null;
        while (Next(ref reader, path) == JsonTokenType.PropertyName)
        {
            string field = reader.GetString()!;
            switch (field)
            {
                case "dtype" when dtype is null:
                    if (Next(ref reader, path) != JsonTokenType.String)
                        throw new ModelFormatException(path, $"{what}: dtype must be a string");
                    dtype = reader.GetString()!;
                    if (dtype != "F32") throw new ModelFormatException(path, $"{what} has dtype {Q(dtype)}; only " +
                        $"F32 is supported");
                    break;
                case "shape" when shape is null:
                    shape = Array.ConvertAll(Numbers(ref reader, path, what, "shape", MaxRank), d => d <= int.MaxValue
                        ? (int)d : throw new ModelFormatException(path, $"{what}: dimension {d} is too large"));
                    break;
                case "data_offsets" when offsets is null:
                    offsets = Numbers(ref reader, path, what, "data_offsets", 2);
                    if (offsets.Length != 2) throw new ModelFormatException(path, $"{what}: data_offsets must be " +
                        $"[begin, end]");
                    break;
                case "dtype" or "shape" or "data_offsets":
                    throw new ModelFormatException(path, $"{what} repeats the key '{field}'");
                default:
                    throw new ModelFormatException(path, $"{what} has an unknown key {Q(field)}; expected dtype, " +
                        $"shape and data_offsets");
            }
        }
        if (dtype is null || shape is null || offsets is null)
            throw new ModelFormatException(path, $"{what} needs dtype, shape and data_offsets");
        return new TensorEntry(name, shape, offsets[0], offsets[1]);
    }

    // An array of at most `max` whole numbers >= 0.
    private static long[] Numbers(ref Utf8JsonReader reader, string path, string what, string field, int max)
    {
        if (Next(ref reader, path) != JsonTokenType.StartArray)
            throw new ModelFormatException(path, $"{what}: {field} must be an array of whole numbers");
        var values = new List<long>();
        while (Next(ref reader, path) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long v) || v < 0)
                throw new ModelFormatException(path, $"{what}: {field} must be an array of whole numbers >= 0");
            if (values.Count == max) throw new ModelFormatException(path, $"{what}: {field} has more than {max} " +
                $"entries");
            values.Add(v);
        }
        return values.ToArray();
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader, string path) =>
        reader.Read() ? reader.TokenType : throw new ModelFormatException(path,
            "not a safetensors file: the header JSON ends early");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string path, string what)
    {
        if (Next(ref reader, path) != type) throw Bad(path, what);
    }

    private static ModelFormatException Bad(string path, string what) => new(path, $"not a safetensors file: " +
        $"{what} is not a JSON object");

    // The tensors must tile the data section exactly, as the reference implementation requires; returns its length.
    private static long CheckTiling(List<TensorEntry> tensors, string path)
    {
        long expected = 0;
        foreach (var e in tensors.OrderBy(e => e.Begin))
        {
            long count = 1;
            foreach (int d in e.Shape)
            {
                if (d > 0 && count > long.MaxValue / 4 / d)
                    throw new ModelFormatException(path, $"tensor {Q(e.Name)}: shape " +
                        $"({string.Join(", ", e.Shape)}) is too large");
                count *= d;
            }
            if (e.Begin != expected || e.End < e.Begin || e.End - e.Begin != 4 * count)
                throw new ModelFormatException(path, $"tensor {Q(e.Name)}: data_offsets [{e.Begin}, {e.End}] do " +
                    $"not match its shape ({string.Join(", ", e.Shape)}) at byte {expected} of the data");
            if (count > int.MaxValue) throw new ModelFormatException(path, $"tensor {Q(e.Name)} has {count} " +
                $"values, too many for one tensor");
            expected = e.End;
        }
        return expected;
    }
}
