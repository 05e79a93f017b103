namespace Engine.Importance;

/// <summary>
/// One method's run by <see cref="ImportanceRunner"/>: its CLI name, wall time (summed over networks), result, and how
/// the method ranks (<see cref="ImportanceRanking.EntryOrder"/> or <see cref="ImportanceRanking.RemovalOrder"/>: the
/// result's <see cref="ImportanceResult.Order"/> is an order of entry or removal).
/// </summary>
public sealed record MethodRun(string Name, double Seconds, ImportanceResult Result, ImportanceRanking Ranking);
