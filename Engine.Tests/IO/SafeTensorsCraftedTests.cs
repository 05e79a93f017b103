using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Engine.IO;
using Engine.Models;
using Xunit;

namespace Engine.Tests.IO;

/// <summary>Issue 11: crafted safetensors files are refused with one short line, quickly and in little memory,
/// having read only the header (never the whole file).</summary>
public sealed class SafeTensorsCraftedTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crafted-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A file of an 8-byte header size, the header text, then <paramref name="data"/> bytes of
    /// zeros.</summary>
    public static byte[] File(string header, int data = 0, ulong? size = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, size ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    // Reads the bytes as a file; returns the error message, checking the bounds every crafted file must keep.
    private string Refused(byte[] bytes, long maxAllocated = 16_000_000)
    {
        string path = Path.Combine(_dir, "m.safetensors");
        System.IO.File.WriteAllBytes(path, bytes);
        return Refused(path, maxAllocated);
    }

    private static string Refused(string path, long maxAllocated = 16_000_000)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ModelFormatException>(() => SafeTensors.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(clock.Elapsed.TotalSeconds < 10, $"{clock.Elapsed.TotalSeconds} s");
        Assert.True(allocated < maxAllocated, $"{allocated} bytes allocated: {e.Message}");
        Assert.True(e.Message.Length <= ErrorText.MaxLine,
                    $"{e.Message.Length} characters: {ErrorText.Line(e.Message)}");
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith(path, e.Message);
        return e.Message;
    }

    private const string Tensor = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    [Fact]
    public void AValidFileReadsBack()
    {
        var bytes = File($"{{\"a\":{Tensor},\"__metadata__\":{{\"k\":\"v\"}}}}", 8);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(bytes.Length - 8), 1.5f);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(bytes.Length - 4), -2f);
        var content = SafeTensors.Read(bytes, "x");
        Assert.Equal([1.5f, -2f], content.Tensors.Single().Data);
        Assert.Equal("v", content.Metadata["k"]);
    }

    [Fact]
    public void DuplicateKeysAreRefusedAtEveryLevel()
    {
        Assert.Contains("repeats the key 'a'", Refused(File($"{{\"a\":{Tensor},\"a\":{Tensor}}}", 8)));
        Assert.Contains("__metadata__ repeats the key 'k'",
            Refused(File("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}")));
        Assert.Contains("repeats the key 'shape'",
            Refused(File("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"shape\":[2],\"data_offsets\":[0,8]}}", 8)));
        Assert.Contains("repeats the key '__metadata__'", Refused(File("{\"__metadata__\":{},\"__metadata__\":{}}")));
    }

    [Fact]
    public void InvalidUtf8InTheHeaderIsRefused()
    {
        var bytes = File("{\"__metadata__\":{\"k\":\"ab\"}}");
        bytes[8 + "{\"__metadata__\":{\"k\":\"a".Length] = 0xFF;
        Assert.Contains("not valid UTF-8 (at byte 31)", Refused(bytes));
    }

    [Fact]
    public void HeaderSizesBeyondTheFileOrTheCapAreRefusedBeforeAllocating()
    {
        Assert.Contains("over the limit of 100000000", Refused(File("{}", 0, ulong.MaxValue), 100_000));
        Assert.Contains("over the limit of 100000000", Refused(File("{}", 0, 100_000_001), 100_000));
        Assert.Contains("truncated: the header should be 99999999 bytes but only 2 follow",
                        Refused(File("{}", 0, 99_999_999), 100_000));
    }

    [Fact]
    public void AHugeFileIsNotReadWhole()
    {
        // 1.9 GB, sparse: an 8-byte size of 2 then "{}" and zeros. Only the header is read.
        string path = Path.Combine(_dir, "huge.safetensors");
        using (var s = new FileStream(path, FileMode.CreateNew))
        {
            s.Write(File("{}"));
            s.SetLength(1_900_000_000);
        }
        Assert.Contains("1899999990 bytes after the last tensor", Refused(path, 100_000));
    }

    [Fact]
    public void DevicesAndFifosAreRefusedWithoutBlocking()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.Contains("is a character device, not a model file", Refused("/dev/zero", 100_000));
        Assert.Contains("is a named pipe (FIFO), not a model file", Refused(SpecialFiles.Fifo(_dir), 100_000));
        Assert.Contains("is a directory", Refused(_dir, 100_000));
    }

    [Fact]
    public void HugeShapesManyTensorsAndLongNamesStayBounded()
    {
        // The issue's 40M-entry shape (here 5M, 10 MB of header): refused at the 9th entry.
        string shape = string.Join(',', Enumerable.Repeat("1", 5_000_000));
        Assert.Contains("shape has more than 8 entries",
            Refused(File($"{{\"a\":{{\"dtype\":\"F32\",\"shape\":[{shape}],\"data_offsets\":[0,4]}}}}"), 40_000_000));
        // Zero-size tensors past the cap (the issue had 1.5M).
        var many = new StringBuilder("{");
        for (int i = 0; i <= SafeTensorsFile.MaxTensors; i++)
            many.Append(i > 0 ? "," : "")
                .Append($"\"t{i}\":{{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}");
        Assert.Contains("more than 65536 tensors", Refused(File(many.Append('}').ToString()), 64_000_000));
        // A 1 MB tensor name is quoted cut short.
        string name = new('n', 1_000_000);
        string message = Refused(File($"{{\"{name}\":{{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}}}", 2),
                                 24_000_000);
        Assert.Contains("'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn'... (1000000 characters) has dtype 'F16'", message);
    }

    [Theory]
    [InlineData("{\"a\":5}", "tensor 'a' needs dtype, shape and data_offsets")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", "tensor 'a' needs dtype, shape and data_offsets")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
                "shape must be an array of whole numbers >= 0")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,9]}}",
                "data_offsets has more than 2 entries")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", "has an unknown key 'x'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "do not match its shape (3)")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,4],\"data_offsets\":[0,8]}}",
                "is too large")]
    [InlineData("{\"__metadata__\":{\"k\":5}}", "__metadata__ value 'k' is not a string")]
    [InlineData("{\"__metadata__\":[]}", "__metadata__ must be a JSON object of strings")]
    [InlineData("{\"a\":", "not a safetensors file")]
    [InlineData("{} {}", "not valid JSON")]
    [InlineData("[1]", "not a safetensors file: the header is not a JSON object")]
    public void MalformedHeadersAreRefused(string header, string message) =>
        Assert.Contains(message, Refused(File(header, 8)));
}
