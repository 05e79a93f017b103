using Engine.Layers;
using Engine.Models;
using Xunit;

namespace Demo.Tests.Data;

/// <summary><c>demo train --bidirectional --dropout RATE</c>: the model it saves, and the commands that read
/// it.</summary>
public class BidirectionalCliTests(CliFixture fx) : IClassFixture<CliFixture>
{
    [Fact]
    public void TrainsABidirectionalModelWithDropoutThatTheOtherCommandsRead()
    {
        string model = Path.Combine(fx.Dir, "bidi.safetensors"), pred = Path.Combine(fx.Dir, "bidi-pred.csv");
        Cli.Ok("train", "--data", fx.Csv, "--target", "alarm", "--model", model, "--epochs", "2", "--layers", "4,3",
               "--batch", "8", "--bidirectional", "--dropout", "0.25");
        var (loaded, _) = ModelFile.Load(model);
        Assert.Equal(["Bidirectional", "Dropout", "Bidirectional", "Dropout", "Dense"],
                     loaded.Layers.Select(l => l.TypeName));
        Assert.Equal(8, loaded.Layers[0].OutputSize);
        Assert.Equal(0.25, ((Dropout)loaded.Layers[1]).Rate);
        Assert.Equal(MergeMode.Concat, ((Bidirectional)loaded.Layers[2]).MergeMode);
        Cli.Ok("summary", "--model", model);
        Cli.Ok("predict", "--model", model, "--data", fx.Csv, "--out", pred);
        Assert.Equal(1 + 30 * 8, File.ReadAllLines(pred).Length);
        Cli.Ok("importance", "--model", model, "--data", fx.Csv, "--methods", "all", "--repeats", "2", "--restarts",
               "1",
               "--retrain-epochs", "1");
    }

    [Fact]
    public void BadDropoutRate() =>
        Cli.Bad(["train", "--data", fx.Csv, "--target", "alarm", "--model", Path.Combine(fx.Dir, "x.safetensors"),
                 "--dropout", "1"],
                "--dropout must be a rate in [0, 1), got 1");

    [Fact]
    public void BidirectionalNeedsTheHead() =>
        Cli.Bad(["train", "--data", fx.Csv, "--target", "alarm", "--model", Path.Combine(fx.Dir, "x.safetensors"),
                 "--layers", "1",
                 "--no-head", "--bidirectional"], "--bidirectional", "--no-head");
}
