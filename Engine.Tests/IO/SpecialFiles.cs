using System.Diagnostics;
using Xunit;

namespace Engine.Tests.IO;

/// <summary>Special files for the tests: a FIFO and a character device made in a temporary folder (never
/// /dev).</summary>
public static class SpecialFiles
{
    public static void Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{program} {string.Join(' ', args)}: {p.StandardError.ReadToEnd()}");
    }

    public static string Fifo(string dir, string name = "fifo")
    {
        string path = Path.Combine(dir, name);
        Run("mkfifo", path);
        return path;
    }

    /// <summary>A character device like /dev/null (1, 3), made with mknod as root; /dev/null itself otherwise
    /// (a non-root process cannot replace it, so a broken check cannot harm it).</summary>
    public static string CharacterDevice(string dir)
    {
        if (Environment.UserName != "root") return "/dev/null";
        string path = Path.Combine(dir, "null");
        Run("mknod", path, "c", "1", "3");
        return path;
    }
}
