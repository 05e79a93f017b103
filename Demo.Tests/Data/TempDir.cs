using System.Text;

namespace Demo.Tests.Data;

/// <summary>A temporary folder for a test class's files, deleted with everything in it when disposed.</summary>
public sealed class TempDir(string prefix) : IDisposable
{
    /// <summary>The folder's full path.</summary>
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>Writes <paramref name="content"/> as UTF-8 (no byte order mark) to the file
    /// <paramref name="name"/>; its full path.</summary>
    public string Text(string name, string content) => Bytes(name, Encoding.UTF8.GetBytes(content));

    /// <summary>Writes <paramref name="content"/> to the file <paramref name="name"/>; its full path.</summary>
    public string Bytes(string name, byte[] content)
    {
        string path = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
