namespace Engine.Importance;

/// <summary>
/// Olden &amp; Jackson's (2002) connection weights, carried through stacked LSTMs: the signed product of the input
/// weights along every path to the output, CW = W1^c W2^c ... v (F, O), summed over outputs:
/// <c>CW_i = sum_o (W1^c W2^c ... v)[i, o]</c>, where W_k^c is layer k's candidate-block kernel (a Dense layer's
/// kernel).
/// Ranked by |CW_i| (the sign gives the direction). <see cref="ImportanceResult.GateScores"/> repeats the product
/// with each first-layer gate block (i, f, c, o) in place of W1^c. Weights only: no data, no randomness.
/// </summary>
public sealed class ConnectionWeights : IImportanceMethod
{
    public string Name => "connection-weights";
    public ImportanceNeeds Needs => ImportanceNeeds.None;
    public ImportanceRanking Ranking => ImportanceRanking.Magnitude;

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        var model = context.Model;
        var downstream = WeightPaths.Downstream(model, absolute: false); // (H1, O)
        int value = WeightPaths.ValueGate(model), gateCount = WeightPaths.FirstLayerGates(model).Count;
        var scores = Path(model, value, downstream);
        double[,]? gates = null;
        if (gateCount > 1)
        {
            gates = new double[gateCount, context.Features];
            for (int g = 0; g < gateCount; g++)
            {
                var row = g == value ? scores : Path(model, g, downstream);
                for (int i = 0; i < row.Length; i++) gates[g, i] = row[i];
            }
        }
        return ImportanceResult.FromScores(Name, scores, byMagnitude: true) with
        {
            ScoreMeaning = "signed weight product W1c..v, ranked by |CW|",
            GateScores = gates,
        };
    }

    private static double[] Path(Models.Sequential model, int gate, double[,] downstream) =>
        WeightPaths.RowSums(WeightPaths.Multiply(WeightPaths.FirstLayer(model, gate, absolute: false), downstream));
}
