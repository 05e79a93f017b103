namespace Demo;

/// <summary>
/// The demo's named random streams: every fixed <c>RandomSource.Fork</c> number the demo uses, in one place (the
/// engine's own are in <c>Engine.Random.RandomStreams</c>). Forks by an index (series n, replicate k) are not listed.
/// Changing a value changes every printed result: the reference experiment's numbers are pinned by tests.
/// </summary>
public static class DemoStreams
{
    /// <summary>The reference experiment, from <c>new RandomSource(--seed)</c> (its weights use the seed
    /// itself).</summary>
    public static class Reference
    {
        /// <summary>The training batches.</summary>
        public const ulong TrainingData = 1;

        /// <summary>The evaluation series the importance methods run on.</summary>
        public const ulong EvaluationData = 2;

        /// <summary>The importance methods' seed (the noise of the three printed lines).</summary>
        public const ulong ImportanceNoise = 3;

        /// <summary>A retraining on fresh reference data, from <c>new RandomSource(retraining seed)</c>: its
        /// batches.</summary>
        public const ulong RetrainingData = 1;

        /// <summary>A retraining on permuted targets: the independent stream its targets come from.</summary>
        public const ulong RetrainingTargets = 2;
    }

    /// <summary>Replicate k of <c>demo study</c>, from <c>new RandomSource(--seed).Fork(k)</c>.</summary>
    public static class Study
    {
        /// <summary>The training series.</summary>
        public const ulong TrainingData = 1;

        /// <summary>The evaluation series.</summary>
        public const ulong EvaluationData = 2;

        /// <summary>The network's initial weights (a seed drawn from this stream).</summary>
        public const ulong Weights = 3;

        /// <summary>The order of the training batches (a seed drawn from this stream).</summary>
        public const ulong BatchOrder = 4;

        /// <summary>The importance methods' seed (drawn from this stream).</summary>
        public const ulong Importance = 5;

        /// <summary>The seed of the stepwise retrainings' one split into training and validation series (drawn from
        /// this stream).</summary>
        public const ulong RetrainingSplit = 6;
    }

    /// <summary><c>demo importance</c>, from <c>new RandomSource(--seed)</c> (the methods use the seed
    /// itself).</summary>
    public static class Importance
    {
        /// <summary>
        /// The seed of the stepwise retrainings' one split into training and validation series (drawn from this
        /// stream): above every feature mask (under 2^62) and task index that the methods fork the same seed by.
        /// </summary>
        public const ulong RetrainingSplit = 0x8000_0000_0000_0001UL;
    }

    /// <summary><c>demo train</c>, from <c>new RandomSource(--seed)</c> (the weights use the seed itself).</summary>
    public static class Train
    {
        /// <summary>The shuffle that splits series into training and validation.</summary>
        public const ulong ValidationSplit = 1;

        /// <summary>The order of the training batches (a seed drawn from this stream).</summary>
        public const ulong BatchOrder = 2;
    }
}
