using Engine.Random;

namespace Engine.Importance;

/// <summary>
/// Olden &amp; Jackson's (2002) randomisation test for connection weights. The observed scores are
/// <see cref="ConnectionWeights"/> of the trained model, CW_i. The null distribution comes from R networks trained
/// from scratch on the same inputs with the targets permuted across series (the context's
/// <see cref="ImportanceContext.RetrainPermuted"/>; network r seeded by <c>new
/// RandomSource(Seed).Fork(r).NextUInt64()</c>),
/// each scored the same way. Per feature the two-sided p-value is
/// <c>p_i = (1 + #{r : |CW_i^(r)| &gt;= |CW_i|}) / (R + 1)</c>: in (0, 1], in steps of 1/(R + 1), and exactly 1 for a
/// feature whose observed CW is 0 (a zero kernel row). The null networks should be trained as the observed one was:
/// a shorter schedule leaves their weights smaller and the p-values too small.
/// Cost: R trainings (in parallel), plus matrix products.
/// </summary>
public sealed class ConnectionWeightsTest : IImportanceMethod
{
    public string Name => "connection-weights-test";
    public ImportanceNeeds Needs => ImportanceNeeds.Targets | ImportanceNeeds.PermutedRetraining;
    public ImportanceRanking Ranking => ImportanceRanking.Magnitude;

    /// <summary>R, networks trained on permuted targets (Olden &amp; Jackson used 999; 19 gives p down to
    /// 0.05).</summary>
    public int Networks { get; init; } = 19;

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        Check.Positive(Networks, nameof(Networks));
        context.RequireTargets(Name); // the null networks train on them, permuted
        var retrain = context.RetrainPermuted
            ?? throw new InvalidOperationException($"{Name} trains networks on permuted targets: give the context a " +
                                                   $"RetrainPermuted callback");
        int features = context.Features, networks = Networks;
        var all = Enumerable.Range(0, features).ToArray();
        var method = new ConnectionWeights();
        var observed = method.Compute(context);
        var root = new RandomSource(context.Seed);
        var nulls = ModelTasks.Map(networks, context.Threads, r =>
        {
            var model = retrain(all, root.Fork((ulong)r).NextUInt64());
            if (model.InputFeatures != features || model.OutputsPerSeries(context.Steps) != context.OutputsPerSeries)
                throw new InvalidOperationException($"the retrainer returned a model with {model.InputFeatures} " +
                                                    $"inputs and {model.OutputsPerSeries(context.Steps)} outputs per " +
                                                    $"series; expected {features} and {context.OutputsPerSeries}");
            return method.Compute(context with { Model = model, Threads = 1 }).Scores;
        });
        var p = PValues(observed.Scores, nulls);
        var nullMean = Enumerable.Range(0, features).Select(i => nulls.Average(s => Math.Abs(s[i]))).ToArray();
        return observed with
        {
            Method = Name,
            Features = observed.Features.Select(f => f with { P = p[f.Feature] }).ToArray(),
            ScoreMeaning = observed.ScoreMeaning + $"; p from {networks} networks on permuted targets",
            Note = $"connection-weights-test: p = {string.Join(", " +
                   $"", p.Select(v => v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))} "
                 + $"(resolution 1/{networks + 1}); mean |CW| of the null networks {string.Join(", " +
                   $"", nullMean.Select(v => v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)))}",
        };
    }

    /// <summary>p_i = (1 + #{r : |null_r[i]| &gt;= |observed[i]|}) / (R + 1).</summary>
    internal static double[] PValues(IReadOnlyList<double> observed, IReadOnlyList<double[]> nulls)
    {
        var p = new double[observed.Count];
        for (int i = 0; i < p.Length; i++)
        {
            int atLeast = nulls.Count(s => Math.Abs(s[i]) >= Math.Abs(observed[i]));
            p[i] = (1.0 + atLeast) / (nulls.Count + 1);
        }
        return p;
    }
}
