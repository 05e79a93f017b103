namespace Engine.Importance;

/// <summary>How a method's ranks follow from its scores (<see cref="IImportanceMethod.Ranking"/>).</summary>
public enum ImportanceRanking
{
    /// <summary>Rank 1 = the largest score (scores are effects, shares or rises in loss; a negative one ranks
    /// low).</summary>
    ByValue,

    /// <summary>Rank 1 = the largest |score|: the sign gives the direction of the effect, not its size.</summary>
    Magnitude,

    /// <summary>Rank = order of entry in a forward search (1 = first in); <see cref="ImportanceResult.Order"/> is
    /// set.</summary>
    EntryOrder,

    /// <summary>Rank = F - removal index in a backward search (first removed ranks last); the order is set.</summary>
    RemovalOrder,
}
