using System.CommandLine;
using System.CommandLine.Parsing;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Demo.Data;
using Engine.IO;

namespace Demo.Sharding;

/// <summary>
/// A work directory shared by the shards of one run (<c>--work-dir</c>): <c>manifest.json</c>, then one file per
/// finished item, <c>{kind}-{item:00000}.json</c>, each written atomically (<see cref="AtomicFile"/>) once its item is
/// done, so a killed shard leaves only whole items and a rerun skips them. An item file is trusted only when it carries
/// the manifest's settings hash: a changed command line never reuses stale items.
/// </summary>
public sealed class WorkDir
{
    /// <summary>The manifest's format tag.</summary>
    public const string FormatTag = "demo-work-dir/1";

    /// <summary>The manifest's file name.</summary>
    public const string ManifestName = "manifest.json";

    private WorkDir(string path, WorkManifest manifest)
    {
        Path = path;
        Manifest = manifest;
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>Its manifest.</summary>
    public WorkManifest Manifest { get; }

    /// <summary>The hex SHA-256 of <paramref name="parts"/> (UTF-8, each ended by a NUL): a settings hash.</summary>
    public static string Hash(params string[] parts)
    {
        var text = string.Concat(parts.Select(p => p + "\0"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>The hex SHA-256 of a file's bytes (a model or data file the items depend on).</summary>
    public static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// The command line of <paramref name="parse"/> as <c>demo merge</c> runs it again: the command's name, then its
    /// tokens less <paramref name="drop"/> (and their values), the values of <paramref name="paths"/> made absolute.
    /// </summary>
    public static string[] CommandOf(ParseResult parse, IEnumerable<Option> drop, IEnumerable<Option> paths)
    {
        static HashSet<string> Names(IEnumerable<Option> options) =>
            options.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
        var dropped = Names(drop);
        var pathNames = Names(paths);
        var command = new List<string> { parse.CommandResult.Command.Name };
        var tokens = parse.Tokens;
        for (int i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Type == TokenType.Command) continue;
            bool option = t.Type == TokenType.Option;
            bool valued = option && i + 1 < tokens.Count && tokens[i + 1].Type == TokenType.Argument;
            if (option && dropped.Contains(t.Value))
            {
                if (valued) i++;
                continue;
            }
            command.Add(t.Value);
            if (option && valued && pathNames.Contains(t.Value))
                command.Add(System.IO.Path.GetFullPath(tokens[++i].Value));
        }
        return [.. command];
    }

    /// <summary>
    /// Opens <paramref name="path"/> for a run: creates it and its manifest, or checks that the manifest there is of
    /// the same kind and settings hash (an <see cref="InputException"/> naming the other command line if not).
    /// </summary>
    public static WorkDir Open(string path, WorkManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        string file = System.IO.Path.Combine(path, ManifestName);
        if (Directory.Exists(path) && File.Exists(file)) return Load(path).Checked(manifest);
        try { Directory.CreateDirectory(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"--work-dir {path}: cannot create it: {e.Message}");
        }
        // Shards starting together may both write it: the same settings give the same hash, and either command line
        // merges alike.
        AtomicFile.WriteAllBytes(file, JsonSerializer.SerializeToUtf8Bytes(manifest, ShardJson.Default.WorkManifest));
        return new WorkDir(path, manifest);
    }

    /// <summary>This directory when its manifest has the kind and settings hash of <paramref name="expected"/>, else an
    /// <see cref="InputException"/> naming the command line that made it.</summary>
    public WorkDir Checked(WorkManifest expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        if (Manifest.Kind != expected.Kind || Manifest.SettingsHash != expected.SettingsHash)
            throw new InputException($"--work-dir {Path} holds the work of other settings (hash " +
                                     $"{Manifest.SettingsHash[..12]}, this command's {expected.SettingsHash[..12]}): " +
                                     $"give a new --work-dir, or delete it to start over; it was made by `demo " +
                                     $"{string.Join(' ', Manifest.Command)}`");
        return this;
    }

    /// <summary>Reads the work directory at <paramref name="path"/> (for <c>demo merge</c>).</summary>
    public static WorkDir Load(string path)
    {
        string file = System.IO.Path.Combine(path, ManifestName);
        if (!File.Exists(file))
            throw new InputException($"--work-dir {path}: no {ManifestName} there: not a work directory of a sharded " +
                                     $"run");
        WorkManifest? manifest;
        try { manifest = JsonSerializer.Deserialize(File.ReadAllBytes(file), ShardJson.Default.WorkManifest); }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{file}: not a work directory manifest ({e.Message})");
        }
        if (manifest is null || manifest.Format != FormatTag || manifest.Command is not { Length: > 0 }
            || manifest.SettingsHash is not { Length: 64 } || manifest.Items <= 0)
            throw new InputException($"{file}: not a work directory manifest of this program (format {FormatTag})");
        return new WorkDir(path, manifest);
    }

    /// <summary>The file of item <paramref name="item"/>.</summary>
    public string ItemPath(int item) => System.IO.Path.Combine(Path, $"{Manifest.Kind}-{item:00000}.json");

    /// <summary>
    /// Item <paramref name="item"/> when finished, else null. A file that is not such an item, or that carries another
    /// settings hash or index, is an <see cref="InputException"/> naming it (never reused, never silently redone).
    /// </summary>
    public T? Read<T>(int item, JsonTypeInfo<T> contract) where T : class, IWorkItem
    {
        string file = ItemPath(item);
        if (!File.Exists(file)) return null;
        T? value;
        try { value = JsonSerializer.Deserialize(File.ReadAllBytes(file), contract); }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException
                                       or FormatException or NotSupportedException)
        {
            throw new InputException($"{file}: not a finished work item ({e.Message}); delete it to compute it again");
        }
        if (value is null || value.SettingsHash != Manifest.SettingsHash || value.Item != item)
            throw new InputException($"{file}: computed with other settings (hash " +
                                     $"{(value?.SettingsHash is { Length: >= 12 } h ? h[..12] : "none")}, this " +
                                     $"work directory's: {Manifest.SettingsHash[..12]}): stale; delete it, or give " +
                                     $"a new --work-dir");
        return value;
    }

    /// <summary>Writes a finished item (atomically: a crash leaves the old state, never half a file).</summary>
    public void Write<T>(T value, JsonTypeInfo<T> contract) where T : IWorkItem =>
        AtomicFile.WriteAllBytes(ItemPath(value.Item), JsonSerializer.SerializeToUtf8Bytes(value, contract));

    /// <summary>The items (in order) whose files are missing.</summary>
    public int[] Missing() => Enumerable.Range(0, Manifest.Items).Where(i => !File.Exists(ItemPath(i))).ToArray();
}
