using System.Text.Json;
using Demo.Study;
using Engine.Random;
using Demo.Tests.Data;
using Xunit;

namespace Demo.Tests.Study;

public class StudyDataTests
{
    [Fact]
    public void DefaultDesignRanksX1ToX5AndX5HasNoEffect()
    {
        var d = new StudyDesign();
        Assert.Equal([1, 2, 3, 4, 5], d.TrueRanks);
        Assert.Equal([4], d.Irrelevant);
        Assert.Equal(["x1", "x2", "x3", "x4", "x5"], d.FeatureNames);
    }

    [Fact]
    public void TrueRanksFollowTheEffectSizesWhateverTheirOrder() =>
        Assert.Equal([3, 1, 4, 2], new StudyDesign { Coefficients = [0.5, -2, 0, 1], Lags = [0, 0, 1, 0] }.TrueRanks);

    // Least squares by the normal equations, (XᵀX) b = Xᵀy, solved by Gaussian elimination with partial pivoting.
    private static double[] LeastSquares(List<double[]> rows, List<double> y)
    {
        int p = rows[0].Length;
        var a = new double[p, p + 1];
        for (int r = 0; r < rows.Count; r++)
            for (int i = 0; i < p; i++)
            {
                for (int j = 0; j < p; j++) a[i, j] += rows[r][i] * rows[r][j];
                a[i, p] += rows[r][i] * y[r];
            }
        for (int c = 0; c < p; c++)
        {
            int pivot = Enumerable.Range(c, p - c).MaxBy(r => Math.Abs(a[r, c]));
            for (int j = 0; j <= p; j++) (a[c, j], a[pivot, j]) = (a[pivot, j], a[c, j]);
            for (int r = 0; r < p; r++)
            {
                if (r == c) continue;
                double f = a[r, c] / a[c, c];
                for (int j = c; j <= p; j++) a[r, j] -= f * a[c, j];
            }
        }
        return Enumerable.Range(0, p).Select(i => a[i, p] / a[i, i]).ToArray();
    }

    [Fact]
    public void ALinearFitRecoversTheEffectsTheLagAndTheRanking()
    {
        // Regress y_t on x1_t, x2_{t-2}, x3_t, x4_t, x5_t and, as a decoy, x2_t (same step), for t >= 2.
        var d = new StudyDesign { Noise = 0.5f };
        int n = 300, f = d.Features, steps = d.Steps;
        var (x, y) = d.Generate(n, new RandomSource(7));
        var rows = new List<double[]>();
        var targets = new List<double>();
        double sumSq = 0;
        for (int s = 0; s < n; s++)
            for (int t = 2; t < steps; t++)
            {
                double X(int step, int j) => x[(s * steps + step) * f + j];
                rows.Add([X(t, 0), X(t - 2, 1), X(t, 2), X(t, 3), X(t, 4), X(t, 1)]);
                targets.Add(y[s * steps + t]);
                sumSq += X(t, 0) * X(t, 0);
            }
        var b = LeastSquares(rows, targets);
        for (int j = 0; j < f; j++) Assert.InRange(b[j], d.Coefficients[j] - 0.05, d.Coefficients[j] + 0.05);
        // x2 has no effect at the same step: only its lag acts
        Assert.InRange(b[5], -0.05, 0.05);
        Assert.InRange(sumSq / rows.Count, 0.9, 1.1);                       // standardised AR(1): variance 1
        var fitted = Engine.Importance.ImportanceStatistics.Ranks(b[..f], byMagnitude: true);
        Assert.Equal(d.TrueRanks, fitted);
    }

    [Fact]
    public void BinaryTargetIsTheSignOfTheScoreAndGenerationIsSeeded()
    {
        var d = new StudyDesign { Binary = true };
        var (x1, y1) = d.Generate(20, new RandomSource(3));
        var (x2, y2) = d.Generate(20, new RandomSource(3));
        Assert.Equal(x1, x2);
        Assert.Equal(y1, y2);
        Assert.All(y1, v => Assert.True(v is 0f or 1f));
        Assert.InRange(y1.Average(), 0.3, 0.7);
    }

