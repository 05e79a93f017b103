using System.Buffers.Binary;
using System.Security.Cryptography;
using Engine.Models;

namespace Engine.Import;

/// <summary>
/// The one entry point for reading a user's model file into the neutral <see cref="ImportedModel"/> form: the
/// format is detected from the content (<see cref="Detect(string)"/>), then the file goes to its reader (Keras 3
/// <c>.keras</c> zip, Keras 2/3 legacy HDF5, ONNX). Every problem is a <see cref="ModelFormatException"/> naming the
/// file.
/// </summary>
public static class ModelImport
{
    private static readonly byte[] Hdf5Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];

    /// <summary>Tells the kind of the model file at <paramref name="path"/> from its content.</summary>
    /// <exception cref="ModelFormatException">The file cannot be opened.</exception>
    public static ModelFileKind Detect(string path)
    {
        using var stream = OpenRead(path);
        return Detect(stream);
    }

    /// <summary>Tells the kind of a model from a seekable stream's content; leaves the stream at offset 0.</summary>
    public static ModelFileKind Detect(Stream stream)
    {
        long length = stream.Length;
        Span<byte> head = stackalloc byte[64];
        int n = ReadAt(stream, 0, head);
        stream.Position = 0;
        if (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
            return ModelFileKind.Zip;
        if (n >= 9)
        {
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(head);
            // A header size past the end still means safetensors: the reader then says the file is truncated.
            if (head[8] == (byte)'{' && size is >= 2 and <= uint.MaxValue) return ModelFileKind.SafeTensors;
        }
        // HDF5: the superblock may follow a user block of 512 * 2^k bytes.
        Span<byte> signature = stackalloc byte[8];
        for (long offset = 0; offset + 8 <= length; offset = offset == 0 ? 512 : offset * 2)
        {
            if (ReadAt(stream, offset, signature) == 8 && signature.SequenceEqual(Hdf5Signature))
            {
                stream.Position = 0;
                return ModelFileKind.Hdf5;
            }
        }
        stream.Position = 0;
        return OnnxReader.LooksLikeOnnx(head[..n]) ? ModelFileKind.Onnx : ModelFileKind.Unknown;
    }

    /// <summary>
    /// Reads the model file at <paramref name="path"/>: a Keras 3 <c>.keras</c> archive, a Keras 2.x / 3.x legacy
    /// <c>.h5</c> file or an ONNX export, detected from the content.
    /// </summary>
    /// <exception cref="ModelFormatException">The file is malformed, is not a model this program reads, or holds a
    /// layer it does not support (one line naming the file and the problem).</exception>
    public static ImportedModel Read(string path)
    {
        var kind = Detect(path);
        return kind switch
        {
            ModelFileKind.Zip => KerasReader.ReadKerasArchive(path),
            ModelFileKind.Hdf5 => KerasReader.ReadLegacyH5(path),
            ModelFileKind.Onnx => OnnxReader.Read(path),
            ModelFileKind.SafeTensors => throw new ModelFormatException(path,
                "a safetensors file: load it as an lstm-engine model, not through the importer"),
            _ => throw new ModelFormatException(path,
                "not a model file this program reads: not a safetensors file, a Keras .keras (zip) or .h5 (HDF5) "
                + "file, or an ONNX file (told from the content, not the extension)"),
        };
    }

    /// <summary>Opens a file for reading; a missing or unreadable file is a
    /// <see cref="ModelFormatException"/>.</summary>
    internal static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException
                                      or NotSupportedException)
        {
            throw new ModelFormatException(path, $"cannot open the file: {e.Message}");
        }
    }

    /// <summary>The lower-case hexadecimal SHA-256 of a stream's content from offset 0.</summary>
    internal static string Sha256(Stream stream)
    {
        stream.Position = 0;
        string hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        stream.Position = 0;
        return hash;
    }

    private static int ReadAt(Stream stream, long offset, Span<byte> buffer)
    {
        stream.Position = offset;
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer[total..]);
            if (read == 0) break;
            total += read;
        }
        return total;
    }
}
