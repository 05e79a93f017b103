using Engine.IO;

namespace Demo;

/// <summary>
/// Where a command's warnings go: the error writer of the running <see cref="Program.Run"/> call (stderr for the
/// program, a captured writer in tests, each call its own even when tests run in parallel).
/// </summary>
public static class DemoConsole
{
    private static readonly AsyncLocal<TextWriter?> Current = new();

    /// <summary>The writer for warnings and errors of the running command.</summary>
    public static TextWriter Error
    {
        get => Current.Value ?? Console.Error;
        set => Current.Value = value;
    }

    /// <summary>Prints each warning as one line, <c>warning: ...</c> (at most <see cref="ErrorText.MaxLine"/>
    /// characters).</summary>
    public static void Warn(IEnumerable<string> warnings)
    {
        foreach (var w in warnings) Error.WriteLine(ErrorText.Line($"warning: {w}"));
    }
}
