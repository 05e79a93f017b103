namespace Engine.Models;

/// <summary>A model file could not be read: it names the file and what was wrong.</summary>
public sealed class ModelFormatException(string path, string problem) : Exception($"{path}: {problem}")
{
    /// <summary>The file that could not be read.</summary>
    public string Path { get; } = path;
}
