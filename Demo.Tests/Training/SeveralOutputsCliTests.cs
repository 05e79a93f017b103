using System.Globalization;
using System.Text;
using System.Text.Json;
using Demo.Tests.Data;
using Engine.Models;
using Xunit;

namespace Demo.Tests.Training;

/// <summary>
/// Models of several outputs. <c>demo train --loss cce</c>: class labels (text or numbers) become a softmax head of
/// one output per class; the classes are kept in the model file; predict writes the predicted class and each class's
/// probability; importance scores one class (<c>--output-index</c>) or each in turn. <c>demo train --target a,b</c>:
/// k numeric targets, a dense head of k linear outputs trained with mse, one prediction column and metrics per
/// target.
/// </summary>
public sealed class SeveralOutputsCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("outputs-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    // 120 series x 6 steps of x1..x4 ~ U(-2, 2); each step's label is the class of the largest of x1, x2, x3
    // (names[0] for x1, ...); x4 is noise.
    private string Data(string name, string[] names, int series = 120)
    {
        var rng = new Random(7);
        var csv = new StringBuilder("series,time,x1,x2,x3,x4,weather\n");
        for (int s = 0; s < series; s++)
            for (int t = 0; t < 6; t++)
            {
                var x = Enumerable.Range(0, 4).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
                int label = x[0] >= x[1] && x[0] >= x[2] ? 0 : x[1] >= x[2] ? 1 : 2;
                csv.Append(CultureInfo.InvariantCulture,
                           $"s{s},{t},{x[0]:F4},{x[1]:F4},{x[2]:F4},{x[3]:F4},{names[label]}\n");
            }
        File.WriteAllText(PathOf(name), csv.ToString());
        return PathOf(name);
    }

    private string Train(string data, string model)
    {
        Cli.Ok("train", "--data", data, "--target", "weather", "--loss", "cce", "--model", PathOf(model), "--epochs",
               "60", "--lr", "0.02", "--layers", "8", "--seed", "3");
        return PathOf(model);
    }

    [Fact]
    public void TrainsPredictsAndExplainsEachClass()
    {
        string data = Data("weather.csv", ["sun", "rain", "snow"]);
        string model = Train(data, "weather.safetensors");
        // The classes, sorted as strings, in the model file's metadata; a softmax head of 3.
        var (engine, metadata) = ModelFile.Load(model);
        using (var record = JsonDocument.Parse(metadata["data"]))
            Assert.Equal(["rain", "snow", "sun"], record.RootElement.GetProperty("training").GetProperty("classes")
                                                        .EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(3, engine.OutputUnits);

        string predictions = PathOf("pred.csv"), predictJson = PathOf("pred.json");
        Cli.Ok("predict", "--model", model, "--data", data, "--out", predictions, "--json", predictJson);
        var lines = File.ReadAllLines(predictions);
        Assert.Equal("series,time,line,weather,predicted_class,p_rain,p_snow,p_sun", lines[0]);
        Assert.Equal(1 + 120 * 6, lines.Length);
        // Each row: the predicted class is the most probable, the probabilities sum to 1.
        foreach (var line in lines.Skip(1).Take(50))
        {
            var cells = line.Split(',');
            var p = cells[5..].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(1, p.Sum(), 5);
            Assert.Equal(new[] { "rain", "snow", "sun" }[Array.IndexOf(p, p.Max())], cells[4]);
        }
        using (var doc = JsonDocument.Parse(File.ReadAllText(predictJson)))
        {
            var all = doc.RootElement.GetProperty("all_series").GetProperty("metrics");
            Assert.True(all.GetProperty("accuracy").GetDouble() > 0.9, all.GetRawText());
            Assert.True(all.TryGetProperty("recall[snow]", out _), all.GetRawText());
        }

        // Issue 13's test: the per-class importance of a class-specific input is highest for its class
        // (sun <- x1, rain <- x2, snow <- x3).
        string[] byInput = ["sun", "rain", "snow"];
        var scores = byInput.Select(c => Scores(model, data, c)).ToArray();
        for (int input = 0; input < 3; input++)
            for (int c = 0; c < 3; c++)
                if (c != input)
                    Assert.True(scores[input][input] > scores[c][input],
                                $"x{input + 1}: {scores[input][input]} for {byInput[input]}, {scores[c][input]} for " +
                                byInput[c]);

        // explain explains one output: the first by default, and says so; --output-index picks a class.
        string explained = PathOf("explain.json");
        var (code, stdout, stderr) = TableFormatCliTests.Process("explain", "--model", model, "--data", data,
            "--series", "s5", "--method", "occlusion", "--json", explained);
        Assert.True(code == 0, stderr);
        Assert.Contains("Output 0 of 0..2: the probability of class 'rain' (the first, by default: --output-index " +
                        "chooses another)", stdout);
        using (var doc = JsonDocument.Parse(File.ReadAllText(explained)))
        {
            Assert.Equal(0, doc.RootElement.GetProperty("output").GetInt32());
            Assert.Equal("rain", doc.RootElement.GetProperty("outputName").GetString());
        }
        (code, stdout, stderr) = TableFormatCliTests.Process("explain", "--model", model, "--data", data,
            "--series", "s5", "--method", "occlusion", "--output-index", "sun", "--json", explained);
        Assert.True(code == 0, stderr);
        Assert.Contains("Output 2 of 0..2: the probability of class 'sun'\n", stdout);
        using (var doc = JsonDocument.Parse(File.ReadAllText(explained)))
        {
            Assert.Equal(2, doc.RootElement.GetProperty("output").GetInt32());
            // sun's own input x1 moves its probability more than the noise input x4 does.
            var a = doc.RootElement.GetProperty("attribution").EnumerateArray()
                       .Select(row => row.EnumerateArray().Select(v => Math.Abs(v.GetDouble())).ToArray()).ToArray();
            Assert.True(a.Sum(r => r[0]) > a.Sum(r => r[3]), string.Join("; ", a.Select(r => string.Join(",", r))));
        }
        Cli.Bad(["explain", "--model", model, "--data", data, "--series", "s5", "--output-index", "fog"],
                "--output-index 'fog' is not an output of the model", "rain, snow, sun");
    }

    // Permutation scores of x1..x4 for one class, from --json.
    private double[] Scores(string model, string data, string output)
    {
        string json = PathOf($"importance-{output}.json");
        Cli.Ok("importance", "--model", model, "--data", data, "--methods", "permutation", "--repeats", "3",
               "--output-index", output, "--json", json);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(output, doc.RootElement.GetProperty("output").GetString());
        return [.. doc.RootElement.GetProperty("methods")[0].GetProperty("features").EnumerateArray()
                      .Select(f => f.GetProperty("score").GetDouble())];
    }

    [Fact]
    public void NumericLabelsAreClassesSortedAsStrings()
    {
        string data = Data("numbers.csv", ["10", "2", "1"], series: 30);
        Cli.Ok("train", "--data", data, "--target", "weather", "--loss", "cce", "--model", PathOf("n.safetensors"),
               "--epochs", "2", "--layers", "4");
        var (_, metadata) = ModelFile.Load(PathOf("n.safetensors"));
        using var record = JsonDocument.Parse(metadata["data"]);
        Assert.Equal(["1", "10", "2"], record.RootElement.GetProperty("training").GetProperty("classes")
                                             .EnumerateArray().Select(c => c.GetString()));
        // Each output in turn without --output-index; by index too.
        Cli.Ok("importance", "--model", PathOf("n.safetensors"), "--data", data, "--methods", "connection-weights");
        Cli.Ok("importance", "--model", PathOf("n.safetensors"), "--data", data, "--methods", "connection-weights",
               "--output-index", "2", "--json", PathOf("n.json"));
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf("n.json")));
        Assert.Equal("2", doc.RootElement.GetProperty("output").GetString()); // the class named "2", index 2
    }

    [Fact]
    public void BadClassInputIsOneLineWithExitCode1()
    {
        string data = Data("bad.csv", ["sun", "rain", "snow"], series: 20);
        string model = PathOf("bad.safetensors");
        Cli.Bad(["train", "--data", data, "--target", "weather", "--loss", "cce", "--model", model, "--no-head"],
                "--loss cce", "softmax head");
        string one = PathOf("one.csv");
        File.WriteAllText(one, "series,time,x1,weather\na,0,1,sun\na,1,2,sun\nb,0,3,sun\nb,1,4,sun\n");
        Cli.Bad(["train", "--data", one, "--target", "weather", "--loss", "cce", "--model", model], one,
                "one class only");
        Cli.Ok("train", "--data", data, "--target", "weather", "--loss", "cce", "--model", model, "--epochs", "1",
               "--layers", "3");
        string hail = PathOf("hail.csv");
        File.WriteAllText(hail, File.ReadAllText(data).Replace("s3,2,", "s3,2,").Replace(",snow\n", ",hail\n"));
        Cli.Bad(["predict", "--model", model, "--data", hail, "--out", PathOf("p.csv")], hail, "'hail'",
                "rain, snow, sun");
        Cli.Bad(["importance", "--model", model, "--data", data, "--output-index", "fog"], "--output-index",
                "'fog'", "rain, snow, sun");
        Cli.Bad(["importance", "--model", model, "--data", data, "--methods", "garson", "--json", PathOf("i.json")],
                "--output-index");
    }

    [Fact]
    public void TwoTargetsTrainPredictAndExplainEach()
    {
        // a = x1 + 0.1 e, b = -x2 + 0.1 e'; x3 is noise. 80 series x 5 steps.
        var rng = new Random(3);
        var csv = new StringBuilder("series,time,x1,x2,x3,a,b\n");
        for (int s = 0; s < 80; s++)
            for (int t = 0; t < 5; t++)
            {
                double x1 = rng.NextDouble() * 2 - 1, x2 = rng.NextDouble() * 2 - 1, x3 = rng.NextDouble() * 2 - 1;
                double a = x1 + 0.1 * (rng.NextDouble() - 0.5), b = -x2 + 0.1 * (rng.NextDouble() - 0.5);
                csv.Append(CultureInfo.InvariantCulture, $"s{s},{t},{x1:F4},{x2:F4},{x3:F4},{a:F4},{b:F4}\n");
            }
        string data = PathOf("two.csv"), model = PathOf("two.safetensors");
        File.WriteAllText(data, csv.ToString());
        Cli.Ok("train", "--data", data, "--target", "a,b", "--model", model, "--epochs", "40", "--lr", "0.02",
               "--layers", "8", "--seed", "2");
        var (engine, metadata) = ModelFile.Load(model);
        Assert.Equal(2, engine.OutputUnits);
        using (var record = JsonDocument.Parse(metadata["data"]))
        {
            var training = record.RootElement.GetProperty("training");
            Assert.Equal(["a", "b"], training.GetProperty("targets").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal("mse", training.GetProperty("loss").GetString());
        }

        string predictions = PathOf("pred.csv"), predictJson = PathOf("pred.json");
        Cli.Ok("predict", "--model", model, "--data", data, "--out", predictions, "--json", predictJson);
        Assert.Equal("series,time,line,a,b,prediction_a,prediction_b", File.ReadLines(predictions).First());
        using (var doc = JsonDocument.Parse(File.ReadAllText(predictJson)))
        {
            var all = doc.RootElement.GetProperty("all_series").GetProperty("metrics");
            Assert.True(all.GetProperty("r2_score[a]").GetDouble() > 0.8, all.GetRawText());
            Assert.True(all.GetProperty("r2_score[b]").GetDouble() > 0.8, all.GetRawText());
        }

        double[] Scores(string output)
        {
            string json = PathOf($"imp-{output}.json");
            Cli.Ok("importance", "--model", model, "--data", data, "--methods", "permutation", "--repeats", "3",
                   "--output-index", output, "--json", json);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            return [.. doc.RootElement.GetProperty("methods")[0].GetProperty("features").EnumerateArray()
                          .Select(f => f.GetProperty("score").GetDouble())];
        }
        var forA = Scores("a");
        var forB = Scores("b");
        Assert.True(forA[0] > forA[1] && forA[0] > forA[2], string.Join(", ", forA));
        Assert.True(forB[1] > forB[0] && forB[1] > forB[2], string.Join(", ", forB));
        Cli.Bad(["train", "--data", data, "--target", "a,b", "--loss", "bce", "--model", PathOf("x.safetensors")],
                "several targets", "--loss mse");
        Cli.Bad(["train", "--data", data, "--target", "a,a", "--model", PathOf("x.safetensors")], "twice");
    }
}
