using System.CommandLine;
using Demo.Data;
using Engine.Importance;

namespace Demo.Sharding;

/// <summary>
/// <c>demo importance --networks K</c> over a work directory: one item per network (<c>network-00003.json</c>),
/// network k owned by shard <c>k mod n</c>. Network k trains from its own seed and runs the methods with its own
/// importance seed (<c>ImportanceRunner.Network</c>), whatever the layout; the merge combines each method's K results
/// as the single-machine run does (<c>ImportanceRunner.Combine</c>), its seconds the sum over networks.
/// </summary>
public static class NetworkWork
{
    /// <summary>The item kind (the files' prefix).</summary>
    public const string Kind = "network";

    /// <summary>
    /// The settings hash of an importance command line: the program's version, then every option given on it but
    /// <paramref name="drop"/> (thread count, sharding, outputs), by name and value; the files of
    /// <paramref name="files"/> by the SHA-256 of their content (a retrained model under the same name is another run).
    /// </summary>
    public static string SettingsHash(ParseResult parse, IEnumerable<Option> drop, IEnumerable<Option> files)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var dropped = drop.ToHashSet();
        var content = files.ToHashSet();
        var parts = new List<string> { Kind, StudyWork.ProgramVersion };
        foreach (var option in parse.CommandResult.Command.Options)
        {
            if (dropped.Contains(option) || parse.GetResult(option) is not { Implicit: false } given) continue;
            var values = given.Tokens.Select(t => content.Contains(option) ? WorkDir.HashFile(t.Value) : t.Value);
            parts.Add($"{option.Name}={string.Join('\u001f', values)}");
        }
        return WorkDir.Hash([.. parts]);
    }

    /// <summary>
    /// Runs the networks <paramref name="shard"/> owns that <paramref name="dir"/> lacks (<paramref name="network"/>
    /// k: trains network k), every method on each, writing each network as it ends; finished ones are skipped.
    /// </summary>
    public static (int Ran, int Skipped) Run(WorkDir dir, ShardSpec shard, Func<int, ImportanceContext> network,
                                             IReadOnlyList<IImportanceMethod> methods, Action<int>? onNetwork = null,
                                             Action<string>? onSkipped = null)
    {
        ArgumentNullException.ThrowIfNull(dir);
        ArgumentNullException.ThrowIfNull(shard);
        ArgumentNullException.ThrowIfNull(network);
        var owned = Enumerable.Range(0, dir.Manifest.Items).Where(shard.Owns).ToArray();
        var todo = owned.Where(k => dir.Read(k, ShardJson.Default.NetworkItemJson) is null).ToArray();
        foreach (int k in todo)
        {
            var runs = ImportanceRunner.Run(network(k), methods, onSkipped: k == todo[0] ? onSkipped : null);
            dir.Write(new NetworkItemJson(dir.Manifest.SettingsHash, k, runs.Select(RunJson.Of).ToList()),
                      ShardJson.Default.NetworkItemJson);
            onNetwork?.Invoke(k);
        }
        return (todo.Length, owned.Length - todo.Length);
    }

    /// <summary>
    /// Each method's runs on every network in <paramref name="dir"/>, combined; missing networks are an
    /// <see cref="InputException"/> naming them.
    /// </summary>
    public static IReadOnlyList<MethodRun> Merge(WorkDir dir, FeatureGroups? groups)
    {
        ArgumentNullException.ThrowIfNull(dir);
        int count = dir.Manifest.Items;
        if (dir.Missing() is { Length: > 0 } missing)
            throw new InputException($"--work-dir {dir.Path}: {missing.Length} of {count} networks are not finished " +
                                     $"({StudyWork.Listed(missing)}): run their shards again (network k belongs to " +
                                     $"shard (k mod n) + 1 of n)");
        var items = Enumerable.Range(0, count).Select(k =>
            dir.Read(k, ShardJson.Default.NetworkItemJson)!.Runs.Select(r => r.ToRun(groups)).ToArray()).ToArray();
        var names = items[0].Select(r => r.Name).ToArray();
        if (items.Any(runs => !runs.Select(r => r.Name).SequenceEqual(names)))
            throw new InputException($"--work-dir {dir.Path}: its networks ran different methods: delete it and run " +
                                     $"again");
        return names.Select((name, m) => new MethodRun(name, items.Sum(runs => runs[m].Seconds),
            ImportanceRunner.Combine(items.Select(runs => runs[m].Result).ToArray(), items[0][m].Ranking),
            items[0][m].Ranking)).ToArray();
    }
}
