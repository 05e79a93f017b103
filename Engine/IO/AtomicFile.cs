using System.Text.RegularExpressions;

namespace Engine.IO;

/// <summary>
/// The one file writer of the code base: writes through a temporary file beside the target, flushed to disk, then
/// renamed over the target, so a reader (or a crash, even <c>kill -9</c>) never sees half a file and a failed write
/// leaves the old file untouched. A symbolic link is written through: its final target is replaced, the link stays.
/// Temporary files are named <c>.{name}.{pid}.{32 hex}.tmp</c>; one is removed on any failure, and ones left by a
/// killed process (older than <see cref="StaleAge"/>) are removed on the next write into that folder.
/// </summary>
public static partial class AtomicFile
{
    /// <summary>How old a leftover temporary file must be before a later write removes it.</summary>
    public static readonly TimeSpan StaleAge = TimeSpan.FromDays(1);

    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>; throws <see cref="FileWriteException"/>
    /// naming <paramref name="path"/> (never the temporary file) when the file system refuses.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var status = FileStatus.Of(path);
        if (status.Kind is not (FileKind.Missing or FileKind.Regular))
            throw new FileWriteException(path, $"it is {status.KindName}, not a regular file");
        string target = status.Resolved;
        string dir = System.IO.Path.GetDirectoryName(target)!;
        RemoveStale(dir, DateTime.UtcNow);
        string temp = System.IO.Path.Combine(dir, TempName(System.IO.Path.GetFileName(target)));
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not FileWriteException)
        {
            throw new FileWriteException(path, e.Message.Replace(temp, path, StringComparison.Ordinal), e);
        }
        finally
        {
            try { File.Delete(temp); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>A temporary file's name for <paramref name="fileName"/>: <c>.{fileName}.{pid}.{guid}.tmp</c>.</summary>
    public static string TempName(string fileName) => $".{fileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";

    /// <summary>Whether <paramref name="fileName"/> is one of this writer's temporary files.</summary>
    public static bool IsTempName(string fileName) => TempPattern().IsMatch(fileName);

    /// <summary>Removes this writer's temporary files in <paramref name="dir"/> last written more than
    /// <see cref="StaleAge"/> before <paramref name="utcNow"/>; returns how many.</summary>
    public static int RemoveStale(string dir, DateTime utcNow)
    {
        int removed = 0;
        try
        {
            foreach (var file in new DirectoryInfo(dir).EnumerateFiles(".*.tmp"))
            {
                if (!IsTempName(file.Name) || utcNow - file.LastWriteTimeUtc < StaleAge) continue;
                try { file.Delete(); removed++; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return removed;
    }

    [GeneratedRegex(@"^\..+\.[0-9]+\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TempPattern();
}
