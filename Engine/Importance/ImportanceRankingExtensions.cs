namespace Engine.Importance;

/// <summary>Helpers on <see cref="ImportanceRanking"/>.</summary>
internal static class ImportanceRankingExtensions
{
    /// <summary>Whether scores are ranked by |score| (when results are combined across networks too).</summary>
    public static bool ByMagnitude(this ImportanceRanking ranking) => ranking == ImportanceRanking.Magnitude;

    /// <summary>"entry" or "removal" for a stepwise order; null for a ranking by score.</summary>
    public static string? OrderWord(this ImportanceRanking ranking) => ranking switch
    {
        ImportanceRanking.EntryOrder => "entry",
        ImportanceRanking.RemovalOrder => "removal",
        _ => null,
    };
}
