using Engine.Importance;

namespace Demo.Sharding;

/// <summary>A <see cref="MethodRun"/> as a work item stores it.</summary>
public sealed record RunJson(string Name, double Seconds, ImportanceRanking Ranking, ResultJson Result)
{
    public static RunJson Of(MethodRun run) => new(run.Name, run.Seconds, run.Ranking, ResultJson.Of(run.Result));

    public MethodRun ToRun(FeatureGroups? groups) => new(Name, Seconds, Result.ToResult(groups), Ranking);
}
