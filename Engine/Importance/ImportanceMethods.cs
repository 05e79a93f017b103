namespace Engine.Importance;

/// <summary>The registry: CLI names to methods with their default options, in the order tables show them.</summary>
public static class ImportanceMethods
{
    /// <summary>
    /// Every method's CLI name: the nine of Olden et al. (2004) (connection weights also with Olden &amp; Jackson's
    /// randomisation test), then permutation, integrated gradients, occlusion and the sanity check.
    /// </summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "connection-weights", "connection-weights-test", "garson", "partial-derivatives", "input-perturbation",
        "sensitivity-analysis",
        "forward-stepwise", "backward-stepwise", "improved-stepwise-1", "improved-stepwise-2",
        "permutation", "integrated-gradients", "occlusion", "model-randomisation",
    ];

    /// <summary>
    /// The method called <paramref name="name"/> with <paramref name="options"/> (null:
    /// <see cref="ImportanceOptions.Default"/>);
    /// each method takes only its own options. Unknown names throw, listing the valid ones. The one place a method is
    /// made from its name: callers never rebuild instances to change an option.
    /// </summary>
    public static IImportanceMethod Create(string name, ImportanceOptions? options = null)
    {
        var o = options ?? ImportanceOptions.Default;
        return name switch
        {
            "connection-weights" => new ConnectionWeights(),
            "connection-weights-test" => new ConnectionWeightsTest { Networks = o.NullNetworks },
            "garson" => new Garson(),
            "partial-derivatives" => new PartialDerivatives(),
            "input-perturbation" => new InputPerturbation { Sigma = o.Noise, TimeResolved = o.TimeMaps },
            "sensitivity-analysis" => new SensitivityAnalysis(),
            "forward-stepwise" => new RetrainingStepwise(forward: true) { Restarts = o.Restarts },
            "backward-stepwise" => new RetrainingStepwise(forward: false) { Restarts = o.Restarts },
            "improved-stepwise-1" => new ImprovedStepwise(useMeans: false),
            "improved-stepwise-2" => new ImprovedStepwise(useMeans: true),
            "permutation" => new Permutation(),
            "integrated-gradients" => new IntegratedGradients
            {
                From = o.Baseline, ZeroPoint = o.ZeroPoint, LagMap = o.TimeMaps,
            },
            "occlusion" => new Occlusion(),
            "model-randomisation" => new ModelRandomisation(),
            _ => throw new ArgumentException(UnknownMessage(name)),
        };
    }

    /// <summary>The methods called <paramref name="names"/>, in order, each from
    /// <see cref="Create(string, ImportanceOptions?)"/>.</summary>
    public static IReadOnlyList<IImportanceMethod> Create(IEnumerable<string> names,
                                                          ImportanceOptions? options = null) =>
        names.Select(n => Create(n, options)).ToArray();

    /// <summary>
    /// Parses "all" or a comma-separated list of names (spaces ignored, duplicates dropped, order kept);
    /// throws <see cref="ArgumentException"/> naming the first unknown name and listing the valid ones.
    /// </summary>
    public static IReadOnlyList<string> Parse(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var names = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0) throw new ArgumentException("no importance method given; " + ValidList);
        if (names.Any(n => n.Equals("all", StringComparison.OrdinalIgnoreCase))) return Names;
        var result = new List<string>();
        foreach (var raw in names)
        {
            var name = raw.ToLowerInvariant();
            if (!Names.Contains(name)) throw new ArgumentException(UnknownMessage(raw));
            if (!result.Contains(name)) result.Add(name);
        }
        return result;
    }

    private static string ValidList => $"valid methods: {string.Join(", ", Names)}, or all";

    private static string UnknownMessage(string name) => $"unknown importance method '{name}'; {ValidList}";
}
