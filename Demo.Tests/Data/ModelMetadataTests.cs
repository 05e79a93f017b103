using Demo.Data;
using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>Issue 11: model files whose demo metadata would give wrong answers or crash later are refused with one
/// line: null or missing fields, out-of-range steps, a zero, negative, NaN or infinite standardisation, an unknown
/// loss, a BCE model with a linear head, more outputs per step than predict writes.</summary>
public class ModelMetadataTests(CliFixture fx) : IClassFixture<CliFixture>
{
    private const string Good =
        """{"features":["temperature","humidity","wind","pressure"],"steps":"""
        + """8,"normalisation":{"mean":[0,0,0,0],"sd":[1,1,1,1]},"training":"""
        + """{"loss":"bce","target":"alarm","series_column":"series","time_column":"time","history":[]}}""";

    private string Model(string name, string data, Sequential? model = null)
    {
        model ??= new Sequential(4, [new Lstm(3), new Dense(1, Activation.Sigmoid)]);
        model.Initialize(1);
        string path = Path.Combine(fx.Dir, name);
        ModelFile.Save(path, model, new Dictionary<string, string> { [ModelMetadata.Key] = data });
        return path;
    }

    [Fact]
    public void AValidRecordPredicts() =>
        Cli.Ok("predict", "--model", Model("good.safetensors", Good), "--data", fx.Csv, "--out",
               Path.Combine(fx.Dir, "good.csv"));

    [Theory]
    [InlineData("null-features", "\"features\":[\"temperature\",\"humidity\",\"wind\",\"pressure\"]",
                "\"features\":null", "'features' is missing")]
    [InlineData("null-name", "\"wind\"", "null", "a feature has no name")]
    [InlineData("twice", "\"wind\"", "\"humidity\"", "feature 'humidity' is named twice")]
    [InlineData("steps", "\"steps\":8", "\"steps\":0", "'steps' must be a whole number from 1 to 1000000, not 0")]
    [InlineData("sd-zero", "\"sd\":[1,1,1,1]", "\"sd\":[1,0,1,1]", "feature 'humidity' has mean 0 and SD 0")]
    [InlineData("sd-negative", "\"sd\":[1,1,1,1]", "\"sd\":[1,1,-2,1]", "feature 'wind' has mean 0 and SD -2")]
    [InlineData("sd-inf", "\"sd\":[1,1,1,1]", "\"sd\":[1,1,1,\"Infinity\"]",
                "feature 'pressure' has mean 0 and SD Infinity")]
    [InlineData("mean-nan", "\"mean\":[0,0,0,0]", "\"mean\":[\"NaN\",0,0,0]", "feature 'temperature' has mean NaN")]
    [InlineData("sd-short", "\"sd\":[1,1,1,1]", "\"sd\":[1,1,1]", "4 means and 3 SDs for 4 features")]
    [InlineData("sd-null", "\"sd\":[1,1,1,1]", "\"sd\":null", "the normalisation needs 'mean' and 'sd'")]
    [InlineData("loss", "\"loss\":\"bce\"", "\"loss\":\"hinge\"", "loss 'hinge' is not one of bce, mse")]
    [InlineData("training", "\"training\":{", "\"training\":null,\"x\":{", "'training' is missing")]
    [InlineData("history", "\"history\":[]", "\"history\":[null]", "'history' must be a list of epochs")]
    [InlineData("window", "\"history\":[]", "\"history\":[],\"window\":0", "'window' must be at least 1, not 0")]
    public void BadRecordsAreRefused(string name, string from, string to, string message)
    {
        Assert.Contains(from, Good);
        string path = Model($"{name}.safetensors", Good.Replace(from, to, StringComparison.Ordinal));
        Cli.Bad(["summary", "--model", path], $"{name}.safetensors", "metadata", message);
        Cli.Bad(["predict", "--model", path, "--data", fx.Csv, "--out", Path.Combine(fx.Dir, "bad.csv")], message);
    }

    [Fact]
    public void ABceModelNeedsASigmoidOutputAndOneOutputPerStep()
    {
        string linear = Model("linear.safetensors", Good,
                              new Sequential(4, [new Lstm(3), new Dense(1, Activation.Linear)]));
        Cli.Bad(["predict", "--model", linear, "--data", fx.Csv, "--out", Path.Combine(fx.Dir, "l.csv")],
            "loss bce needs a sigmoid output, but the last layer's activation is linear");
        string wide = Model("wide.safetensors", Good,
                            new Sequential(4, [new Lstm(3, returnSequences: true), new Dense(2, Activation.Sigmoid)],
                                           flatten: true));
        Cli.Bad(["predict", "--model", wide, "--data", fx.Csv, "--out", Path.Combine(fx.Dir, "w.csv")],
            "the model has 2 outputs per step; the commands predict one target");
        // mse takes any output activation.
        Cli.Ok("summary", "--model",
               Model("mse.safetensors", Good.Replace("\"bce\"", "\"mse\"", StringComparison.Ordinal),
            new Sequential(4, [new Lstm(3), new Dense(1, Activation.Linear)])));
    }
}