    [Fact]
    public void AClassTargetIsOneHotAndEachInputRaisesItsOwnClass()
    {
        var d = new StudyDesign { Classes = true, Lags = [0, 0, 0, 0, 0] };
        var (x, y) = d.Generate(300, new RandomSource(4));
        Assert.Equal(300 * 12 * 5, y.Length);
        var labels = new int[300 * 12];
        for (int row = 0; row < labels.Length; row++)
        {
            var p = y.AsSpan(row * 5, 5);
            Assert.Equal(1f, p.ToArray().Sum());
            Assert.All(p.ToArray(), v => Assert.True(v is 0f or 1f));
            labels[row] = p.IndexOf(1f);
        }
        // Class j is more likely when x_j is high than when it is low, for every input with an effect.
        for (int j = 0; j < 4; j++)
        {
            double Share(Func<float, bool> when)
            {
                var rows = Enumerable.Range(0, labels.Length).Where(r => when(x[r * 5 + j])).ToArray();
                return rows.Count(r => labels[r] == j) / (double)rows.Length;
            }
            Assert.True(Share(v => v > 1) > Share(v => v < -1) + 0.05, $"x{j + 1}");
        }
        Assert.Throws<ArgumentException>(() => (d with { Binary = true }).Validate());
    }

    [Fact]
    public void PerClassImportanceOfAClassSpecificInputIsHighestForItsClass()
    {
        // Issue 13: a network trained on the class design (every effect immediate, less noise); by permutation of
        // each class's probability alone, x_c's importance is highest for its own class c (x1..x3; x4's effect is
        // small).
        var s = new StudySettings
        {
            Design = new StudyDesign { Classes = true, Lags = [0, 0, 0, 0, 0], Noise = 0.5f },
            TrainSeries = 200, Epochs = 20,
        };
        var (context, _, _) = StudyRunner.Trained(s, 0);
        var scores = Enumerable.Range(0, 5).Select(c =>
            new Engine.Importance.Permutation().Compute(Engine.Importance.OutputSelection.ForOutput(context, c)).Scores)
            .ToArray();
        for (int j = 0; j < 3; j++)
            for (int c = 0; c < 5; c++)
                if (c != j)
                    Assert.True(scores[j][j] > scores[c][j], $"x{j + 1}: {scores[j][j]} for class {j + 1}, " +
                                                             $"{scores[c][j]} for class {c + 1}");
    }

    [Fact]
    public void CorrelatedInputsMixOneCommonAr1SignalIntoEveryInput()
    {
        // Mix by hand: the common signal is the next AR(1) draw of the same stream.
        const int steps = 6, f = 3;
        const float phi = 0.5f, rho = 0.36f;
        var z = new float[steps * f];
        StudyDesign.Ar1(z, f, phi, new RandomSource(11));
        var expected = (float[])z.Clone();
        var stream = new RandomSource(21);
        var c = new float[steps];
        StudyDesign.Ar1(c, 1, phi, new RandomSource(21));
        for (int t = 0; t < steps; t++)
            for (int j = 0; j < f; j++) expected[t * f + j] = 0.6f * c[t] + 0.8f * expected[t * f + j];
        StudyDesign.Mix(z, f, phi, rho, new float[steps], stream);
        for (int i = 0; i < z.Length; i++) Assert.Equal(expected[i], z[i], 6);
    }

    [Fact]
    public void CorrelatedDesignHasTheAskedCorrelationUnitVarianceAndItsAutocorrelation()
    {
        var d = new StudyDesign { Correlation = 0.6f };
        int n = 2000, f = d.Features, steps = d.Steps;
        var (x, _) = d.Generate(n, new RandomSource(5));
        double Moment(int j, int k, int lag)
        {
            double s = 0;
            int count = 0;
            for (int r = 0; r < n; r++)
                for (int t = lag; t < steps; t++, count++)
                    s += x[(r * steps + t) * f + j] * x[(r * steps + t - lag) * f + k];
            return s / count;
        }
        // 24 000 pairs: the sampling SE of each moment is about 0.01-0.02 (AR(1) steps are not independent).
        Assert.InRange(Moment(0, 0, 0), 0.94, 1.06);
        Assert.InRange(Moment(4, 4, 0), 0.94, 1.06);
        Assert.InRange(Moment(0, 2, 0), 0.54, 0.66);
        Assert.InRange(Moment(1, 4, 0), 0.54, 0.66);
        Assert.InRange(Moment(3, 3, 1), 0.64, 0.76);                        // phi = 0.7 survives the mixing
        // Without correlation the inputs stay independent: the default design's bytes do not depend on the option.
        var (x0, y0) = new StudyDesign().Generate(20, new RandomSource(3));
        var (x1, y1) = new StudyDesign { Correlation = 0f }.Generate(20, new RandomSource(3));
        Assert.Equal(x0, x1);
        Assert.Equal(y0, y1);
    }

