using Engine.Random;

namespace Engine.Training;

/// <summary>
/// The order in which a batch source draws its series: 0..count-1 reshuffled with a seeded generator at the start of
/// every epoch and whenever the order runs out mid-epoch (the last batch of an epoch is topped up from the next
/// shuffle's start, so every batch has the same size). One home for <see cref="ArrayBatchSource"/> and the demo's
/// sources that read series out of a table.
/// </summary>
internal sealed class SeriesOrder
{
    private readonly int[] _order;
    private readonly RandomSource _rng;
    private int _epoch = -1, _cursor;

    public SeriesOrder(int count, ulong seed)
    {
        Check.Positive(count, nameof(count));
        _order = Enumerable.Range(0, count).ToArray();
        _rng = new RandomSource(seed);
    }

    /// <summary>Batches of <paramref name="batchSize"/> series that cover the series once: ceil(count /
    /// batchSize).</summary>
    public int StepsPerEpoch(int batchSize) => (_order.Length + batchSize - 1) / batchSize;

    /// <summary>The next series to put in a batch of <paramref name="epoch"/> (0-based).</summary>
    public int Next(int epoch)
    {
        if (epoch != _epoch) { _epoch = epoch; _cursor = 0; _rng.Shuffle<int>(_order); }
        if (_cursor == _order.Length) { _cursor = 0; _rng.Shuffle<int>(_order); }
        return _order[_cursor++];
    }
}
