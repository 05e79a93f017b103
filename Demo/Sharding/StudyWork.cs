using System.Reflection;
using System.Text.Json;
using Demo.Data;
using Demo.Study;

namespace Demo.Sharding;

/// <summary>
/// <c>demo study</c> over a work directory: one item per replicate (<c>replicate-00007.json</c>), replicate k owned by
/// shard <c>k mod n</c>. Replicate k draws everything from <c>new RandomSource(--seed).Fork(k)</c> whatever the
/// layout, so the merged study equals the single-machine one.
/// </summary>
public static class StudyWork
{
    /// <summary>The item kind (the files' prefix).</summary>
    public const string Kind = "replicate";

    /// <summary>The program's version, part of every settings hash (another build may compute other
    /// numbers).</summary>
    public static string ProgramVersion =>
        typeof(StudyWork).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "unknown";

    /// <summary>The hash of everything that decides a replicate's numbers (not the thread count).</summary>
    public static string SettingsHash(StudySettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var key = new StudyKeyJson(ProgramVersion,
            StudyDesignJson.Of(s.Design), StudySettingsJson.Of(s, threads: 0),
            s.Methods);
        return WorkDir.Hash(Kind, JsonSerializer.Serialize(key, ShardJson.Default.StudyKeyJson));
    }

    /// <summary>
    /// Runs the replicates <paramref name="shard"/> owns that <paramref name="dir"/> lacks, writing each as it ends;
    /// finished ones are skipped. Returns how many ran and how many were found finished.
    /// </summary>
    public static (int Ran, int Skipped) Run(WorkDir dir, StudySettings s, ShardSpec shard,
                                             Action<ReplicateResult>? onReplicate = null)
    {
        ArgumentNullException.ThrowIfNull(dir);
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(shard);
        var owned = Enumerable.Range(0, s.Replicates).Where(shard.Owns).ToArray();
        var todo = owned.Where(k => dir.Read(k, ShardJson.Default.StudyItemJson) is null).ToArray();
        string hash = dir.Manifest.SettingsHash;
        StudyRunner.Replicates(s, todo, r =>
        {
            dir.Write(StudyItemJson.Of(hash, r), ShardJson.Default.StudyItemJson);
            onReplicate?.Invoke(r);
        });
        return (todo.Length, owned.Length - todo.Length);
    }

    /// <summary>
    /// The study from every finished replicate in <paramref name="dir"/>; its seconds are the sum of the replicates'
    /// (their compute time wherever they ran). Missing replicates are an <see cref="InputException"/> naming them.
    /// </summary>
    public static StudyResult Merge(WorkDir dir, StudySettings s)
    {
        ArgumentNullException.ThrowIfNull(dir);
        ArgumentNullException.ThrowIfNull(s);
        if (dir.Missing() is { Length: > 0 } missing)
            throw new InputException($"--work-dir {dir.Path}: {missing.Length} of {s.Replicates} replicates are not " +
                                     $"finished ({Listed(missing)}): run their shards again (replicate k is shard " +
                                     $"k mod n + 1 of n)");
        var replicates = Enumerable.Range(0, s.Replicates)
            .Select(k => dir.Read(k, ShardJson.Default.StudyItemJson)!.ToReplicate()).ToArray();
        return StudyRunner.Result(s, replicates, replicates.Sum(r => r.TrainSeconds + r.Runs.Sum(x => x.Seconds)));
    }

    /// <summary>The study with every duration 0 (<c>--no-timings</c>): the rest is a function of the
    /// settings.</summary>
    public static StudyResult Untimed(StudyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result with
        {
            Seconds = 0,
            Replicates = result.Replicates.Select(r => r with
            {
                TrainSeconds = 0,
                Runs = r.Runs.Select(x => x with { Seconds = 0 }).ToArray(),
            }).ToArray(),
            Methods = result.Methods.Select(m => m with { Seconds = 0 }).ToArray(),
        };
    }

    /// <summary>"0, 3, 7" (the first ten, then "and N more").</summary>
    public static string Listed(IReadOnlyList<int> items) =>
        string.Join(", ", items.Take(10)) + (items.Count > 10 ? $" and {items.Count - 10} more" : "");
}
