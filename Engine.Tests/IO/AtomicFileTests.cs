using Engine.IO;
using Xunit;

namespace Engine.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void FailedWriteLeavesNoFileBehindAndTheOldFileUntouched()
    {
        string path = Path.Combine(_dir, "m.safetensors");
        Assert.Throws<InvalidOperationException>(() =>
            AtomicFile.Write(path, s => { s.WriteByte(1); throw new InvalidOperationException("crash"); }));
        Assert.Empty(Directory.GetFiles(_dir));
        File.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() =>
            AtomicFile.Write(path, s => { s.WriteByte(1); throw new InvalidOperationException("crash"); }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void AFullDiskIsReportedWithTheUsersPathNotTheTemporaryFile()
    {
        string path = Path.Combine(_dir, "out.json");
        var e = Assert.Throws<FileWriteException>(() => AtomicFile.Write(path,
            s => throw new IOException($"No space left on device : '{((FileStream)s).Name}'")));
        Assert.Equal($"{path}: cannot be written: No space left on device : '{path}'", e.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void ASymlinkIsWrittenThroughToItsTarget()
    {
        string target = Path.Combine(_dir, "target.csv"), link = Path.Combine(_dir, "link.csv");
        File.WriteAllText(target, "old");
        File.CreateSymbolicLink(link, target);
        AtomicFile.WriteAllBytes(link, "new"u8.ToArray());
        Assert.Equal("new", File.ReadAllText(target));
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal(2, Directory.GetFileSystemEntries(_dir).Length);
    }

    [Fact]
    public void DevicesAndFifosAreNeverReplaced()
    {
        if (!OperatingSystem.IsLinux()) return;
        string device = SpecialFiles.CharacterDevice(_dir), fifo = SpecialFiles.Fifo(_dir);
        foreach (var (path, kind) in new[] { (device, FileKind.CharacterDevice), (fifo, FileKind.Fifo) })
        {
            var e = Assert.Throws<FileWriteException>(() => AtomicFile.WriteAllBytes(path, [1, 2, 3]));
            Assert.Contains("not a regular file", e.Message);
            Assert.Equal(kind, FileStatus.Of(path).Kind);
        }
        Assert.DoesNotContain(Directory.GetFiles(_dir), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void StaleTemporaryFilesOfOursAreRemovedOnTheNextWrite()
    {
        string stale = Path.Combine(_dir, ".m.safetensors.4242.0123456789abcdef0123456789abcdef.tmp");
        string fresh = Path.Combine(_dir, ".m.safetensors.4243.fedcba9876543210fedcba9876543210.tmp");
        string notOurs = Path.Combine(_dir, ".editor-swap.tmp"), old = Path.Combine(_dir, "data.tmp");
        foreach (var f in new[] { stale, fresh, notOurs, old }) File.WriteAllText(f, "x");
        foreach (var f in new[] { stale, notOurs, old }) File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddHours(-25));
        File.SetLastWriteTimeUtc(fresh, DateTime.UtcNow.AddHours(-23));
        AtomicFile.WriteAllBytes(Path.Combine(_dir, "other.csv"), [1]);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh) && File.Exists(notOurs) && File.Exists(old));
        Assert.True(AtomicFile.IsTempName(Path.GetFileName(Path.Combine(_dir, AtomicFile.TempName("x.csv")))));
    }

    [Fact]
    public void FileIdentityFollowsLinksAndSpellings()
    {
        if (!OperatingSystem.IsLinux()) return;
        string a = Path.Combine(_dir, "a.csv"), b = Path.Combine(_dir, "b.csv");
        File.WriteAllText(a, "1");
        File.WriteAllText(b, "1");
        string sym = Path.Combine(_dir, "sym.csv"), hard = Path.Combine(_dir, "hard.csv");
        File.CreateSymbolicLink(sym, a);
        SpecialFiles.Run("ln", a, hard);
        var sa = FileStatus.Of(a);
        Assert.True(sa.SameFileAs(FileStatus.Of(sym)));
        Assert.True(sa.SameFileAs(FileStatus.Of(hard)));
        Assert.True(sa.SameFileAs(FileStatus.Of(Path.Combine(_dir, ".", "x", "..",
                                                             "a.csv").Replace("/x/..", "", StringComparison.Ordinal))));
        Assert.False(sa.SameFileAs(FileStatus.Of(b)));
        Assert.False(FileStatus.Of(Path.Combine(_dir, "none")).SameFileAs(FileStatus.Of(Path.Combine(_dir, "none"))));
        Assert.Equal(FileKind.Regular, sa.Kind);
        Assert.Equal(1, sa.Size);
        Assert.Equal(FileKind.Directory, FileStatus.Of(_dir).Kind);
    }
}
