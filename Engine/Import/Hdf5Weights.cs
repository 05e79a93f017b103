using Engine.Models;
using PureHDF;
using PureHDF.VOL.Native;

namespace Engine.Import;

/// <summary>
/// The HDF5 reads the Keras importer needs, over PureHDF (managed, no native code), with the limits a crafted file
/// must not get past: a dataset's size against the file's size (uncompressed layouts cannot hold more bytes than the
/// file; chunked ones at most 1100 times the file, deflate's ceiling, and never over 1 GiB), at most
/// <see cref="MaxTensors"/> tensors per file, no virtual datasets (they name other files). Every PureHDF failure on a
/// malformed file becomes a <see cref="ModelFormatException"/> naming the file. Content with an external link is
/// refused before PureHDF sees it (PureHDF would resolve one against absolute paths and the working folder); the
/// importer only reaches objects by the paths Keras writes.
/// </summary>
internal sealed class Hdf5Weights : IDisposable
{
    /// <summary>The most tensors read from one file.</summary>
    public const int MaxTensors = 4096;
    private const long MaxTensorBytes = 1L << 30;

    private readonly NativeFile _file;
    private readonly long _length;
    private int _tensors;

    /// <summary>The file named in error messages.</summary>
    public string Path { get; }

    private Hdf5Weights(string path, NativeFile file, long length)
    {
        Path = path;
        _file = file;
        _length = length;
    }

    /// <summary>
    /// Opens HDF5 content held in memory, after refusing content with an external link (<see cref="ExternalLink"/>).
    /// </summary>
    public static Hdf5Weights Open(string path, byte[] content)
    {
        if (ExternalLink(content) is { } link)
            throw new ModelFormatException(path, $"the HDF5 content has an external link '{link.Name}' to "
                + $"{link.File}:{link.Target}; links to other files are never followed");
        var stream = new MemoryStream(content, writable: false);
        var file = Guard(path, "open the HDF5 content", () => H5File.Open(stream, leaveOpen: false));
        return new Hdf5Weights(path, file, content.Length);
    }

    /// <summary>
    /// Finds an HDF5 external link message anywhere in the content (object headers and dense link storage keep the
    /// same encoding), before PureHDF could resolve one: version 1, flags (bit 3: a link type follows; bits 5-7
    /// zero), link type 64 (external), [creation order, 8 bytes, if bit 2], [charset, if bit 4], the name's length
    /// (1, 2, 4 or 8 bytes by bits 0-1), the name, a 2-byte value length, then the value: a zero version/flags byte and
    /// two NUL-terminated printable strings (file, object path) filling it exactly. Float data does not pass.
    /// </summary>
    internal static (string Name, string File, string Target)? ExternalLink(ReadOnlySpan<byte> content)
    {
        for (int i = 0; i + 3 <= content.Length; i++)
        {
            if (content[i] != 1 || content[i + 2] != 64) continue;
            int flags = content[i + 1];
            if ((flags & 0x08) == 0 || (flags & 0xE0) != 0) continue;
            long j = i + 3;
            if ((flags & 0x04) != 0) j += 8;
            if ((flags & 0x10) != 0)
            {
                if (j >= content.Length || content[(int)j] > 1) continue;
                j++;
            }
            int sizeBytes = 1 << (flags & 3);
            if (j + sizeBytes > content.Length) continue;
            ulong nameLength = 0;
            for (int b = sizeBytes - 1; b >= 0; b--) nameLength = (nameLength << 8) | content[(int)j + b];
            j += sizeBytes;
            if (nameLength is 0 or > 65535 || j + (long)nameLength + 2 > content.Length) continue;
            var name = content.Slice((int)j, (int)nameLength);
            if (name.Contains((byte)0)) continue;
            j += (long)nameLength;
            int valueLength = content[(int)j] | (content[(int)j + 1] << 8);
            j += 2;
            if (valueLength < 5 || j + valueLength > content.Length) continue;
            var value = content.Slice((int)j, valueLength);
            if (value[0] != 0 || value[^1] != 0) continue;
            var strings = value[1..^1];
            int nul = strings.IndexOf((byte)0);
            if (nul <= 0 || nul == strings.Length - 1 || strings[(nul + 1)..].Contains((byte)0)) continue;
            if (!Printable(strings[..nul]) || !Printable(strings[(nul + 1)..])) continue;
            return (System.Text.Encoding.UTF8.GetString(name), System.Text.Encoding.UTF8.GetString(strings[..nul]),
                    System.Text.Encoding.UTF8.GetString(strings[(nul + 1)..]));
        }
        return null;
    }

