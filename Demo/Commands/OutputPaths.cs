using Demo.Data;
using Demo.Reports;
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

    /// <summary>A path that no file can have: empty, only spaces, or with a NUL character; throws
    /// <see cref="InputException"/> with <see cref="TextProblem"/>'s line.</summary>
    public static void CheckText(Named n)
    {
        if (TextProblem(n) is { } problem) throw new InputException(problem);
    }

    /// <summary>The one line that says why no file can have the path <paramref name="n"/> (empty, only spaces, a NUL
    /// character), or null if it could be a file's.</summary>
    public static string? TextProblem(Named n) =>
        string.IsNullOrWhiteSpace(n.Path) ? $"{n.Option}: the path is empty; give a file name"
        : n.Path.Contains('\0') ? $"{n.Option}: the path {ErrorText.Quote(n.Path)} has a NUL character"
        : null;

    /// <summary>
    /// Checks <paramref name="outputs"/> (and the report folder, created if missing, with its report.md and
    /// report.html) against each other and against <paramref name="inputs"/>; throws <see cref="InputException"/>.
    /// </summary>
    public static void Check(IEnumerable<Named> inputs, IEnumerable<Named> outputs, string? reportDir = null)
    {
        inputs = inputs.ToList();
        outputs = outputs.ToList();
        foreach (var n in inputs.Concat(outputs).Append(new Named("--report", reportDir ?? "report")))
            CheckText(n);
        var ins = inputs.Select(i => (i.Option, i.Path, Status: FileStatus.Of(i.Path))).ToList();
        var outs = outputs.ToList();
        if (reportDir is not null && CheckReportDirectory(reportDir))
        {
            CheckReportFiles(reportDir, outputs);
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

    // An existing report folder: a file in it that the report may write (Report.MayWrite) but that no earlier report
    // wrote (its manifest does not list it) is the user's, and the report would overwrite it; so would an output of
    // this run given such a name in that folder. Both are refused before any work.
    private static void CheckReportFiles(string dir, IEnumerable<Named> outputs)
    {
        var ours = Report.Listed(dir).ToHashSet(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
        {
            string name = IOPath.GetFileName(path);
            if (Report.MayWrite(name) && !ours.Contains(name))
                throw new InputException($"{path}: the --report folder holds this file, which no earlier report "
                                         + "wrote, and the report would overwrite it; move it or give another folder");
        }
        var folder = FileStatus.Of(dir);
        foreach (var o in outputs)
        {
            string resolved = FileStatus.Of(o.Path).Resolved, parent = IOPath.GetDirectoryName(resolved) ?? "";
            if (Report.MayWrite(IOPath.GetFileName(resolved)) && FileStatus.Of(parent).SameFileAs(folder))
                throw new InputException($"{o.Path}: {o.Option} is in the --report folder under a name the report "
                                         + "writes; give another name");
        }
    }

    // A report folder that exists: true, its report files are checked as outputs. A missing one is not created here
    // (the report creates it once the work is done, so a failed run leaves no empty folder): the nearest folder above
    // it that exists must take a new folder. False then.
    private static bool CheckReportDirectory(string dir)
    {
        var status = FileStatus.Of(dir);
        if (status.Kind == FileKind.Directory) return true;
        if (status.Kind != FileKind.Missing)
            throw new InputException($"{dir}: --report names {status.KindName}; give a folder");
        string? above = IOPath.GetDirectoryName(IOPath.GetFullPath(dir));
        while (above is not null && FileStatus.Of(above).Kind == FileKind.Missing)
            above = IOPath.GetDirectoryName(above);
        if (above is null || FileStatus.Of(above).Kind != FileKind.Directory)
            throw new InputException($"{dir}: --report folder cannot be created: '{above}' is not a folder");
        // The folders to create: a name over 255 bytes (Linux' and macOS' NAME_MAX) would fail only at the end.
        string missing = IOPath.GetRelativePath(above, IOPath.GetFullPath(dir));
        foreach (var name in missing.Split(IOPath.DirectorySeparatorChar))
            if (System.Text.Encoding.UTF8.GetByteCount(name) > 255)
                throw new InputException($"--report: the folder name {ErrorText.Quote(name)} is over 255 bytes");
        string probe = IOPath.Combine(above, AtomicFile.TempName("report"));
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException
                                       or ArgumentException)
        {
            string reason = e is UnauthorizedAccessException
                ? "permission denied" : ErrorText.Line(e.Message.Replace(probe, above, StringComparison.Ordinal));
            throw new InputException($"{dir}: --report folder cannot be created in '{above}': {reason}");
        }
        return false;
    }
}
