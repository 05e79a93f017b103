namespace Engine.Importance;

/// <summary>
/// Garson's (1991) algorithm as Goh (1995) states it, on the first LSTM layer's input weights:
/// <c>P_ih = |w_ih| v_h</c>, <c>Q_ih = P_ih / sum_i' P_i'h</c>, <c>S_i = sum_h Q_ih</c>, <c>RI_i = S_i / sum_i' S_i</c>
/// (the scores sum to 1). w is the candidate block |W1^c| (F, H1) (the first layer's value block, see
/// <see cref="Layers.Layer.ValueGate"/>), or with <see cref="AllGates"/> the sum of its gate blocks' absolute values;
/// v_h = sum_o (|W2^c| ... |v|)[h, o] is the absolute-weight path from unit h to
/// the outputs. Note: v_h multiplies every P_ih of the same h, so it cancels in Q_ih: as in the MLP original, the
/// ranking depends on the first layer's weights only. Q_ih = 0 where unit h has no input weight at all.
/// <see cref="ImportanceResult.GateScores"/> gives RI per gate block.
/// </summary>
public sealed class Garson : IImportanceMethod
{
    public string Name => "garson";
    public ImportanceNeeds Needs => ImportanceNeeds.None;
    public ImportanceRanking Ranking => ImportanceRanking.ByValue;

    /// <summary>Sum |W| over the first layer's gate blocks instead of its value block alone.</summary>
    public bool AllGates { get; init; }

    public ImportanceResult Compute(ImportanceContext context)
    {
        context.Validate();
        var model = context.Model;
        var v = WeightPaths.RowSums(WeightPaths.Downstream(model, absolute: true)); // (H1)
        double[] scores;
        double[,]? gates = null;
        int gateCount = WeightPaths.FirstLayerGates(model).Count;
        var blocks = Enumerable.Range(0, gateCount).Select(g =>
            WeightPaths.FirstLayer(model, g, absolute: true)).ToArray();
        if (gateCount > 1)
        {
            gates = new double[gateCount, context.Features];
            for (int g = 0; g < gateCount; g++)
            {
                var ri = RelativeImportance(blocks[g], v);
                for (int i = 0; i < ri.Length; i++) gates[g, i] = ri[i];
            }
        }
        if (AllGates && gateCount > 1)
        {
            var sum = new double[context.Features, v.Length];
            foreach (var b in blocks)
                for (int i = 0; i < context.Features; i++)
                    for (int h = 0; h < v.Length; h++) sum[i, h] += b[i, h];
            scores = RelativeImportance(sum, v);
        }
        else scores = RelativeImportance(blocks[WeightPaths.ValueGate(model)], v);
        return ImportanceResult.FromScores(Name, scores) with
        {
            ScoreMeaning = AllGates ? "share of |W1| (all gates) x path" : "share of |W1c| x path",
            GateScores = gates,
        };
    }

    /// <summary>RI_i from absolute input weights w (F, H) and path weights v (H).</summary>
    internal static double[] RelativeImportance(double[,] w, double[] v)
    {
        int features = w.GetLength(0), hidden = w.GetLength(1);
        var s = new double[features];
        for (int h = 0; h < hidden; h++)
        {
            double column = 0;
            for (int i = 0; i < features; i++) column += w[i, h] * v[h];
            if (column == 0) continue;
            for (int i = 0; i < features; i++) s[i] += w[i, h] * v[h] / column;
        }
        return ImportanceStatistics.Shares(s);
    }
}
