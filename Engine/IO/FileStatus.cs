using System.Runtime.InteropServices;

namespace Engine.IO;

/// <summary>
/// A path's kind, size and identity, symbolic links followed. <see cref="Device"/> and <see cref="Inode"/> identify
/// the file on Linux (two paths name the same file when both match, whatever the spelling, links or mounts); where
/// they are not available (other systems) they are 0 and <see cref="Resolved"/> (the full path, links followed)
/// stands in for the identity.
/// </summary>
public readonly record struct FileStatus(FileKind Kind, long Size, ulong Device, ulong Inode, string Resolved)
{
    /// <summary>Whether both name the same existing file.</summary>
    public bool SameFileAs(FileStatus other)
    {
        if (Kind == FileKind.Missing || other.Kind == FileKind.Missing) return false;
        if ((Device | Inode) != 0) return Device == other.Device && Inode == other.Inode;
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase
            : StringComparison.Ordinal;
        return string.Equals(Resolved, other.Resolved, comparison);
    }

    /// <summary>A word for the kind, for error messages: "a directory", "a character device".</summary>
    public string KindName => Kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.Socket => "a socket",
        FileKind.Missing => "missing",
        _ => "not a regular file",
    };

    /// <summary>The status of <paramref name="path"/>, symbolic links followed. Never opens the file.</summary>
    public static FileStatus Of(string path)
    {
        string resolved = Resolve(path);
        var arch = RuntimeInformation.ProcessArchitecture;
        if (OperatingSystem.IsLinux() && arch is Architecture.X64 or Architecture.Arm64)
            return LinuxStat(resolved);
        if (Directory.Exists(resolved)) return new FileStatus(FileKind.Directory, 0, 0, 0, resolved);
        var info = new FileInfo(resolved);
        return info.Exists ? new FileStatus(FileKind.Regular, info.Length, 0, 0, resolved)
            : new FileStatus(FileKind.Missing, 0, 0, 0, resolved);
    }

    /// <summary>The full path with symbolic links of the file itself followed (to the final target).</summary>
    public static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            var target = File.ResolveLinkTarget(full, returnFinalTarget: true);
            return target is null ? full : Path.GetFullPath(target.FullName);
        }
        catch (IOException) { return full; } // a link loop: stat reports it as missing
        catch (UnauthorizedAccessException) { return full; }
    }

    // struct stat on Linux: x86-64 {dev u64 @0, ino u64 @8, nlink u64 @16, mode u32 @24, .., size i64 @48} (144 bytes);
    // arm64 (generic) {dev u64 @0, ino u64 @8, mode u32 @16, nlink u32 @20, .., size i64 @48} (128 bytes).
    private static unsafe FileStatus LinuxStat(string resolved)
    {
        byte* buffer = stackalloc byte[256];
        if (Stat(resolved, buffer) != 0) return new FileStatus(FileKind.Missing, 0, 0, 0, resolved);
        ulong dev = *(ulong*)buffer, ino = *(ulong*)(buffer + 8);
        bool x64 = RuntimeInformation.ProcessArchitecture == Architecture.X64;
        uint mode = x64 ? *(uint*)(buffer + 24) : *(uint*)(buffer + 16);
        long size = *(long*)(buffer + 48);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            _ => FileKind.Other,
        };
        return new FileStatus(kind, size, dev, ino, resolved);
    }

    [DllImport("libc.so.6", EntryPoint = "stat")]
    private static extern unsafe int StatAnsi(byte* path, byte* buffer);

    private static unsafe int Stat(string path, byte* buffer)
    {
        int n = System.Text.Encoding.UTF8.GetByteCount(path);
        var bytes = new byte[n + 1];
        System.Text.Encoding.UTF8.GetBytes(path, bytes);
        fixed (byte* p = bytes) return StatAnsi(p, buffer);
    }
}
