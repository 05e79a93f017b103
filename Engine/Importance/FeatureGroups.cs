namespace Engine.Importance;

/// <summary>
/// Named groups of input features that importance methods score as one unit (a sensor set, one-hot columns):
/// permutation permutes a group's columns together (the same series order), occlusion replaces them together,
/// input perturbation adds noise to them together. Features named in no group stay single units.
/// The units are the groups in the order given, then the ungrouped features in feature order; a result scored by
/// units carries the grouping in <see cref="ImportanceResult.Groups"/>, and its feature indices are unit indices.
/// Methods that cannot take groups have their per-feature scores summed into the units (<see cref="Sum"/>).
/// Lag windows (<see cref="Lags"/>) make a unit a block of cells that moves with the output: for the outputs of step
/// tau, unit u is its members at steps tau - Last..tau - First (<see cref="Windows"/>); only the methods that score
/// units themselves (<see cref="IImportanceMethod.ScoresGroups"/>) take them.
/// </summary>
public sealed record FeatureGroups
{
    private FeatureGroups(string[] names, int[][] members, string[] featureNames, LagWindow?[]? windows = null)
    {
        Names = names;
        Members = members;
        FeatureNames = featureNames;
        Windows = windows ?? new LagWindow?[members.Length];
    }

    /// <summary>The units' names: each group's name, then each ungrouped feature's name.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The feature indices of each unit, ascending (a single feature's unit holds just it).</summary>
    public IReadOnlyList<int[]> Members { get; }

    /// <summary>
    /// Each unit's lag window: null, every step of its members (a feature unit); (a, b), for an output at step tau its
    /// members at steps tau - b..tau - a (those at or after step 0).
    /// </summary>
    public IReadOnlyList<LagWindow?> Windows { get; }

    /// <summary>Whether some unit is a lag window (<see cref="Lags"/>): then per-feature scores cannot be summed into
    /// the units.</summary>
    public bool HasLagWindows => Windows.Any(w => w is not null);

    /// <summary>The names of the F input features the grouping covers.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>F, the input features the grouping covers.</summary>
    public int Features => FeatureNames.Count;

    /// <summary>U, the units scored.</summary>
    public int Count => Members.Count;

    /// <summary>Every feature its own unit, named by <paramref name="featureNames"/>: the ungrouped scoring.</summary>
    internal static FeatureGroups Singles(IReadOnlyList<string> featureNames) => Create([], featureNames);