    [Fact]
    public void BadDesignsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new StudyDesign { Correlation = 1f }.Validate());
        Assert.Throws<ArgumentException>(() => new StudyDesign { Correlation = -0.1f }.Validate());
        Assert.Throws<ArgumentException>(() => new StudyDesign { Lags = [0, 0] }.Validate());
        Assert.Throws<ArgumentException>(() => new StudyDesign { Lags = [0, 12, 0, 0, 0] }.Validate());
        Assert.Throws<ArgumentException>(() => new StudyDesign { Coefficients = [1], Lags = [0] }.Validate());
    }
}

public class StudyMetricsTests
{
    [Fact]
    public void PerfectRankingScoresOne()
    {
        Assert.Equal(1.0, StudyMetrics.Similarity([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]));
        Assert.Equal(1.0, StudyMetrics.Spearman([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]), 12);
        Assert.True(StudyMetrics.IrrelevantLast([1, 2, 3, 4, 5], [4]));
    }

    [Fact]
    public void ReversedRankingScoresOnlyTheMiddle()
    {
        Assert.Equal(0.2, StudyMetrics.Similarity([5, 4, 3, 2, 1], [1, 2, 3, 4, 5]), 12); // x3 stays in the middle
        Assert.Equal(0.0, StudyMetrics.Similarity([4, 3, 2, 1], [1, 2, 3, 4]));
        Assert.Equal(-1.0, StudyMetrics.Spearman([5, 4, 3, 2, 1], [1, 2, 3, 4, 5]), 12);
        Assert.False(StudyMetrics.IrrelevantLast([5, 4, 3, 2, 1], [4]));
    }

    [Fact]
    public void OneSwapAndTiesAreCountedByHand()
    {
        Assert.Equal(0.6, StudyMetrics.Similarity([2, 1, 3, 4, 5], [1, 2, 3, 4, 5]), 12);
        Assert.Equal(0.9, StudyMetrics.Spearman([2, 1, 3, 4, 5], [1, 2, 3, 4, 5]), 12);   // 1 - 6*2/(5*24)
        // a tie at the bottom: x5 not at #5
        Assert.Equal(0.8, StudyMetrics.Similarity([1, 2, 3, 4, 4], [1, 2, 3, 4, 5]), 12);
        // tied last is not strictly last
        Assert.False(StudyMetrics.IrrelevantLast([1, 2, 3, 4, 4], [4]));
        // The tie by average ranks [1, 2, 3, 4.5, 4.5]: rho = 9.5 / sqrt(9.5 * 10) (competition ranks: 8 / sqrt(68)).
        Assert.Equal(9.5 / Math.Sqrt(95), StudyMetrics.Spearman([1, 2, 3, 4, 4], [1, 2, 3, 4, 5]), 12);
        Assert.Equal(0.0, StudyMetrics.Spearman([1, 1, 1, 1, 1], [1, 2, 3, 4, 5]));       // all tied: no information
        Assert.Throws<ArgumentException>(() => StudyMetrics.Similarity([1, 2], [1, 2, 3]));
    }

    [Fact]
    public void SummaryAveragesOverReplicatesAndInputsAlike()
    {
        var design = new StudyDesign { Coefficients = [1, 0.5, 0], Lags = [0, 0, 0] };
        Engine.Importance.MethodRun Run(params int[] ranks) => new("m", 1, new Engine.Importance.ImportanceResult("m",
            ranks.Select((r, i) => new Engine.Importance.FeatureImportance(i, -r, r)).ToArray()),
            Engine.Importance.ImportanceRanking.ByValue);
        var s = StudyRunner.Summarise(design, "m", [Run(1, 2, 3), Run(2, 1, 3), Run(3, 2, 1), Run(1, 2, 3)]);
        // per replicate 1, 1/3, 1/3, 1 -> mean 2/3; per input: x1 2/4, x2 3/4, x3 3/4 -> mean 2/3
        Assert.Equal(2.0 / 3, s.Similarity.Mean, 12);
        Assert.Equal([0.5, 0.75, 0.75], s.CorrectByFeature);
        Assert.Equal(0.75, s.IrrelevantLast);
        Assert.Equal([1.75, 1.75, 2.5], s.MeanRank);
        Assert.Equal(4, s.Similarity.Count);
    }
}

