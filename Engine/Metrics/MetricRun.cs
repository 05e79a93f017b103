namespace Engine.Metrics;

/// <summary>
/// A metric over pairs given in parts, in order (<see cref="Add"/>): <see cref="Value"/> is the metric's
/// <see cref="IMetric.Compute"/> over the parts joined, bit for bit (the same operations in the same order). The
/// trainer feeds each step's pairs as the step makes them instead of keeping the epoch's predictions and targets.
/// Memory, for n pairs: accuracy, mae and the class recalls keep counts or a sum; auc keeps one float per pair (each
/// score, at its class's end of one buffer); r2_score one float per pair (the targets); any other metric both
/// floats. Allocates its buffers once (<see cref="Start"/>); <see cref="Add"/> and <see cref="Value"/> allocate
/// nothing.
/// </summary>
internal abstract class MetricRun
{
    /// <summary>Adds pairs after those added since <see cref="Clear"/>.</summary>
    public abstract void Add(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target);

    /// <summary>The metric over every pair added since <see cref="Clear"/>.</summary>
    public abstract double Value();

    /// <summary>Forgets the pairs added.</summary>
    public abstract void Clear();

    /// <summary>A run of <paramref name="metric"/> over at most <paramref name="capacity"/> pairs between clears.
    /// </summary>
    public static MetricRun Start(IMetric metric, int capacity) => metric switch
    {
        BinaryAccuracy => new Counted(BinaryAccuracy.Correct, 1),
        CategoricalAccuracy c => new Counted((p, y) => CategoricalAccuracy.Correct(p, y, c.Classes), c.Classes),
        ClassRecall r => new Recall(r),
        MeanAbsoluteError => new AbsoluteErrors(),
        RSquared => new Squares(capacity),
        RocAuc => new Auc(capacity),
        OutputMetric o => new Column(o, Start(o.Inner, capacity / o.Outputs)),
        _ => new Kept(metric, capacity),
    };

    // Pairs or rows that match (accuracy): matches / rows, NaN without rows.
    private sealed class Counted(Func<ReadOnlySpan<float>, ReadOnlySpan<float>, int> correct, int width) : MetricRun
    {
        private long _correct, _rows;

        public override void Add(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
        {
            _correct += correct(prediction, target);
            _rows += prediction.Length / width;
        }

        public override double Value() => _rows == 0 ? double.NaN : (double)_correct / _rows;

        public override void Clear() => (_correct, _rows) = (0, 0);
    }

    private sealed class Recall(ClassRecall metric) : MetricRun
    {
        private long _members, _found;

        public override void Add(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
        {
            var (members, found) = metric.Count(prediction, target);
            (_members, _found) = (_members + members, _found + found);
        }

        public override double Value() => _members == 0 ? double.NaN : (double)_found / _members;

        public override void Clear() => (_members, _found) = (0, 0);
    }

    private sealed class AbsoluteErrors : MetricRun
    {
        private double _sum;
        private long _count;

        public override void Add(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
        {
            _sum = MeanAbsoluteError.Sum(prediction, target, _sum);
            _count += prediction.Length;
        }

        public override double Value() => _count == 0 ? double.NaN : _sum / _count;

        public override void Clear() => (_sum, _count) = (0, 0);
    }

    // r2_score: the residual sum as the pairs come, the targets kept for their mean and total sum of squares.
    private sealed class Squares(int capacity) : MetricRun
    {
        private readonly float[] _targets = new float[capacity];
        private double _residual;
        private int _count;

        public override void Add(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
        {
            Check.SameLength(prediction, target, nameof(prediction), nameof(target));
            _residual = RSquared.Residual(prediction, target, _residual);
            target.CopyTo(_targets.AsSpan(_count));
            _count += target.Length;
        }

        public override double Value() =>
            _count == 0 ? double.NaN : RSquared.FromSums(_residual, RSquared.Total(_targets.AsSpan(0, _count)));

        public override void Clear() => (_residual, _count) = (0, 0);
    }

    // auc: the positives' scores from the front of one buffer, the negatives' from the back.
    private sealed class Auc(int capacity) : MetricRun
    {
        private readonly float[] _scores = new float[capacity];
        private int _positives, _negatives;

        public override void Add(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
        {
            RocAuc.CheckPairs(prediction, target, _positives + _negatives);
            for (int i = 0; i < prediction.Length; i++)
            {
                if (_positives + _negatives == _scores.Length)
                    throw new InvalidOperationException($"more than {_scores.Length} pairs");
                if (target[i] == 1f) _scores[_positives++] = prediction[i];
                else _scores[_scores.Length - ++_negatives] = prediction[i];
            }
        }

        public override double Value() => RocAuc.FromClasses(_scores.AsSpan(0, _positives),
            _scores.AsSpan(_scores.Length - _negatives, _negatives));

        public override void Clear() => (_positives, _negatives) = (0, 0);
    }

    // One output's column of rows of several, into scratch that grows to the largest part.
    private sealed class Column(OutputMetric metric, MetricRun inner) : MetricRun
    {
        private float[] _p = [], _y = [];

        public override void Add(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
        {
            int rows = metric.Gather(prediction, target, ref _p, ref _y);
            inner.Add(_p.AsSpan(0, rows), _y.AsSpan(0, rows));
        }

        public override double Value() => inner.Value();

        public override void Clear() => inner.Clear();
    }

    // Any other metric: every pair kept, computed at the end.
    private sealed class Kept(IMetric metric, int capacity) : MetricRun
    {
        private readonly float[] _p = new float[capacity], _y = new float[capacity];
        private int _count;

        public override void Add(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
        {
            Check.SameLength(prediction, target, nameof(prediction), nameof(target));
            prediction.CopyTo(_p.AsSpan(_count));
            target.CopyTo(_y.AsSpan(_count));
            _count += prediction.Length;
        }

        public override double Value() => metric.Compute(_p.AsSpan(0, _count), _y.AsSpan(0, _count));

        public override void Clear() => _count = 0;
    }
}