    /// <summary>
    /// Groups from a spec <c>"weather=temperature,humidity;engine=rpm,load"</c> (spaces around names ignored) over
    /// <paramref name="featureNames"/>. Throws <see cref="ArgumentException"/> with one line naming the problem: a
    /// group without '=' or a name, an empty group, an unknown feature, a feature named twice, a duplicate group name,
    /// or a group named like an ungrouped feature.
    /// </summary>
    public static FeatureGroups Parse(string spec, IReadOnlyList<string> featureNames)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(featureNames);
        var groups = new List<(string Name, string[] Features)>();
        foreach (var part in spec.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            if (eq < 0) throw new ArgumentException($"group '{part}' has no '=': write name=feature,feature");
            string name = part[..eq].Trim();
            if (name.Length == 0) throw new ArgumentException($"group '{part}' has no name before '='");
            var members = part[(eq + 1)..]
                .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (members.Length == 0) throw new ArgumentException($"group '{name}' is empty: name at least one feature");
            groups.Add((name, members));
        }
        if (groups.Count == 0) throw new ArgumentException("no group given: write name=feature,feature;name=...");
        return Create(groups, featureNames);
    }

    /// <summary>Groups given as (name, feature names); the checks of <see cref="Parse"/>.</summary>
    public static FeatureGroups Create(IReadOnlyList<(string Name, string[] Features)> groups,
                                       IReadOnlyList<string> featureNames)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(featureNames);
        var owner = new string?[featureNames.Count];
        var names = new List<string>();
        var members = new List<int[]>();
        foreach (var (name, features) in groups)
        {
            if (names.Contains(name)) throw new ArgumentException($"group '{name}' is given twice");
            if (features.Length == 0)
                throw new ArgumentException($"group '{name}' is empty: name at least one feature");
            var indices = new List<int>();
            foreach (var feature in features)
            {
                int i = IndexOf(featureNames, feature);
                if (i < 0)
                    throw new ArgumentException($"group '{name}': unknown feature '{feature}'; features: " +
                                                $"{string.Join(", ", featureNames)}");
                if (owner[i] is { } other)
                    throw new ArgumentException(other == name ? $"group '{name}' names feature '{feature}' twice"
                                                              : $"feature '{feature}' is in two groups, '{other}' " +
                                                                $"and '{name}'");
                owner[i] = name;
                indices.Add(i);
            }
            indices.Sort();
            names.Add(name);
            members.Add([.. indices]);
        }
        for (int i = 0; i < featureNames.Count; i++)
        {
            if (owner[i] is not null) continue;
            if (names.Contains(featureNames[i]))
                throw new ArgumentException($"group '{featureNames[i]}' has the name of a feature outside it: rename " +
                                            $"the group");
            names.Add(featureNames[i]);
            members.Add([i]);
        }
        return new FeatureGroups([.. names], [.. members], [.. featureNames]);
    }

    /// <summary>
    /// Units by lag window from a spec <c>"0-2,3-11"</c> (a window <c>a-b</c> or one lag <c>a</c>; lag 0 is the
    /// output's own step) over series of <paramref name="steps"/> steps: without <paramref name="groups"/> one unit
    /// per window over every feature, named <c>lags 0-2</c> (<c>lag 3</c>); with them, every unit of
    /// <paramref name="groups"/> crossed with every window, named <c>weather lags 0-2</c>, the groups' order outside.
    /// Lags in no window are not scored. Throws <see cref="ArgumentException"/> with one line naming the problem:
    /// a window that is not a-b with 0 &lt;= a &lt;= b, a lag at or past <paramref name="steps"/>, two windows that
    /// overlap, no window.
    /// </summary>
    public static FeatureGroups Lags(string spec, int steps, IReadOnlyList<string> featureNames,
                                     FeatureGroups? groups = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(featureNames);
        Check.Positive(steps, nameof(steps));
        var windows = new List<LagWindow>();
        foreach (var part in spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var window = LagWindow.Parse(part);
            if (window.Last >= steps)
                throw new ArgumentException($"window '{part}' reaches lag {window.Last}, and the series have {steps} " +
                                            $"steps (lags 0-{steps - 1})");
            foreach (var other in windows)
                if (window.First <= other.Last && other.First <= window.Last)
                    throw new ArgumentException($"windows '{other}' and '{window}' overlap at lag " +
                                                $"{Math.Max(window.First, other.First)}");
            windows.Add(window);
        }
        if (windows.Count == 0) throw new ArgumentException("no window given: write first-last lags, e.g. 0-2,3-11");
        if (groups is not null && groups.HasLagWindows)
            throw new ArgumentException("the groups are lag windows already");
        var all = Enumerable.Range(0, featureNames.Count).ToArray();
        var units = groups is null ? [("", all)]
                    : groups.Names.Select((n, u) => (n + " ", groups.Members[u])).ToArray();
        var names = new List<string>();
        var members = new List<int[]>();
        var byUnit = new List<LagWindow?>();
        foreach (var (prefix, unit) in units)
            foreach (var window in windows)
            {
                names.Add(prefix + window.Name);
                members.Add(unit);
                byUnit.Add(window);
            }
        return new FeatureGroups([.. names], [.. members], [.. featureNames], [.. byUnit]);
    }

    /// <summary>
    /// Steps [From, To) of unit <paramref name="unit"/>'s cells for the outputs of output group
    /// <paramref name="group"/> (a step of a sequence output; else the one group, the last step): every step for a
    /// feature unit, else tau - b..tau - a clipped at step 0 (empty when tau &lt; a).
    /// </summary>
    internal (int From, int To) StepsOf(int unit, int group, int steps, bool sequence)
    {
        if (Windows[unit] is not { } w) return (0, steps);
        return w.StepsBefore(sequence ? group : steps - 1);
    }

    /// <summary>
    /// The cells hidden when every unit outside <paramref name="kept"/> (bit u: unit u) is removed, for lag windows:
    /// (feature, window) for each member of each removed unit (what a <see cref="MaskedRetrainer"/> zeroes).
    /// </summary>
    internal (int Feature, LagWindow Lags)[] Removed(ulong kept)
    {
        var removed = new List<(int, LagWindow)>();
        for (int u = 0; u < Count; u++)
            if ((kept & StepwiseSearch.Bit(u)) == 0 && Windows[u] is { } w)
                foreach (int i in Members[u]) removed.Add((i, w));
        return [.. removed];
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return -1;
    }

    /// <summary>The units of <paramref name="context"/>: its groups, or every feature alone when it has none.</summary>
    internal static int[][] UnitsOf(ImportanceContext context)
    {
        if (context.Groups is { } g) return [.. g.Members];
        var singles = new int[context.Features][];
        for (int i = 0; i < singles.Length; i++) singles[i] = [i];
        return singles;
    }

    /// <summary>
    /// The predictions (N, OutputsPerSeries(T)) of the context's inputs with the units <paramref name="perturbed"/>
    /// changed by <paramref name="write"/>(x, unit, from, to), which rewrites the unit's members at steps [from, to)
    /// of every series of its copy x. Feature units (no lag windows): one copy, every step, one prediction. Lag
    /// windows: each output group g (step g of a sequence output; the one group, the last step, otherwise) is
    /// predicted from its own copy, with each unit's window placed before that group's step
    /// (<see cref="StepsOf"/>), and only group g's outputs are kept; a group no window reaches keeps
    /// <paramref name="unperturbed"/>'s outputs. With <paramref name="recorded"/> (the unperturbed pass recorded,
    /// <see cref="ModelWorker.Record"/>) a group's pass resumes at its earliest changed step (the same numbers).
    /// Valid until the worker's next prediction.
    /// </summary>
    internal static ReadOnlySpan<float> Predict(ModelWorker worker, ImportanceContext context,
                                                ReadOnlySpan<int> perturbed, UnitCells write,
                                                ReadOnlySpan<float> unperturbed, Models.RecordedPass? recorded = null)
    {
        int steps = context.Steps, count = context.Count, outputs = context.OutputsPerSeries;
        if (context.Groups is not { HasLagWindows: true } groups)
        {
            var copy = worker.CopyOf(context.Inputs);
            foreach (int u in perturbed) write(copy, u, 0, steps);
            return worker.Predict(copy, count, steps);
        }
        bool sequence = context.Model.OutputsSequence;
        int outputGroups = sequence ? steps : 1, width = outputs / outputGroups;
        var composite = worker.Composite(count * outputs);
        unperturbed.CopyTo(composite);
        for (int g = 0; g < outputGroups; g++)
        {
            Span<float> x = default;
            int first = steps;
            foreach (int u in perturbed)
            {
                var (from, to) = groups.StepsOf(u, g, steps, sequence);
                if (to <= from) continue;
                if (x.IsEmpty) x = worker.CopyOf(context.Inputs);
                write(x, u, from, to);
                first = Math.Min(first, from);
            }
            if (x.IsEmpty) continue;
            var y = worker.PredictFrom(x, count, steps, recorded, first);
            for (int n = 0; n < count; n++)
                y.Slice(n * outputs + g * width, width).CopyTo(composite.Slice(n * outputs + g * width, width));
        }
        return composite;
    }

    /// <summary>
    /// A per-feature result summed into the units: unit score <c>S_u = sum_{i in u} S_i</c> (exact for attributions
    /// that add up, as integrated gradients' do by completeness; only a summary for the other methods), ranked as
    /// <paramref name="ranking"/> ranks; time, lag and gate maps summed by column likewise. Statistics and p-values are
    /// dropped (a sum's SD needs the covariances; p-values do not add), and so are Lek's curves. For a stepwise order a
    /// unit is in while any member is: it enters with its first member (forward) and is removed with its last
    /// (backward); its rank follows that order.
    /// </summary>
    public ImportanceResult Sum(ImportanceResult result, ImportanceRanking ranking)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (HasLagWindows)
            throw new InvalidOperationException($"{result.Method} scores whole features: its scores cannot be summed " +
                                                "into lag windows");
        if (result.Features.Count != Features)
            throw new ArgumentException($"the result scores {result.Features.Count} features, the grouping covers " +
                                        $"{Features}", nameof(result));
        var byFeature = new double[Features];
        foreach (var f in result.Features) byFeature[f.Feature] = f.Score;
        var scores = Members.Select(m => m.Sum(i => byFeature[i])).ToArray();
        int[]? order = null;
        ImportanceResult grouped;
        if (ranking.OrderWord() is not null && result.Order is { } featureOrder)
        {
            var unitOf = new int[Features];
            for (int u = 0; u < Count; u++) foreach (var i in Members[u]) unitOf[i] = u;
            // A unit is in the model while any member is: it enters with its first member, leaves with its last.
            bool entry = ranking == ImportanceRanking.EntryOrder;
            order = entry ? featureOrder.Select(i => unitOf[i]).Distinct().ToArray()
                          : Enumerable.Reverse(featureOrder).Select(i => unitOf[i]).Distinct().Reverse().ToArray();
            var ranks = new int[Count];
            for (int k = 0; k < order.Length; k++) ranks[order[k]] = entry ? k + 1 : Count - k;
            grouped = new ImportanceResult(result.Method,
                                           scores.Select((s, u) => new FeatureImportance(u, s, ranks[u])).ToArray());
        }
        else grouped = ImportanceResult.FromScores(result.Method, scores, byMagnitude: ranking.ByMagnitude());
        return grouped with
        {
            ScoreMeaning =
                result.ScoreMeaning.Length > 0 ? $"{result.ScoreMeaning}, summed over each group" : "summed over " +
                    "each group",
            TimeMap = SumColumns(result.TimeMap),
            LagMap = SumColumns(result.LagMap),
            GateScores = SumColumns(result.GateScores),
            Order = order,
            Note = result.Note,
            RandomisedModel = result.RandomisedModel,
            TrainedShares = result.TrainedShares is { } shares
                ? Members.Select(m => m.Sum(i => shares[i])).ToArray() : null,
            Completeness = result.Completeness,
            Groups = this,
        };
    }

    /// <summary>(rows, F) to (rows, U): column u is the sum of its members' columns; null stays null.</summary>
    internal double[,]? SumColumns(double[,]? map)
    {
        if (map is null) return null;
        var sums = new double[map.GetLength(0), Count];
        for (int r = 0; r < map.GetLength(0); r++)
            for (int u = 0; u < Count; u++)
                foreach (var i in Members[u]) sums[r, u] += map[r, i];
        return sums;
    }
}