    private static bool Printable(ReadOnlySpan<byte> text)
    {
        foreach (byte b in text)
            if (b < 0x20 || b == 0x7F) return false;
        return true;
    }

    /// <summary>The root group.</summary>
    public NativeGroup Root => _file;

    /// <summary>The group at <paramref name="relative"/> under <paramref name="group"/>, or null when absent.</summary>
    public NativeGroup? TryGroup(NativeGroup group, string relative) =>
        Guard(Path, $"read group '{relative}'", () =>
            group.LinkExists(relative) && group.Get(relative) is NativeGroup g ? g : null);

    /// <summary>The names of the groups directly under <paramref name="group"/>, in the file's link order.</summary>
    public List<(string Name, NativeGroup Group)> ChildGroups(NativeGroup group) =>
        Guard(Path, "list a group", () =>
        {
            var list = new List<(string, NativeGroup)>();
            foreach (var child in group.Children())
            {
                if (child is NativeGroup g) list.Add((g.Name, g));
                if (list.Count > MaxTensors) throw new ModelFormatException(Path, "a group has too many members");
            }
            return list;
        });

    /// <summary>The number of datasets directly under <paramref name="group"/>.</summary>
    public int DatasetCount(NativeGroup group) =>
        Guard(Path, "list a group", () => group.Children().Take(MaxTensors + 1).Count(c => c is NativeDataset));

    /// <summary>A string attribute (fixed or variable length), or null when absent.</summary>
    public string? StringAttribute(IH5Object obj, string name) =>
        Guard(Path, $"read attribute '{name}'", () =>
        {
            if (!obj.AttributeExists(name)) return null;
            var attribute = obj.Attribute(name);
            if (!IsString(attribute))
                throw new ModelFormatException(Path, $"attribute '{name}' is not a string");
            return attribute.Space.Rank == 0 ? attribute.Read<string>() : attribute.Read<string[]>().FirstOrDefault();
        });

    /// <summary>
    /// A string-list attribute as h5py writes it (an array of fixed-length byte strings); Keras splits one over
    /// 64 KiB into <c>name0</c>, <c>name1</c>, ... Null when absent.
    /// </summary>
    public string[]? StringsAttribute(IH5Object obj, string name) =>
        Guard(Path, $"read attribute '{name}'", () =>
        {
            if (obj.AttributeExists(name)) return Strings(obj, name);
            if (!obj.AttributeExists(name + "0")) return null;
            var all = new List<string>();
            for (int chunk = 0; obj.AttributeExists($"{name}{chunk}"); chunk++)
            {
                all.AddRange(Strings(obj, $"{name}{chunk}"));
                if (all.Count > MaxTensors) throw new ModelFormatException(Path, $"attribute '{name}' is too long");
            }
            return all.ToArray();
        });

    private string[] Strings(IH5Object obj, string name)
    {
        var attribute = obj.Attribute(name);
        if (!IsString(attribute))
        {
            // h5py writes an empty list as a float64 array of length 0.
            if (attribute.Space.Dimensions.Aggregate(1UL, (a, b) => a * b) == 0) return [];
            throw new ModelFormatException(Path, $"attribute '{name}' is not a list of strings");
        }
        if (attribute.Space.Dimensions.Aggregate(1UL, (a, b) => a * b) > MaxTensors)
            throw new ModelFormatException(Path, $"attribute '{name}' is too long");
        return attribute.Space.Rank == 0 ? [attribute.Read<string>()] : attribute.Read<string[]>();
    }