[Trait("Category", "Slow")] // trains the reference or study networks: left out of mutation runs (stryker-config.json)
public class StudyRunTests
{
    [Fact]
    public void PathSharesAverageEachReplicatesRowShares()
    {
        // Two replicates' 2 x 2 maps; each row becomes |values| / row sum, then the mean over replicates.
        static Engine.Importance.MethodRun Run(double[,] map) => new("connection-weights", 0,
            new Engine.Importance.ImportanceResult("connection-weights",
                                                   [new(0, 1, 1), new(1, 0, 2)])
            { GateScores = map },
            Engine.Importance.ImportanceRanking.Magnitude);
        var replicates = new[]
        {
            new ReplicateResult(0, 1, 2, 0, [Run(new double[,] { { 3, -1 }, { 0, 0 } })]),
            new ReplicateResult(1, 1, 2, 0, [Run(new double[,] { { 1, 1 }, { -2, 6 } })]),
        };
        var result = new StudyResult(new StudySettings(), replicates,
            [new MethodSummary("connection-weights", default, [], default, 0, [], 0)], 0);
        var shares = result.MeanShares("connection-weights", r => r.GateScores)!;
        Assert.Equal(0.625, shares[0, 0], 12); // (3/4 + 1/2) / 2
        Assert.Equal(0.375, shares[0, 1], 12);
        Assert.Equal(0.125, shares[1, 0], 12); // an all-zero row adds nothing: (0 + 2/8) / 2
        Assert.Equal(0.375, shares[1, 1], 12);
        Assert.Null(result.MeanShares("garson", r => r.GateScores));
    }

    private static StudySettings Tiny(int threads) => new()
    {
        Design = new StudyDesign { Steps = 4 },
        Replicates = 2, TrainSeries = 16, EvaluationSeries = 12, Units = 3, Epochs = 2, BatchSize = 8,
        Repeats = 2, RetrainEpochs = 1, Restarts = 1, Seed = 5, Threads = threads,
        Methods = Engine.Importance.ImportanceMethods.Names,
    };

    [Fact]
    public void ATinyStudyGivesTheSameNumbersOnOneOrTwoThreads()
    {
        var one = StudyRunner.Run(Tiny(1));
        var two = StudyRunner.Run(Tiny(2));
        Assert.Equal(Engine.Importance.ImportanceMethods.Names.Count, one.Methods.Count);
        for (int k = 0; k < 2; k++)
        {
            Assert.Equal(one.Replicates[k].Loss, two.Replicates[k].Loss);
            for (int m = 0; m < one.Methods.Count; m++)
            {
                Assert.Equal(one.Replicates[k].Runs[m].Result.Scores, two.Replicates[k].Runs[m].Result.Scores);
                Assert.Equal(one.Replicates[k].Runs[m].Result.Ranks, two.Replicates[k].Runs[m].Result.Ranks);
            }
        }
        for (int m = 0; m < one.Methods.Count; m++)
        {
            Assert.Equal(one.Methods[m].Similarity, two.Methods[m].Similarity);
            Assert.Equal(one.Methods[m].Spearman, two.Methods[m].Spearman);
            Assert.Equal(one.Methods[m].CorrectByFeature, two.Methods[m].CorrectByFeature);
        }
        // Different replicates draw different data: their networks differ.
        Assert.NotEqual(one.Replicates[0].Loss, one.Replicates[1].Loss);
    }

    [Fact]
    public void ConnectionWeightsMissTheLaggedInputThatPermutationFinds()
    {
        // The study's headline on a few full-size replicates (STUDY.md): with x2 acting two steps late connection
        // weights never rank it second while permutation ranks every input right; with no lag both are right.
        var lagged = new StudySettings { Replicates = 4, Methods = ["connection-weights", "permutation"], Threads = 2 };
        var result = StudyRunner.Run(lagged);
        Assert.Equal(0.0, result.Methods[0].CorrectByFeature[1]);
        Assert.Equal(1.0, result.Methods[1].Similarity.Mean);
        var immediate = StudyRunner.Run(lagged with { Design = new StudyDesign { Lags = [0, 0, 0, 0, 0] } });
        Assert.InRange(immediate.Methods[0].Similarity.Mean, 0.8, 1.0);
        Assert.Equal(1.0, immediate.Methods[1].Similarity.Mean);
    }

