namespace Engine.Importance;

/// <summary>Rewrites the members of unit <paramref name="unit"/> at steps [from, to) of every series of x (N, T, F);
/// see <see cref="FeatureGroups.Predict"/>.</summary>
internal delegate void UnitCells(Span<float> x, int unit, int from, int to);
