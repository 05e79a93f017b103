using System.Globalization;
using Engine.Losses;
using Engine.Optimizers;
using Engine.Training;

namespace Demo.Reference;

/// <summary>
/// The reference experiment across seeds (<c>demo --seeds N</c>): training k (k = 0 .. N-1) is exactly
/// <c>demo --seed S+k</c> (S = --seed, wrapping at 2^64): the same weights, batches, evaluation set and noise, so any
/// training of the sweep can be rerun alone. Trainings run in parallel; each depends only on its seed, so the
/// results do not depend on the thread count.
/// </summary>
public static class ReferenceSeeds
{
    /// <summary>The published Keras run (final training loss, effects of x1, x2, x3).</summary>
    public const double PublishedLoss = 0.444;

    /// <inheritdoc cref="PublishedLoss"/>
    public static readonly double[] PublishedEffects = [0.1162, 0.1185, 0.0077];

    /// <summary>
    /// The loss of the best constant prediction, the entropy of p = P(x1 x2 &lt; 0.25) = 1/4 + ln(4)/4 = 0.59657:
    /// H = -(p ln p + (1 - p) ln(1 - p)) = 0.67438 nats.
    /// </summary>
    public static readonly double ConstantLoss = Entropy(0.25 + Math.Log(4) / 4);

    /// <summary>
    /// A training converged when its final loss is below 0.35, the middle of the empty stretch between the two modes:
    /// over seeds 42..241 converged trainings end at 0.08-0.23 (the default seed: 0.1439; one at 0.297) with effects
    /// near 0.26 on x1 and x2, partially trained ones at 0.44-0.67 (the published run: 0.444) with effects near 0.11,
    /// and no training ends between 0.30 and 0.43.
    /// </summary>
    public const double ConvergedLoss = 0.35;

    /// <summary>
    /// A training is dead when its final loss is no better than the best constant prediction's: at least
    /// <see cref="ConstantLoss"/> - 0.005. The last epoch's mean loss of a constant prediction has a standard error of
    /// sd / sqrt(50 000) = 0.00086 (50 000 targets an epoch; per-target sd |ln(p / (1 - p))| sqrt(p (1 - p)) = 0.192),
    /// so 0.005 is about 6 standard errors: a loss above it is the base rate's within noise.
    /// </summary>
    public static readonly double DeadLoss = ConstantLoss - 0.005;

    /// <summary>The mode of a training, told by its final loss (see the thresholds).</summary>
    public static TrainingMode Classify(double finalLoss) =>
        finalLoss >= DeadLoss ? TrainingMode.Dead
        : finalLoss < ConvergedLoss ? TrainingMode.Converged
        : TrainingMode.PartiallyTrained;

    private static double Entropy(double p) => -(p * Math.Log(p) + (1 - p) * Math.Log(1 - p));

    /// <summary>The seed of training <paramref name="k"/>: <c>seed + k</c>, wrapping.</summary>
    public static ulong SeedOf(ulong seed, int k) => unchecked(seed + (ulong)k);

    /// <summary>
    /// Trains <paramref name="count"/> reference networks with the schedule of <paramref name="s"/> from seeds
    /// <see cref="SeedOf"/>, on up to <paramref name="threads"/> threads; result k is training k's.
    /// <paramref name="onDone"/> sees each run as it ends (from any thread, in any order).
    /// </summary>
    public static SeedRun[] Run(ReferenceSettings s, int count, int threads, Action<SeedRun>? onDone = null)
    {
        var runs = new SeedRun[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, k =>
        {
            runs[k] = RunOne(s with { Seed = SeedOf(s.Seed, k) });
            onDone?.Invoke(runs[k]);
        });
        return runs;
    }

    /// <summary>One training, as <c>demo --seed</c> runs it: train, then the three perturbation effects.</summary>
    public static SeedRun RunOne(ReferenceSettings s)
    {
        var model = s.BuildModel();
        var trainer = new Trainer(model, new BinaryCrossEntropy(), new Adam(s.LearningRate));
        var epochs = trainer.Fit(new ReferenceData.Generator(s.BatchSize, s.Steps, s.Features, s.TrainingData),
                                 s.Epochs, s.StepsPerEpoch);
        var (x, _) = ReferenceImportance.EvaluationSet(s);
        var effects = NoisePerturbation.Scores(model, x, s.Samples, s.Steps, s.Noise, s.ImportanceNoise);
        return new SeedRun(s.Seed, epochs[^1].Loss, effects);
    }

