using Demo.Tests.Data;
using Xunit;

namespace Demo.Tests.Training;

/// <summary>Issue 11: a diverged training run exits 1, saves nothing and leaves the old model untouched.</summary>
public class DivergenceCliTests(CliFixture fx) : IClassFixture<CliFixture>
{
    [Theory]
    [InlineData("--lr", "5", "--activation", "relu", "--no-head", "--layers", "10,1")]
    [InlineData("--lr", "3.4e38")]
    public void ADivergedRunExits1AndLeavesTheOldModelUntouched(params string[] options)
    {
        // The run: the default sample (300 series x 24 steps).
        string data = Path.Combine(fx.Dir, "s.csv");
        lock (Lock) if (!File.Exists(data)) Cli.Ok("make-data", "--out", data);
        string model = Path.Combine(fx.Dir, $"old-{options.Length}.safetensors");
        File.Copy(fx.Model, model, overwrite: true);
        byte[] before = File.ReadAllBytes(model);
        Cli.Bad(["train", "--data", data, "--target", "alarm", "--model", model, "--epochs", "2", .. options],
            "training diverged at epoch", "no model was saved", "--lr");
        Assert.Equal(before, File.ReadAllBytes(model));
        Assert.DoesNotContain(Directory.GetFiles(fx.Dir), f => AtomicName(f));
    }

    private static readonly Lock Lock = new();

    private static bool AtomicName(string f) => Engine.IO.AtomicFile.IsTempName(Path.GetFileName(f));
}
