using Demo.Data;
using Engine.IO;
using IOPath = System.IO.Path;

namespace Demo.Commands;

/// <summary>
/// The checks every command runs on its output paths before any work, so that a long run never ends in a file it
/// cannot write, and a user's file is never replaced by mistake: each output's folder exists and takes a new file
/// (a probe file is created and removed); the output is not a directory, device, FIFO or socket; it is not the same
/// file as any input (by file identity: device and inode, whatever the spelling or links) nor as another output.
/// A symbolic link is fine: the writer replaces its target. Messages name the path as the user gave it.
/// </summary>
public static class OutputPaths
{
    /// <summary>A path given with an option, e.g. (--data, sample.csv).</summary>
    public readonly record struct Named(string Option, string Path);

    /// <summary>
    /// Checks <paramref name="outputs"/> (and the report folder, created if missing, with its report.md and
    /// report.html) against each other and against <paramref name="inputs"/>; throws <see cref="InputException"/>.
    /// </summary>
    public static void Check(IEnumerable<Named> inputs, IEnumerable<Named> outputs, string? reportDir = null)
    {
        var ins = inputs.Select(i => (i.Option, i.Path, Status: FileStatus.Of(i.Path))).ToList();
        var outs = outputs.ToList();
        if (reportDir is not null)
        {
            PrepareReportDirectory(reportDir);
            outs.Add(new Named("--report", IOPath.Combine(reportDir, "report.md")));
            outs.Add(new Named("--report", IOPath.Combine(reportDir, "report.html")));
        }
        var seen = new List<(Named Output, FileStatus Status, string Key)>();
        foreach (var o in outs)
        {
            var status = FileStatus.Of(o.Path);
            if (status.Kind == FileKind.Directory)
                throw new InputException($"{o.Path}: {o.Option} names a directory; give a file name");
            if (status.Kind is not (FileKind.Missing or FileKind.Regular))
                throw new InputException($"{o.Path}: {o.Option} names {status.KindName}; give a regular file's name");
            foreach (var i in ins)
                if (status.SameFileAs(i.Status))
                    throw new InputException(
                        $"{o.Path}: {o.Option} is the same file as {i.Option} {i.Path}; it would be overwritten");
            string dir = IOPath.GetDirectoryName(status.Resolved)!;
            var dirStatus = FileStatus.Of(dir);
            if (dirStatus.Kind != FileKind.Directory)
                throw new InputException(
                    $"{o.Path}: {o.Option}: the folder '{IOPath.GetDirectoryName(IOPath.GetFullPath(o.Path))}' "
                    + "does not exist");
            // Two outputs are one file when they are the same name in the same folder (the file may not exist yet).
            string name = IOPath.GetFileName(status.Resolved);
            string key = $"{dirStatus.Device}:{dirStatus.Inode}:{dirStatus.Resolved}/{name}";
            foreach (var (other, otherStatus, otherKey) in seen)
                if (key == otherKey || status.SameFileAs(otherStatus))
                    throw new InputException(
                        $"{o.Path}: {o.Option} is the same file as {other.Option} {other.Path}; "
                        + "one would overwrite the other");
            Probe(dir, o);
            seen.Add((o, status, key));
        }
    }

    // Creates and removes a file in the folder, named as the atomic writer's temporary files (so that one left by a
    // killed process is cleaned up later).
    private static void Probe(string dir, Named o)
    {
        string probe = IOPath.Combine(dir, AtomicFile.TempName(IOPath.GetFileName(o.Path)));
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None)) { }
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string reason = e is UnauthorizedAccessException ? "permission denied"
                : e.Message.Replace(probe, dir, StringComparison.Ordinal);
            throw new InputException($"{o.Path}: {o.Option}: cannot write in the folder '{dir}': {reason}");
        }
    }

    private static void PrepareReportDirectory(string dir)
    {
        var status = FileStatus.Of(dir);
        if (status.Kind is not (FileKind.Missing or FileKind.Directory))
            throw new InputException($"{dir}: --report names {status.KindName}; give a folder");
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException
                                       or ArgumentException)
        {
            throw new InputException($"{dir}: --report folder cannot be written: {ErrorText.Line(e.Message)}");
        }
    }
}
