using Engine.Importance;
using Engine.Random;

namespace Demo.Study;

/// <summary>
/// The simulated data of the study, with a true importance ranking known by construction (in the spirit of Olden,
/// Joy &amp; Death 2004: a linear contribution of each input with a defined strength, plus one input that acts with a
/// lag, which only a model with memory can use). Per series, F independent standardised AR(1) signals
/// z_j (z_{j,0} ~ N(0, 1), z_{j,t} = phi z_{j,t-1} + sqrt(1 - phi^2) e_t, phi = 0.7 by default, so Var z = 1 at every
/// step) and the score
/// s_t = sum_j b_j z_{j, t - lag_j} (a lagged value before step 0 counts as 0). Regression target:
/// y_t = s_t + noise e'_t; binary target: y_t = [s_t + noise e'_t &gt; 0]. The default design is
/// b = (1, 0.75, 0.5, 0.25, 0), lags (0, 2, 0, 0, 0), noise 1: x1 &gt; x2 (acting two steps late) &gt; x3 &gt; x4 &gt;
/// x5
/// (no effect). The inputs are independent with equal variance, so |b_j| orders both each input's share of the
/// target's variance and its effect on the output: the true rank of input j is the rank of |b_j|.
/// </summary>
public sealed record StudyDesign
{
    /// <summary>b_j, the effect of each input on the score; 0 = no effect.</summary>
    public double[] Coefficients { get; init; } = [1.0, 0.75, 0.5, 0.25, 0.0];

    /// <summary>lag_j: input j acts on the score lag_j steps later.</summary>
    public int[] Lags { get; init; } = [0, 2, 0, 0, 0];

    /// <summary>SD of the target noise.</summary>
    public float Noise { get; init; } = 1f;

    /// <summary>T, steps per series.</summary>
    public int Steps { get; init; } = 12;

    /// <summary>True: a 0/1 target (binary cross-entropy); false: the numeric score (mean squared error).</summary>
    public bool Binary { get; init; }

    /// <summary>AR(1) coefficient of every input, in [0, 1): how much each input's steps resemble each other (0 = white
    /// noise).</summary>
    public float Phi { get; init; } = 0.7f;

    /// <summary>rho, in [0, 1): the correlation between any two inputs at the same step (Olden et al.'s concern:
    /// correlated inputs share credit). 0 = independent inputs, the default.</summary>
    public float Correlation { get; init; }

    /// <summary>F, input features.</summary>
    public int Features => Coefficients.Length;

    /// <summary>x1, x2, ...</summary>
    public string[] FeatureNames => Enumerable.Range(1, Features).Select(i => $"x{i}").ToArray();

    /// <summary>The true rank of each input (1 = most important): competition ranks of |b_j|.</summary>
    public int[] TrueRanks => ImportanceStatistics.Ranks(Coefficients, byMagnitude: true);

    /// <summary>The inputs with no effect (b_j = 0).</summary>
    public int[] Irrelevant => Enumerable.Range(0, Features).Where(j => Coefficients[j] == 0).ToArray();

    /// <summary>Checks the design; messages name the problem.</summary>
    public void Validate()
    {
        if (Coefficients.Length < 2)
            throw new ArgumentException($"the design needs at least 2 inputs, has {Coefficients.Length}");
        if (Lags.Length != Coefficients.Length)
            throw new ArgumentException($"the design has {Coefficients.Length} coefficients but {Lags.Length} lags");
        if (Lags.Any(l => l < 0 || l >= Steps))
            throw new ArgumentException($"every lag must be in [0, {Steps - 1}] (steps {Steps}), got {string.Join(", " +
                                        $"", Lags)}");
        if (Coefficients.Any(b => !double.IsFinite(b))) throw new ArgumentException("every coefficient must be finite");
        if (!(Phi >= 0 && Phi < 1)) throw new ArgumentException($"the AR(1) coefficient must be in [0, 1), got {Phi}");
        if (!(Correlation >= 0 && Correlation < 1))
            throw new ArgumentException($"the input correlation must be in [0, 1), got {Correlation}");
        if (!(Noise >= 0) || !float.IsFinite(Noise))
            throw new ArgumentException($"the noise SD must be finite and >= 0, got {Noise}");
    }

    /// <summary>
    /// <paramref name="count"/> series: inputs (N, T, F) batch-major and targets (N, T), series n drawn from
    /// <c>rng.Fork(n)</c> (so a set's first series do not depend on its size).
    /// </summary>
    internal (float[] Inputs, float[] Targets) Generate(int count, RandomSource rng)
    {
        Validate();
        int f = Features, steps = Steps;
        var x = new float[count * steps * f];
        var y = new float[count * steps];
        var common = Correlation > 0 ? new float[steps] : [];
        for (int n = 0; n < count; n++)
        {
            var r = rng.Fork((ulong)n);
            var z = x.AsSpan(n * steps * f, steps * f); // (T, F)
            Ar1(z, f, Phi, r);
            if (Correlation > 0) Mix(z, f, Phi, Correlation, common, r);
            for (int t = 0; t < steps; t++)
            {
                double s = 0;
                for (int j = 0; j < f; j++)
                    if (t >= Lags[j]) s += Coefficients[j] * z[(t - Lags[j]) * f + j];
                s += Noise * r.NextGaussian();
                y[n * steps + t] = Binary ? (s > 0 ? 1f : 0f) : (float)s;
            }
        }
        return (x, y);
    }

    /// <summary>
    /// Correlated inputs: draws one more standardised AR(1) signal c (T, coefficient <paramref name="phi"/>) from
    /// <paramref name="rng"/> (into
    /// <paramref name="common"/>) and replaces every input by z_{j,t} = sqrt(rho) c_t + sqrt(1 - rho) z_{j,t}: each
    /// input keeps variance 1 and its AR(1) autocorrelation, and any two inputs correlate by rho at the same step.
    /// </summary>
    internal static void Mix(Span<float> z, int features, float phi, float rho, Span<float> common,
                           RandomSource rng)
    {
        Ar1(common, 1, phi, rng);
        float a = MathF.Sqrt(rho), b = MathF.Sqrt(1 - rho);
        for (int t = 0; t < common.Length; t++)
            for (int j = 0; j < features; j++) z[t * features + j] = a * common[t] + b * z[t * features + j];
    }

    /// <summary>
    /// Fills one series z (T, F) with F independent standardised AR(1) signals drawn from <paramref name="rng"/>:
    /// z_{j,0} = e, z_{j,t} = phi z_{j,t-1} + sqrt(1 - phi^2) e (e ~ N(0, 1), drawn step by step, feature by feature).
    /// </summary>
    internal static void Ar1(Span<float> z, int features, float phi, RandomSource rng)
    {
        float innovation = MathF.Sqrt(1 - phi * phi);
        for (int j = 0; j < features; j++) z[j] = rng.NextGaussian();
        for (int t = features; t < z.Length; t += features)
            for (int j = 0; j < features; j++) z[t + j] = phi * z[t - features + j] + innovation * rng.NextGaussian();
    }
}
