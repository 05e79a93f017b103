using System.Text.Json;
using Xunit;

namespace Demo.Tests.Data;

/// <summary><c>demo train --cell gru</c>: a GRU model is trained, saved, summarised, loaded for predictions and
/// explained.</summary>
public class GruCliTests(CliFixture fx) : IClassFixture<CliFixture>
{
    [Fact]
    public void GruModelsTrainSaveLoadAndExplain()
    {
        string model = Path.Combine(fx.Dir, "gru.safetensors"), summary = Path.Combine(fx.Dir, "gru-summary.json");
        string pred = Path.Combine(fx.Dir, "gru-pred.csv"), json = Path.Combine(fx.Dir, "gru-importance.json");
        Cli.Ok("train", "--data", fx.Csv, "--target", "alarm", "--model", model, "--epochs", "2", "--layers", "4,3",
               "--cell", "gru");
        Cli.Ok("summary", "--model", model, "--json", summary);
        using (var doc = JsonDocument.Parse(File.ReadAllText(summary)))
        {
            var layers = doc.RootElement.GetProperty("architecture").GetProperty("layers");
            Assert.Equal(["GRU", "GRU", "Dense"],
                         layers.EnumerateArray().Select(l => l.GetProperty("type").GetString()));
            Assert.True(layers[0].GetProperty("reset_after").GetBoolean());
            // GRU(4) on 4 features: (4 + 4 + 2) x 12; GRU(3): (4 + 3 + 2) x 9; Dense(1): 3 + 1.
            Assert.Equal(10 * 12 + 9 * 9 + 4, doc.RootElement.GetProperty("parameters").GetInt32());
        }
        Cli.Ok("predict", "--model", model, "--data", fx.Csv, "--out", pred);
        Assert.Equal(1 + 30 * 8, File.ReadAllLines(pred).Length);
        Cli.Ok("importance", "--model", model, "--data", fx.Csv, "--methods", "garson,connection-weights,occlusion",
               "--json", json);
        using var result = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Contains("garson", result.RootElement.GetRawText());
    }

    [Fact]
    public void AnUnknownCellIsOneLineWithExitCode1() =>
        Cli.Bad(["train", "--data", fx.Csv, "--target", "alarm", "--model", Path.Combine(fx.Dir, "x.safetensors"),
                 "--cell", "rnn"], "rnn", "lstm", "gru");
}
