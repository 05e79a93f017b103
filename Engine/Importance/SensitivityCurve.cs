namespace Engine.Importance;

/// <summary>Lek's profile of one feature: the swept values, the output curve at each level of the other inputs, and
/// their median.</summary>
/// <param name="Feature">0-based feature index.</param>
/// <param name="Values">The swept values of the feature (points).</param>
/// <param name="Levels">Curves per level of the other features (5 levels: min, Q1, median, Q3, max) x points.</param>
/// <param name="Median">Median over the levels at each point; the score is its range.</param>
public sealed record SensitivityCurve(int Feature, double[] Values, double[][] Levels, double[] Median);
