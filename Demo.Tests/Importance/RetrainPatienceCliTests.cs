using System.Text.Json;
using Demo.Tests.Data;
using Xunit;

namespace Demo.Tests.Importance;

/// <summary>--retrain-patience on <c>demo importance</c> and <c>demo study</c>: bad values are one line and exit 1; a
/// held-out series needs another to train on; the study counts the retrainings' epochs.</summary>
public class RetrainPatienceCliTests(CliFixture fx) : IClassFixture<CliFixture>
{
    [Theory]
    [InlineData("-1", "--retrain-patience: -1 is below 0")]
    [InlineData("x", "--retrain-patience: 'x' is not a whole number")]
    [InlineData("1.5", "--retrain-patience: '1.5' is not a whole number")]
    [InlineData("1000001", "--retrain-patience: 1000001 is over the limit of 1000000")]
    public void BadValuesAreRefusedWithOneLine(string value, string message)
    {
        Cli.Bad(["importance", "--model", fx.Model, "--data", fx.Csv, "--retrain-patience", value], message);
        Cli.Bad(["study", "--retrain-patience", value], message);
    }

    [Fact]
    public void APatienceNeedsASeriesToHoldOutAndOneToTrainOn()
    {
        string one = Path.Combine(fx.Dir, "one-series.csv");
        var lines = File.ReadAllLines(fx.Csv);
        string first = lines[1].Split(',')[0];
        File.WriteAllLines(one, [lines[0], .. lines.Skip(1).Where(l => l.Split(',')[0] == first)]);
        string[] run = ["importance", "--model", fx.Model, "--data", one, "--methods", "forward-stepwise",
                        "--restarts", "1", "--retrain-epochs", "1", "--format", "csv"];
        Cli.Bad([.. run, "--retrain-patience", "2"], one, "there is 1: give --retrain-patience 0");
        // The default is off for one series; 0 is off.
        Cli.Ok(run);
        Cli.Ok([.. run, "--retrain-patience", "0"]);
        Cli.Bad(["study", "--train-series", "1", "--retrain-patience", "2"], "--train-series",
                "give --retrain-patience 0");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    public void TheStudyCountsTheRetrainingsEpochs(string patience)
    {
        var dir = Directory.CreateTempSubdirectory("study-patience-").FullName;
        try
        {
            string json = Path.Combine(dir, "study.json");
            Cli.Ok("study", "--replicates", "2", "--steps", "4", "--train-series", "16", "--eval-series", "12",
                   "--units", "3", "--epochs", "2", "--batch", "8", "--retrain-epochs", "4", "--threads", "2",
                   "--methods", "forward-stepwise,backward-stepwise", "--retrain-patience", patience, "--json", json);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            Assert.Equal(int.Parse(patience, System.Globalization.CultureInfo.InvariantCulture),
                         doc.RootElement.GetProperty("settings").GetProperty("retrain_patience").GetInt32());
            foreach (var r in doc.RootElement.GetProperty("replicates").EnumerateArray())
            {
                // Five inputs: 5 x 6 / 2 = 15 trainings per method, one restart; 4 epochs each when nothing stops.
                Assert.Equal(2 * 15, r.GetProperty("retrainings").GetInt64());
                long epochs = r.GetProperty("retraining_epochs").GetInt64();
                if (patience == "0") Assert.Equal(2 * 15 * 4, epochs);
                else Assert.InRange(epochs, 2 * 15 * 2, 2 * 15 * 4);
            }
        }
        finally { Directory.Delete(dir, true); }
    }
}
