using System.Globalization;
using Demo.Data;

namespace Demo.Sharding;

/// <summary>
/// One shard of a run split over machines: shard <see cref="Index"/> (0-based) of <see cref="Count"/>. Work item i
/// (a replicate, a network) belongs to shard <c>i mod Count</c>; every item is seeded by its own index, never by the
/// layout, so the merged results do not depend on the number of shards.
/// </summary>
public sealed record ShardSpec(int Index, int Count)
{
    /// <summary>The environment variable that gives the shard count to <c>--shard auto</c> on engines whose array
    /// index comes without a count (Kubernetes Indexed Jobs); <c>--shard auto/N</c> gives it on the command
    /// line.</summary>
    public const string CountVariable = "DEMO_SHARD_COUNT";

    /// <summary>The whole run on one machine.</summary>
    public static readonly ShardSpec All = new(0, 1);

    /// <summary>Whether item <paramref name="item"/> belongs to this shard.</summary>
    public bool Owns(int item) => item % Count == Index;

    /// <summary>"2/3": the shard as <c>--shard</c> takes it (1-based).</summary>
    public override string ToString() => $"{Index + 1}/{Count}";

    /// <summary>
    /// Parses <c>--shard</c>: <c>k/n</c> with k 1-based (1..n, as Playwright and Jest count shards), or
    /// <c>auto</c> / <c>auto/N</c>, read from the array job's environment (<paramref name="env"/>): Slurm's
    /// <c>SLURM_ARRAY_TASK_ID</c> less <c>SLURM_ARRAY_TASK_MIN</c>, divided by <c>SLURM_ARRAY_TASK_STEP</c>, of
    /// <c>SLURM_ARRAY_TASK_COUNT</c>; a Kubernetes Indexed Job's <c>JOB_COMPLETION_INDEX</c> (0-based) of N or
    /// <see cref="CountVariable"/>; AWS Batch's <c>AWS_BATCH_JOB_ARRAY_INDEX</c> (0-based) of
    /// <c>AWS_BATCH_JOB_ARRAY_SIZE</c> or N. A bad value is an <see cref="InputException"/> of one line.
    /// </summary>
    public static ShardSpec Parse(string text, Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(env);
        string t = text.Trim();
        if (t == "auto" || t.StartsWith("auto/", StringComparison.Ordinal))
        {
            int? given = t == "auto" ? null : Whole(t[5..], "--shard", $"'{t}': N in auto/N");
            if (given is <= 0) throw new InputException($"--shard '{t}': N in auto/N must be at least 1");
            return Auto(given, env, t);
        }
        int slash = t.IndexOf('/');
        if (slash < 0)
            throw new InputException($"--shard '{t}': expected k/n (k = 1..n, e.g. 1/3), auto or auto/N");
        int k = Whole(t[..slash], "--shard", $"'{t}': k in k/n");
        int n = Whole(t[(slash + 1)..], "--shard", $"'{t}': n in k/n");
        if (n < 1) throw new InputException($"--shard '{t}': n must be at least 1");
        if (k < 1 || k > n)
            throw new InputException($"--shard '{t}': k must be 1 to {n} (k is 1-based: 1/{n} is the first shard " +
                                     $"of {n})");
        return new ShardSpec(k - 1, n);
    }

    private static ShardSpec Auto(int? given, Func<string, string?> env, string t)
    {
        if (env("SLURM_ARRAY_TASK_ID") is { } slurm)
        {
            int id = Whole(slurm, "SLURM_ARRAY_TASK_ID", $"'{slurm}'");
            int min = env("SLURM_ARRAY_TASK_MIN") is { } m ? Whole(m, "SLURM_ARRAY_TASK_MIN", $"'{m}'") : 0;
            int step = env("SLURM_ARRAY_TASK_STEP") is { } s ? Whole(s, "SLURM_ARRAY_TASK_STEP", $"'{s}'") : 1;
            int? count = env("SLURM_ARRAY_TASK_COUNT") is { } c ? Whole(c, "SLURM_ARRAY_TASK_COUNT", $"'{c}'") : null;
            if (step < 1 || (id - min) % step != 0)
                throw new InputException($"--shard {t}: SLURM_ARRAY_TASK_ID {id} is not SLURM_ARRAY_TASK_MIN {min} " +
                                         $"plus a multiple of SLURM_ARRAY_TASK_STEP {step}: submit a range " +
                                         $"(--array=0-{(count ?? 2) - 1}), not a list");
            return Checked((id - min) / step, given ?? count, "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", t);
        }
        if (env("JOB_COMPLETION_INDEX") is { } job)
        {
            int? count = env(CountVariable) is { } c ? Whole(c, CountVariable, $"'{c}'") : null;
            return Checked(Whole(job, "JOB_COMPLETION_INDEX", $"'{job}'"), given ?? count, "JOB_COMPLETION_INDEX",
                           CountVariable, t);
        }
        if (env("AWS_BATCH_JOB_ARRAY_INDEX") is { } aws)
        {
            int? count = env("AWS_BATCH_JOB_ARRAY_SIZE") is { } c
                ? Whole(c, "AWS_BATCH_JOB_ARRAY_SIZE", $"'{c}'")
                : null;
            return Checked(Whole(aws, "AWS_BATCH_JOB_ARRAY_INDEX", $"'{aws}'"), given ?? count,
                           "AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE", t);
        }
        throw new InputException($"--shard {t}: no array index in the environment (SLURM_ARRAY_TASK_ID, " +
                                 $"JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX); give --shard k/n");
    }

    // A 0-based index of count from the environment, or the error naming both variables.
    private static ShardSpec Checked(int index, int? count, string indexName, string countName, string t)
    {
        if (count is not { } n)
            throw new InputException($"--shard {t}: {indexName} is set but not the shard count: set {countName} or " +
                                     $"give --shard auto/N");
        if (n < 1) throw new InputException($"--shard {t}: {countName} must be at least 1, got {n}");
        if (index < 0 || index >= n)
            throw new InputException($"--shard {t}: {indexName} gives shard index {index} (0-based), outside 0 to " +
                                     $"{n - 1} for {n} shards");
        return new ShardSpec(index, n);
    }

    private static int Whole(string text, string name, string what) =>
        int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new InputException($"{name} {what} is not a whole number");
}
