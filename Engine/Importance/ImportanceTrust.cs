namespace Engine.Importance;

/// <summary>
/// A method that disagrees with the consensus: <paramref name="Spearman"/> is its rho with the first consensus
/// (<see cref="ImportanceTrust"/>);
/// <paramref name="Inversion"/>, when set, an input judged not to matter (Irrelevant) that it ranks above one that
/// matters (Relevant): the best-ranked such input and the worst-ranked relevant one below it (unit indices).
/// </summary>
internal sealed record TrustFlag(string Method, double Spearman, (int Irrelevant, int Relevant)? Inversion);

/// <summary>
/// "Can I trust this?" for one set of method runs (<see cref="ImportanceTrust.Assess"/>). Unit indices are the
/// results' feature (or group) indices.
/// </summary>
/// <param name="Contenders">The methods that rank the model (every run but the sanity checks), in run order.</param>
/// <param name="Passed">The contenders left after the flags: the consensus is theirs.</param>
/// <param name="MeanRanks">Per unit its mean mid rank over <paramref name="Passed"/>.</param>
/// <param name="Order">Units from the most important by <paramref name="MeanRanks"/> (ties: lower index
/// first).</param>
/// <param name="Relevant">Per unit whether it matters (<see cref="ImportanceTrust.Matters"/>); null when no
/// judge ran.</param>
/// <param name="Judges">The runs that judged relevance (<see cref="ImportanceTrust.JudgeMethods"/> that ran).</param>
/// <param name="KendallW">Kendall's W (tie-corrected) over <paramref name="Passed"/>; NaN for fewer than two.</param>
/// <param name="KendallWAll">Kendall's W over all <paramref name="Contenders"/>.</param>
/// <param name="Spearman">Spearman's rho between every two contenders, in <paramref name="Contenders"/>' order.</param>
/// <param name="Flags">The contenders that disagree, in run order.</param>
/// <param name="Sanity">The first sanity check that ran (<see cref="ImportanceResult.RandomisedModel"/>), or
/// null.</param>
internal sealed record TrustAssessment(
    IReadOnlyList<string> Contenders, IReadOnlyList<string> Passed, double[] MeanRanks, int[] Order, bool[]? Relevant,
    IReadOnlyList<string> Judges, double KendallW, double KendallWAll, double[,] Spearman,
    IReadOnlyList<TrustFlag> Flags, TrustSanity? Sanity);

/// <summary>
/// Adebayo et al.'s model-randomisation verdict: the checked method's share of the unit <paramref name="Unit"/> on
/// the trained model (<paramref name="Trained"/>) against its shares on randomised networks
/// (<paramref name="Randomised"/>), for the unit whose trained share lies farthest from its randomised mean in
/// standard errors. <paramref name="Passed"/>: that share lies outside the randomised 95% interval, so the method's
/// answer depends on what the model learned; false: every trained share lies inside its interval; null: not
/// decidable (one randomised network, or no trained shares).
/// </summary>
internal sealed record TrustSanity(string Method, int Unit, double Trained, SampleStatistics Randomised,
                                   bool? Passed);

/// <summary>
/// Which inputs matter, which methods agree, and which to set aside, from the runs alone:
/// <list type="number">
/// <item>The contenders are every run but the sanity checks.</item>
/// <item>Relevance is judged by the methods whose score is the rise in loss when an input is permuted or removed,
/// so that 0 means no effect (<see cref="JudgeMethods"/>). By one judge a unit is negligible when its rise is below
/// <see cref="NegligibleShare"/> of the judge's largest rise, or its 95% interval reaches 0 (low end &lt;= 0). A
/// unit does not matter when at least half the judges find it negligible.</item>
/// <item>A contender is flagged when it ranks a unit that does not matter strictly above one that does. The first
/// consensus is each unit's mean mid rank (<see cref="ImportanceAgreement.MeanRanks"/>) over the contenders not
/// flagged so far (all when none is left); a contender is also flagged when its Spearman rho with it is below
/// <see cref="SpearmanFloor"/> (or undefined: it ties every unit).</item>
/// <item>The consensus is the mean mid rank over the contenders not flagged (all contenders when every one is);
/// Kendall's W is over those.</item>
/// </list>
/// </summary>
internal static class ImportanceTrust
{
    /// <summary>The methods whose score is a rise in loss with 0 = no effect, in the order they are asked.</summary>
    public static readonly IReadOnlyList<string> JudgeMethods =
        ["permutation", "improved-stepwise-1", "improved-stepwise-2"];

    /// <summary>A rise below this share of the judge's largest is negligible (2%).</summary>
    public const double NegligibleShare = 0.02;

    /// <summary>A contender whose rho with the first consensus is below this is flagged.</summary>
    public const double SpearmanFloor = 0.8;