    /// <summary>Share of <paramref name="mode"/> among <paramref name="runs"/>, with its 95% Wilson interval.</summary>
    public static (double Share, double Low, double High) Share(IReadOnlyList<SeedRun> runs, TrainingMode mode)
    {
        int n = runs.Count, k = runs.Count(r => r.Mode == mode);
        var (low, high) = Wilson(k, n);
        return ((double)k / n, low, high);
    }

    /// <summary>
    /// The Wilson score interval for k successes in n trials at 95% (z = 1.96):
    /// (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), p = k/n.
    /// </summary>
    public static (double Low, double High) Wilson(int k, int n)
    {
        const double z = 1.96;
        double p = (double)k / n, d = 1 + z * z / n, c = p + z * z / (2 * n);
        double h = z * Math.Sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
        return (Math.Max(0, (c - h) / d), Math.Min(1, (c + h) / d));
    }

    /// <summary>The quantities the sweep shows and their published values: final loss, the three effects.</summary>
    public static IReadOnlyList<(string Name, double Published, Func<SeedRun, double> Value)> Quantities { get; } =
    [
        ("final loss", PublishedLoss, r => r.FinalLoss),
        ("effect of x1", PublishedEffects[0], r => r.Effects[0]),
        ("effect of x2", PublishedEffects[1], r => r.Effects[1]),
        ("effect of x3", PublishedEffects[2], r => r.Effects[2]),
    ];

    /// <summary>Bin width of each quantity's histogram: 0.05 for the loss, 0.025 for the effects.</summary>
    public static double BinWidth(int quantity) => quantity == 0 ? 0.05 : 0.025;

    /// <summary>
    /// The console report: a text histogram of each quantity (bins [i w, (i+1) w) from 0 to the bin of the largest
    /// value or the published one, the published value's bin marked), then the share of each mode with its 95%
    /// interval, and the first seed of each mode.
    /// </summary>
    public static void Write(TextWriter w, IReadOnlyList<SeedRun> runs)
    {
        var inv = CultureInfo.InvariantCulture;
        w.WriteLine($"{runs.Count} trainings, seeds {runs[0].Seed} to {runs[^1].Seed} " +
                    $"(training k is `demo --seed {runs[0].Seed}+k`)");
        for (int q = 0; q < Quantities.Count; q++)
        {
            var (name, published, value) = Quantities[q];
            double width = BinWidth(q);
            var values = runs.Select(value).ToArray();
            int bins = (int)Math.Floor(Math.Max(values.Max(), published) / width) + 1;
            var counts = new int[bins];
            foreach (var v in values) counts[Math.Clamp((int)Math.Floor(v / width), 0, bins - 1)]++;
            int mark = (int)Math.Floor(published / width), most = counts.Max();
            w.WriteLine();
            string keras = published.ToString("0.0###", inv);
            w.WriteLine($"{name}: median {Median(values).ToString("F4", inv)}, Keras {keras}");
            for (int b = 0; b < bins; b++)
            {
                string range = $"{(b * width).ToString("F3", inv)}-{((b + 1) * width).ToString("F3", inv)}";
                string bar = counts[b] > 0 ? " " + new string('#', (int)Math.Ceiling(40.0 * counts[b] / most)) : "";
                string note = b == mark ? $" <- Keras {keras}" : "";
                w.WriteLine($"  {range} {counts[b],5}{bar}{note}");
            }
        }
        w.WriteLine();
        w.WriteLine($"Modes by final loss: converged < {ConvergedLoss.ToString("F2", inv)} <= partially trained < " +
                    $"{DeadLoss.ToString("F4", inv)} <= dead");
        w.WriteLine("(dead: no better than the constant prediction's loss " +
                    $"{ConstantLoss.ToString("F4", inv)}, less 0.005)");
        foreach (var mode in Enum.GetValues<TrainingMode>())
        {
            var (share, low, high) = Share(runs, mode);
            string first = runs.FirstOrDefault(r => r.Mode == mode) is { } r ? $", e.g. seed {r.Seed}" : "";
            int count = runs.Count(x => x.Mode == mode);
            w.WriteLine($"  {Name(mode),-18} {count,5} {(100 * share).ToString("F1", inv),5}% " +
                        $"(95% interval {(100 * low).ToString("F1", inv)}-{(100 * high).ToString("F1", inv)}%){first}");
        }
    }

    /// <summary>The mode as the report and the JSON name it.</summary>
    public static string Name(TrainingMode mode) => mode switch
    {
        TrainingMode.Converged => "converged",
        TrainingMode.PartiallyTrained => "partially trained",
        _ => "dead",
    };

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