    /// <summary>Fixed-length strings (class String) or variable-length ones (class VariableLength).</summary>
    private static bool IsString(IH5Attribute attribute) =>
        attribute.Type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength;

    /// <summary>
    /// Reads the floating-point dataset at <paramref name="relative"/> under <paramref name="group"/> as float32
    /// (float16 and float64 converted), named <paramref name="name"/> in the result.
    /// </summary>
    public ImportedTensor ReadTensor(NativeGroup group, string relative, string name, string what) =>
        Guard(Path, $"read {what}", () =>
        {
            if (!group.LinkExists(relative) || group.Get(relative) is not NativeDataset dataset)
                throw new ModelFormatException(Path, $"{what} is missing (no dataset '{relative}')");
            if (++_tensors > MaxTensors)
                throw new ModelFormatException(Path, $"the file has more than {MaxTensors} weight arrays");
            if (dataset.Layout.Class == H5DataLayoutClass.VirtualStorage)
                throw new ModelFormatException(Path, $"{what} is a virtual dataset (it refers to other files)");
            var type = dataset.Type;
            if (type.Class != H5DataTypeClass.FloatingPoint || type.Size is not (2 or 4 or 8))
                throw new ModelFormatException(Path, $"{what} is not a float16/32/64 array");
            ulong[] dims = dataset.Space.Type == H5DataspaceType.Scalar ? [] : dataset.Space.Dimensions;
            ulong elements = 1;
            foreach (ulong d in dims)
            {
                if (d > int.MaxValue || (d > 0 && elements > (ulong)int.MaxValue / d))
                    throw new ModelFormatException(Path, $"{what} is too large");
                elements *= d;
            }
            long bytes = (long)elements * type.Size;
            long ceiling = dataset.Layout.Class == H5DataLayoutClass.Chunked
                ? Math.Min(MaxTensorBytes, _length * 1100)
                : Math.Min(MaxTensorBytes, _length);
            if (bytes > ceiling)
                throw new ModelFormatException(Path, $"{what} declares {bytes} bytes, more than a {_length}-byte "
                    + "file can hold");
            int[] shape = Array.ConvertAll(dims, d => (int)d);
            var data = new float[elements];
            switch (type.Size)
            {
                case 4:
                    dataset.Read<float>(data.AsSpan());
                    break;
                case 8:
                    var wide = new double[elements];
                    dataset.Read<double>(wide.AsSpan());
                    for (int i = 0; i < wide.Length; i++) data[i] = (float)wide[i];
                    break;
                default:
                    var half = new Half[elements];
                    dataset.Read<Half>(half.AsSpan());
                    for (int i = 0; i < half.Length; i++) data[i] = (float)half[i];
                    break;
            }
            int bad = Array.FindIndex(data, v => !float.IsFinite(v));
            if (bad >= 0)
                throw new ModelFormatException(Path,
                                               $"{what} has a non-finite value ({data[bad]}) at flat index {bad}");
            return new ImportedTensor(name, shape, data);
        });

    public void Dispose() => _file.Dispose();

    /// <summary>Runs a PureHDF read; anything it throws on a malformed file becomes a one-line format error.</summary>
    private static T Guard<T>(string path, string what, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ModelFormatException)
        {
            throw;
        }
        catch (OutOfMemoryException)
        {
            throw new ModelFormatException(path, $"cannot {what}: the HDF5 content asks for more memory than exists");
        }
        catch (Exception e)
        {
            string message = e.Message.ReplaceLineEndings(" ");
            throw new ModelFormatException(path, $"malformed HDF5 content (could not {what}: {message})");
        }
    }
}
