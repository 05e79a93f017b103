using System.Text.Json;
using Demo.Reference;
using Demo.Tests.Data;
using Xunit;

namespace Demo.Tests.ReferenceExperiment;

/// <summary>
/// <c>demo --seeds N</c>: training k is <c>demo --seed S+k</c> (its numbers as the single run prints them), the
/// results do not depend on the thread count, the modes follow their thresholds, and the console output is pinned.
/// </summary>
public class ReferenceSeedsTests
{
    // `demo --seed 42`, `--seed 43`, `--seed 44` printed these (final epoch loss; effects of x1, x2, x3).
    private static readonly (ulong Seed, string Loss, string[] Effects)[] SingleRuns =
    [
        (42, "0.1439", ["0.2706", "0.2488", "0.0117"]),
        (43, "0.4570", ["0.1139", "0.1155", "0.0060"]),
        (44, "0.1646", ["0.2602", "0.2636", "0.0147"]),
    ];

    [Fact]
    public void TrainingKIsTheSingleRunOfSeedPlusK()
    {
        var runs = ReferenceSeeds.Run(new ReferenceSettings(), 3, 2);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(SingleRuns[k].Seed, runs[k].Seed);
            Assert.Equal(SingleRuns[k].Loss, runs[k].FinalLoss.ToString("F4"));
            Assert.Equal(SingleRuns[k].Effects, runs[k].Effects.Select(e => e.ToString("F4")));
        }
        Assert.Equal([TrainingMode.Converged, TrainingMode.PartiallyTrained, TrainingMode.Converged],
                     runs.Select(r => r.Mode));
    }

    [Fact]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        var s = new ReferenceSettings { Epochs = 1, StepsPerEpoch = 200, Samples = 50, Seed = 7 };
        var one = ReferenceSeeds.Run(s, 5, 1);
        var two = ReferenceSeeds.Run(s, 5, 2);
        Assert.Equal(one.Select(r => r.Seed), two.Select(r => r.Seed));
        Assert.Equal(one.Select(r => BitConverter.SingleToInt32Bits(r.FinalLoss)),
                     two.Select(r => BitConverter.SingleToInt32Bits(r.FinalLoss)));
        Assert.Equal(one.SelectMany(r => r.Effects.Select(BitConverter.DoubleToInt64Bits)),
                     two.SelectMany(r => r.Effects.Select(BitConverter.DoubleToInt64Bits)));
        Assert.Equal([7UL, 8UL, 9UL, 10UL, 11UL], one.Select(r => r.Seed));
        Assert.Equal(5UL, ReferenceSeeds.SeedOf(ulong.MaxValue, 6)); // wraps
    }

    [Fact]
    public void ConstantLossIsTheEntropyOfTheBaseRate()
    {
        // p = 1/4 + ln(4)/4 = 0.596574 (a Monte Carlo of 200 000 draws: 0.5957); H = 0.674377 nats (by hand).
        Assert.Equal(0.674377, ReferenceSeeds.ConstantLoss, 6);
        Assert.Equal(0.669377, ReferenceSeeds.DeadLoss, 6);
    }

    [Theory]
    [InlineData(0.1439, TrainingMode.Converged)]
    [InlineData(0.3499, TrainingMode.Converged)]
    [InlineData(0.3500, TrainingMode.PartiallyTrained)]
    [InlineData(0.444, TrainingMode.PartiallyTrained)]   // the published Keras run
    [InlineData(0.6674, TrainingMode.PartiallyTrained)]  // seed 217: starting to learn, effects 0.030 / 0.033 / 0.004
    [InlineData(0.6693, TrainingMode.PartiallyTrained)]
    [InlineData(0.6694, TrainingMode.Dead)]
    [InlineData(0.6740, TrainingMode.Dead)]              // seed 83: effects 0.005 / 0.006 / 0.005
    [InlineData(0.6793, TrainingMode.Dead)]              // seed 135: every effect 0
    public void ModesFollowTheLossThresholds(double loss, TrainingMode expected) =>
        Assert.Equal(expected, ReferenceSeeds.Classify(loss));

    [Fact]
    public void SharesAndTheirWilsonIntervals()
    {
        SeedRun Run(ulong seed, float loss) => new(seed, loss, [0, 0, 0]);
        var runs = new[] { Run(1, 0.1f), Run(2, 0.2f), Run(3, 0.5f) };
        var (share, low, high) = ReferenceSeeds.Share(runs, TrainingMode.Converged);
        Assert.Equal(2.0 / 3, share, 12);
        // Closed forms of the Wilson interval at k = 0 and k = n: (0, z²/(n + z²)) and (n/(n + z²), 1), z = 1.96.
        var (l0, h0) = ReferenceSeeds.Wilson(0, 3);
        Assert.Equal(0.0, l0, 12);
        Assert.Equal(3.8416 / 6.8416, h0, 12);
        var (l3, h3) = ReferenceSeeds.Wilson(3, 3);
        Assert.Equal(3 / 6.8416, l3, 12);
        Assert.Equal(1.0, h3, 12);
        Assert.True(low < share && share < high);
        // Inside: the roots of (k/n - p)² = z² p (1 - p) / n, found by bisection (not the closed form): k = 1, n = 4
        // and k = 7, n = 20.
        var (l1, h1) = ReferenceSeeds.Wilson(1, 4);
        Assert.Equal(0.045586062644636, l1, 12);
        Assert.Equal(0.699363947557363, h1, 12);
        var (l7, h7) = ReferenceSeeds.Wilson(7, 20);
        Assert.Equal(0.181189547867945, l7, 12);
        Assert.Equal(0.567149489780535, h7, 12);
        Assert.Equal(0.0, ReferenceSeeds.Share(runs, TrainingMode.Dead).Share);
    }

    [Fact]
    public void ConsoleOutputForThreeSeedsIsPinned()
    {
        var runs = ReferenceSeeds.Run(new ReferenceSettings(), 3, 2);
        var w = new StringWriter { NewLine = "\n" };
        ReferenceSeeds.Write(w, runs);
        Assert.Equal(Expected, w.ToString());
    }

    [Fact]
    public void CliWritesJsonAndPlot()
    {
        var dir = Directory.CreateTempSubdirectory("seeds-").FullName;
        try
        {
            string json = Path.Combine(dir, "seeds.json"), png = Path.Combine(dir, "seeds.png");
            Cli.Ok("--seeds", "3", "--threads", "2", "--json", json, "--png", png);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var root = doc.RootElement;
            Assert.Equal(0.444, root.GetProperty("published").GetProperty("final_loss").GetDouble());
            var runs = root.GetProperty("runs").EnumerateArray().ToList();
            Assert.Equal([42UL, 43UL, 44UL], runs.Select(r => r.GetProperty("seed").GetUInt64()));
            Assert.Equal(["converged", "partially trained", "converged"],
                         runs.Select(r => r.GetProperty("mode").GetString()));
            Assert.Equal(SingleRuns.Select(r => r.Loss),
                         runs.Select(r => r.GetProperty("final_loss").GetSingle().ToString("F4")));
            var modes = root.GetProperty("modes").EnumerateArray().ToList();
            Assert.Equal([2, 1, 0], modes.Select(m => m.GetProperty("count").GetInt32()));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png).Take(4));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void BadCombinationsAreOneLineErrors()
    {
        Cli.Bad(["--seeds", "0"], "--seeds");
        Cli.Bad(["--png", "x.png"], "--png", "--seeds");
        // The old name still works.
        Cli.Bad(["--plot", "x.png"], "--png", "--seeds");
        Cli.Bad(["--seeds", "2", "--methods", "all"], "--seeds", "--methods");
    }

    private const string Expected = """
        3 trainings, seeds 42 to 44 (training k is `demo --seed 42+k`)

        final loss: median 0.1646, Keras 0.444
          0.000-0.050     0
          0.050-0.100     0
          0.100-0.150     1 ########################################
          0.150-0.200     1 ########################################
          0.200-0.250     0
          0.250-0.300     0
          0.300-0.350     0
          0.350-0.400     0
          0.400-0.450     0 <- Keras 0.444
          0.450-0.500     1 ########################################

        effect of x1: median 0.2602, Keras 0.1162
          0.000-0.025     0
          0.025-0.050     0
          0.050-0.075     0
          0.075-0.100     0
          0.100-0.125     1 #################### <- Keras 0.1162
          0.125-0.150     0
          0.150-0.175     0
          0.175-0.200     0
          0.200-0.225     0
          0.225-0.250     0
          0.250-0.275     2 ########################################

        effect of x2: median 0.2488, Keras 0.1185
          0.000-0.025     0
          0.025-0.050     0
          0.050-0.075     0
          0.075-0.100     0
          0.100-0.125     1 ######################################## <- Keras 0.1185
          0.125-0.150     0
          0.150-0.175     0
          0.175-0.200     0
          0.200-0.225     0
          0.225-0.250     1 ########################################
          0.250-0.275     1 ########################################

        effect of x3: median 0.0117, Keras 0.0077
          0.000-0.025     3 ######################################## <- Keras 0.0077

        Modes by final loss: converged < 0.35 <= partially trained < 0.6694 <= dead
        (dead: no better than the constant prediction's loss 0.6744, less 0.005)
          converged              2  66.7% (95% interval 20.8-93.9%), e.g. seed 42
          partially trained      1  33.3% (95% interval 6.1-79.2%), e.g. seed 43
          dead                   0   0.0% (95% interval 0.0-56.2%)

        """;
}
