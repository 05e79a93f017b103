using System.Globalization;
using System.Text.Json.Nodes;
using Demo.Tests.Data;
using Xunit;

namespace Demo.Tests.Training;

/// <summary>
/// Issue 12, done when: "held-out data sets train to a validation loss within 5% of their best epoch by default".
/// Data sets this suite did not train on elsewhere (other seeds, a numeric target, labels flipped at random, few
/// series), each trained with nothing but --data, --target and --model; then <c>predict</c> scores the saved model on
/// the series training held out, and that loss must be at most 1.05 times the lowest validation loss of any epoch.
/// The flipped-label sets overfit: their validation loss rises before the last epoch, so the default's restore of
/// the best epoch is what keeps them in bound (checked: the saved epoch is the best one, not the last).
/// </summary>
public class HeldOutDefaultsTests
{
    // (name, make-data arguments, the share of labels flipped, series kept)
    private static readonly (string Name, string[] Make, double Flip, int Series)[] Sets =
    [
        ("binary-seed7", ["--seed", "7"], 0, 300),
        ("regression-seed11", ["--seed", "11", "--kind", "regression"], 0, 300),
        ("flipped-15pc", ["--seed", "7"], 0.15, 30),
        ("flipped-25pc", ["--seed", "5", "--series", "60", "--steps", "8"], 0.25, 40),
        ("flipped-20pc", ["--seed", "5", "--series", "60", "--steps", "8"], 0.2, 60),
        ("flipped-30pc", ["--seed", "7"], 0.3, 50),
        ("flipped-10pc", ["--seed", "3"], 0.1, 25),
    ];

    [Fact]
    public void DefaultTrainingSavesAModelWithin5PercentOfTheBestEpochOnTheHeldOutSeries()
    {
        string dir = Directory.CreateTempSubdirectory("held-out-").FullName;
        try
        {
            int restored = 0;
            var bests = new List<string>();
            foreach (var (name, make, flip, series) in Sets)
            {
                string csv = Path.Combine(dir, name + ".csv"), model = Path.Combine(dir, name + ".safetensors");
                string trainJson = Path.Combine(dir, name + "-train.json");
                string predictJson = Path.Combine(dir, name + "-predict.json");
                Cli.Ok(["make-data", "--out", csv, .. make]);
                string target = make.Contains("regression") ? "level" : "alarm";
                Rewrite(csv, target, flip, series, seed: name.Length);
                Cli.Ok("train", "--data", csv, "--target", target, "--model", model, "--json", trainJson);
                Cli.Ok("predict", "--model", model, "--data", csv, "--out", Path.Combine(dir, name + "-p.csv"),
                       "--json", predictJson);
                var history = JsonNode.Parse(File.ReadAllText(trainJson))!["history"]!.AsArray()
                    .Select(e => e!["validation_loss"]!.GetValue<float>()).ToList();
                float best = history.Min();
                var heldOut = JsonNode.Parse(File.ReadAllText(predictJson))!["validation_series"]!;
                float saved = heldOut["loss"]!.GetValue<float>();
                Assert.True(saved <= 1.05f * best,
                    $"{name}: the saved model's held-out loss {saved} is over 1.05 x the best epoch's {best}");
                int bestEpoch = history.IndexOf(best) + 1;
                bests.Add($"{name}: epoch {bestEpoch} of {history.Count}, best {best}, last {history[^1]}");
                var trained = JsonNode.Parse(File.ReadAllText(trainJson))!;
                if (bestEpoch < history.Count)
                {
                    Assert.Equal(bestEpoch, trained["restored_epoch"]!.GetValue<int>());
                    restored++;
                }
            }
            // At least one set overfits, so that the bound is not met by the last epoch alone.
            Assert.True(restored > 0,
                $"no data set overfits: the test does not exercise the restore: {string.Join("; ", bests)}");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    // Keeps the first `series` series and flips the 0/1 target of a `flip` share of rows (a seeded draw).
    private static void Rewrite(string csv, string target, double flip, int series, int seed)
    {
        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',');
        int column = Array.IndexOf(header, target);
        var random = new System.Random(seed);
        var kept = new List<string> { lines[0] };
        var ids = new HashSet<string>();
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            if (!ids.Contains(cells[0]) && ids.Count == series) continue;
            ids.Add(cells[0]);
            if (flip > 0 && random.NextDouble() < flip)
                cells[column] = (1 - int.Parse(cells[column], CultureInfo.InvariantCulture))
                    .ToString(CultureInfo.InvariantCulture);
            kept.Add(string.Join(',', cells));
        }
        File.WriteAllLines(csv, kept);
    }
}
