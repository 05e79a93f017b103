namespace Engine.IO;

/// <summary>An output file could not be written (no space, no permission, not a regular file): names the
/// path.</summary>
public sealed class FileWriteException(string path, string problem, Exception? inner = null)
    : IOException($"{path}: cannot be written: {problem}", inner)
{
    /// <summary>The path as the caller gave it.</summary>
    public string Path { get; } = path;
}