    [Fact]
    public void TheCommandRunsEndToEndWithJsonAndReport()
    {
        var dir = Directory.CreateTempSubdirectory("study-").FullName;
        try
        {
            string json = Path.Combine(dir, "study.json"), report = Path.Combine(dir, "report");
            Cli.Ok("study", "--replicates", "2", "--steps", "4", "--train-series", "16", "--eval-series", "12",
                   "--units", "3", "--epochs", "2",
                   "--batch", "8", "--repeats", "2", "--retrain-epochs", "1", "--threads", "2", "--json", json,
                   "--report", report);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var methods = doc.RootElement.GetProperty("methods");
            Assert.Equal(StudySettings.DefaultMethods.Count, methods.GetArrayLength());
            foreach (var m in methods.EnumerateArray())
            {
                double similarity = m.GetProperty("similarity").GetProperty("mean").GetDouble();
                Assert.InRange(similarity, 0, 1);
                Assert.Equal(5, m.GetProperty("correct_by_feature").GetArrayLength());
            }
            Assert.Equal([1, 2, 3, 4, 5],
                         doc.RootElement.GetProperty("design").GetProperty("true_ranks").EnumerateArray().Select(e =>
                             e.GetInt32()));
            Assert.Equal(2, doc.RootElement.GetProperty("replicates").GetArrayLength());
            Assert.True(File.Exists(Path.Combine(report, "similarity.png")));
            string md = File.ReadAllText(Path.Combine(report, "report.md"));
            Assert.Contains("connection-weights", md);
            Assert.Contains("partial derivatives, lag 2", md);
            Assert.Equal(8, doc.RootElement.GetProperty("paths").GetArrayLength()); // 4 gate blocks + lags 0..3
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AGruStudyWithCorrelatedInputsRunsAndSaysSo()
    {
        var dir = Directory.CreateTempSubdirectory("study-").FullName;
        try
        {
            string json = Path.Combine(dir, "study.json"), report = Path.Combine(dir, "report");
            Cli.Ok("study", "--cell", "gru", "--correlation", "0.5", "--replicates", "2", "--steps", "4",
                   "--train-series", "16", "--eval-series", "12", "--units", "3", "--epochs", "2", "--batch-size", "8",
                   "--methods", "connection-weights,garson,permutation", "--repeats", "2", "--threads", "2",
                   "--json", json, "--report", report);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            Assert.Equal("gru", doc.RootElement.GetProperty("settings").GetProperty("cell").GetString());
            Assert.Equal(0.5, doc.RootElement.GetProperty("design").GetProperty("correlation").GetDouble());
            string md = File.ReadAllText(Path.Combine(report, "report.md"));
            Assert.Contains("GRU(3, tanh)", md);
            Assert.Contains("(phi 0.7, correlated 0.5)", md);
            // A GRU kernel has three gate blocks: connection weights' paths are z, r and h.
            Assert.Equal(["connection weights, z gate", "connection weights, r gate",
                          "connection weights, h gate (the method's)"],
                         doc.RootElement.GetProperty("paths").EnumerateArray()
                             .Select(p => p.GetProperty("path").GetString()));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AClassStudyRunsEndToEnd()
    {
        var dir = Directory.CreateTempSubdirectory("study-").FullName;
        try
        {
            string json = Path.Combine(dir, "study.json");
            Cli.Ok("study", "--kind", "classes", "--replicates", "2", "--steps", "4", "--train-series", "16",
                   "--eval-series", "12", "--units", "3", "--epochs", "2", "--batch-size", "8", "--repeats", "2",
                   "--retrain-epochs", "1", "--threads", "2", "--json", json);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            Assert.True(doc.RootElement.GetProperty("design").GetProperty("classes").GetBoolean());
            var methods = doc.RootElement.GetProperty("methods");
            Assert.Equal(StudySettings.DefaultMethods.Count, methods.GetArrayLength());
            foreach (var m in methods.EnumerateArray())
                Assert.InRange(m.GetProperty("similarity").GetProperty("mean").GetDouble(), 0, 1);
            Assert.Equal(8, doc.RootElement.GetProperty("paths").GetArrayLength());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TheGruSettingBuildsAGruNetwork()
    {
        var model = new StudySettings { Gru = true }.BuildModel(5, 1);
        Assert.IsType<Engine.Layers.Gru>(model.Layers[0]);
        Assert.IsType<Engine.Layers.Lstm>(new StudySettings().BuildModel(5, 1).Layers[0]);
    }

    [Fact]
    public void BadOptionsAreOneLineErrors()
    {
        Cli.Bad(["study", "--effects", "1,abc"], "--effects", "'abc' is not a number");
        Cli.Bad(["study", "--effects", "1,0.5", "--lags", "0,0,0"], "2 coefficients but 3 lags");
        Cli.Bad(["study", "--methods", "tea-leaves"], "unknown importance method 'tea-leaves'");
        Cli.Bad(["study", "--replicates", "0"], "--replicates must be a positive whole number");
        Cli.Bad(["study", "--correlation", "1"], "the input correlation must be in [0, 1), got 1");
        Cli.Bad(["study", "--cell", "rnn"], "--cell: 'rnn' is not one of lstm, gru");
    }
}

/// <summary>Issue 12: the study's table fits 80 columns with no word cut, and prints as CSV and markdown.</summary>
public class StudyTableTests
{
    // Every method with made-up but fixed summaries over 10 replicates of the default design (5 inputs).
    private static StudyResult Result()
    {
        var names = Engine.Importance.ImportanceMethods.Names;
        var methods = names.Select((n, m) => new MethodSummary(n,
            new Engine.Importance.SampleStatistics(0.3 + 0.05 * m, 0.1, 0.02, 10), [0.1 * (m % 10), 0.2, 0.3, 0.4, 0.5],
            new Engine.Importance.SampleStatistics(0.5 - 0.02 * m, 0.2, 0.03, 10), 0.05 * m, [1, 2, 3, 4, 5], 0.125 * m,
            ChanceLevel: n == "model-randomisation")).ToList();
        var runs = names.Select(n =>
            new Engine.Importance.MethodRun(n, 0, new Engine.Importance.ImportanceResult(n, []),
                                            Engine.Importance.ImportanceRanking.ByValue)).ToList();
        return new StudyResult(new StudySettings(), [new ReplicateResult(0, 0.5, 1.0, 2.0, runs)], methods, 12.5);
    }

    [Fact]
    public void TheTableFits80ColumnsAndEveryMethodNameIsWhole()
    {
        string text = StudyOutput.Format(Result(), Demo.Reports.TableFormat.Table, 80);
        var lines = text.Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length}: {l}"));
        foreach (var name in Engine.Importance.ImportanceMethods.Names)
            Assert.Contains(lines, l => l.StartsWith($"│ {name} ", StringComparison.Ordinal));
        Assert.Contains("│ model-randomisation *   │  0.95±0.04 │", text);
        // The header of every block names the method column and the rows repeat in each block.
        int blocks = lines.Count(l => l.StartsWith('╭'));
        Assert.Equal(2, blocks);
        Assert.Equal(2, lines.Count(l => l.StartsWith("│ method ", StringComparison.Ordinal)));
        // The short headers are explained under the table (wrapped to 80 columns: joined again).
        string notes = string.Join(' ', lines.SkipWhile(l => !l.StartsWith("similarity: ", StringComparison.Ordinal)));
        Assert.Contains("irrelevant last (irr. last): share of replicates ranking the no-effect input(s) strictly " +
                        "last; s: the method's seconds per replicate;", notes);
    }

    [Fact]
    public void CsvHasTheIntervalsEndsInColumns()
    {
        var csv = StudyOutput.Format(Result(), Demo.Reports.TableFormat.Csv, 80).Split('\n');
        Assert.Equal("method,similarity,similarity_ci95_low,similarity_ci95_high,"
                     + "correct_x1,correct_x2,correct_x3,correct_x4,correct_x5,"
                     + "spearman,spearman_ci95_low,spearman_ci95_high,irrelevant_last,seconds_per_replicate", csv[0]);
        // garson (m = 2): similarity 0.4 ± 1.96 x 0.02, Spearman 0.46 ± 1.96 x 0.03.
        Assert.Equal("garson,0.4,0.3608,0.43920000000000003,0.2,0.2,0.3,0.4,0.5,0.46,0.4012,0.5188,0.1,0.25", csv[3]);
        Assert.Equal(Engine.Importance.ImportanceMethods.Names.Count + 2, csv.Length);
    }

    [Fact]
    public void MarkdownWritesTheIntervalsOut()
    {
        string md = StudyOutput.Format(Result(), Demo.Reports.TableFormat.Markdown, 80);
        Assert.StartsWith("## Similarity of estimated and true ranks (Olden et al. 2004) on LSTMs\n\n| method | " +
                          "similarity \\[95% CI\\] |", md);
        Assert.Contains("| garson | 0.40 \\[0.36, 0.44\\] |", md);
    }
}
