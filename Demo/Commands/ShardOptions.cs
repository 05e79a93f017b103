using System.CommandLine;
using Demo.Data;
using Demo.Sharding;

namespace Demo.Commands;

/// <summary>
/// <c>--shard</c> and <c>--work-dir</c>, shared by the commands whose work splits into independent items (study,
/// importance with --networks), and the rules between them and the output options (docs/SCALE.md).
/// </summary>
public static class ShardOptions
{
    public static Option<string?> Shard() => new("--shard")
    {
        Description = "Run only shard k of n of the work items (k = 1..n), or auto / auto/N: the index of a Slurm, " +
                      "Kubernetes Indexed Job or AWS Batch array task from its environment. Needs --work-dir; " +
                      "`demo merge` writes the results (docs/SCALE.md).",
    };

    public static Option<string?> WorkDir(bool required = false) =>
        CommandOptions.Path(new Option<string?>("--work-dir")
        {
            Description = "The folder, shared by all shards, with one result file per finished work item (a rerun " +
                          "skips them; without --shard a run computes what is missing, then writes the results).",
            Required = required,
        });

    public static Option<bool> NoTimings() => new("--no-timings")
    {
        Description = "Write 0 for every duration, so that runs with the same settings write identical files (a " +
                      "merged sharded run the same bytes as a single-machine run).",
    };

    /// <summary>
    /// The shard asked for: null without <c>--shard</c>. <c>--shard</c> needs <paramref name="workDir"/>, and a shard
    /// writes no results (<paramref name="outputs"/>, the output options given): each is a one-line input error.
    /// </summary>
    public static ShardSpec? Parse(string? shard, string? workDir, params (string Option, object? Value)[] outputs)
    {
        if (shard is null) return null;
        if (workDir is null)
            throw new InputException("--shard needs --work-dir: a folder all shards share, where each writes its " +
                                     "items");
        if (outputs.FirstOrDefault(o => o.Value is not null).Option is { } given)
            throw new InputException($"{given}: a shard writes only its items into --work-dir; give {given} to " +
                                     $"`demo merge --work-dir {workDir}` once every shard is done");
        return ShardSpec.Parse(shard, Environment.GetEnvironmentVariable);
    }
}