    /// <summary>The assessment of <paramref name="runs"/> (at least one that is not a sanity check).</summary>
    public static TrustAssessment Assess(IReadOnlyList<MethodRun> runs)
    {
        var contenders = runs.Where(r => !r.Result.RandomisedModel).ToList();
        if (contenders.Count == 0)
            throw new ArgumentException("no method ranks the model itself (only sanity checks)", nameof(runs));
        var ranks = contenders.Select(Ranks).ToList();
        int n = ranks[0].Length;
        var judges = JudgeMethods.Select(name => contenders.FirstOrDefault(r => r.Name == name))
            .OfType<MethodRun>().ToList();
        var relevant = judges.Count == 0 ? null : Matters(judges.Select(j => Ordered(j.Result)).ToList());
        var inversions = ranks.Select(r => relevant is null ? null : Inversion(r, relevant)).ToList();
        var straight = Enumerable.Range(0, contenders.Count).Where(m => inversions[m] is null).ToList();
        var first = ImportanceAgreement.MeanRanks(straight.Count > 0 ? straight.Select(m => ranks[m]).ToList()
                                                      : ranks);
        var flags = new List<TrustFlag>();
        for (int m = 0; m < contenders.Count; m++)
        {
            double rho = ImportanceStatistics.Spearman(ranks[m].Select(r => (double)r).ToArray(), first);
            if (inversions[m] is not null || !(rho >= SpearmanFloor))
                flags.Add(new TrustFlag(contenders[m].Name, rho, inversions[m]));
        }
        var kept = Enumerable.Range(0, contenders.Count).Where(m => flags.All(f => f.Method != contenders[m].Name))
            .ToList();
        if (kept.Count == 0) kept = Enumerable.Range(0, contenders.Count).ToList();
        var keptRanks = kept.Select(m => ranks[m]).ToList();
        var mean = ImportanceAgreement.MeanRanks(keptRanks);
        var order = Enumerable.Range(0, n).OrderBy(j => mean[j]).ThenBy(j => j).ToArray();

        TrustSanity? sanity = null;
        if (runs.FirstOrDefault(r => r.Result.RandomisedModel) is { } check) sanity = Sanity(check);
        return new TrustAssessment(contenders.Select(r => r.Name).ToList(), kept.Select(m => contenders[m].Name)
                                       .ToList(), mean, order, relevant, judges.Select(j => j.Name).ToList(),
                                   ImportanceAgreement.KendallW(keptRanks), ImportanceAgreement.KendallW(ranks),
                                   ImportanceAgreement.SpearmanMatrix(ranks), flags, sanity);
    }

    /// <summary>The verdict of a sanity check (<see cref="TrustSanity"/>).</summary>
    public static TrustSanity Sanity(MethodRun check)
    {
        var random = Ordered(check.Result);
        var trained = check.Result.TrainedShares;
        var stats = random.Select(f => f.Statistics ?? new SampleStatistics(f.Score, double.NaN, double.NaN, 1))
            .ToArray();
        if (trained is null || stats.Any(s => !(s.Se >= 0)))
            return new TrustSanity(check.Name, 0, trained?[0] ?? double.NaN, stats[0], null);
        // Farthest in standard errors (a zero SE with a different share is infinitely far).
        int unit = Enumerable.Range(0, trained.Length).MaxBy(j => Math.Abs(trained[j] - stats[j].Mean) / stats[j].Se);
        var s = stats[unit];
        return new TrustSanity(check.Name, unit, trained[unit], s,
                               trained[unit] < s.Ci95Low || trained[unit] > s.Ci95High);
    }

    /// <summary>
    /// Per unit whether it matters, from the judges' results (each in unit order): not when at least half of them
    /// find it negligible (score &lt; <see cref="NegligibleShare"/> x the judge's largest score, or a 95% interval
    /// whose low end is &lt;= 0).
    /// </summary>
    public static bool[] Matters(IReadOnlyList<IReadOnlyList<FeatureImportance>> judges)
    {
        if (judges.Count == 0) throw new ArgumentException("at least one judge is needed", nameof(judges));
        int n = judges[0].Count;
        var negligible = new int[n];
        foreach (var judge in judges)
        {
            double top = judge.Max(f => f.Score);
            for (int j = 0; j < n; j++)
            {
                var f = judge[j];
                if (!(f.Score >= NegligibleShare * top) || !(top > 0)
                    || f.Statistics is { Count: > 1 } s && !(s.Ci95Low > 0)) negligible[j]++;
            }
        }
        return negligible.Select(c => 2 * c < judges.Count).ToArray();
    }

    /// <summary>The best-ranked unit that does not matter ranked strictly above the worst-ranked unit that does, or
    /// null when every unit that matters ranks above every one that does not.</summary>
    public static (int Irrelevant, int Relevant)? Inversion(IReadOnlyList<int> ranks, bool[] relevant)
    {
        int irrelevant = -1, worst = -1;
        for (int j = 0; j < ranks.Count; j++)
        {
            if (relevant[j]) { if (worst < 0 || ranks[j] > ranks[worst]) worst = j; }
            else if (irrelevant < 0 || ranks[j] < ranks[irrelevant]) irrelevant = j;
        }
        return irrelevant >= 0 && worst >= 0 && ranks[irrelevant] < ranks[worst] ? (irrelevant, worst) : null;
    }

    private static FeatureImportance[] Ordered(ImportanceResult r) =>
        r.Features.OrderBy(f => f.Feature).ToArray();

    private static int[] Ranks(MethodRun run) => Ordered(run.Result).Select(f => f.Rank).ToArray();
}
