using System.Text.Json;
using Demo;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>A temporary directory with a small sample CSV and a model trained on it, shared by the CLI tests.</summary>
public sealed class CliFixture : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("cli-").FullName;
    public string Csv => Path.Combine(Dir, "sample.csv");
    public string Model => Path.Combine(Dir, "model.safetensors");

    public CliFixture()
    {
        Cli.Ok("make-data", "--out", Csv, "--series", "30", "--steps", "8");
        Cli.Ok("train", "--data", Csv, "--target", "alarm", "--model", Model, "--epochs", "2", "--layers", "4",
               "--batch", "8");
    }

    public string File(string name, string content)
    {
        string path = Path.Combine(Dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(Dir, true);
}

/// <summary>Runs the demo in-process with stderr captured.</summary>
public static class Cli
{
    public static (int Code, string Error) Run(params string[] args)
    {
        var error = new StringWriter();
        int code = Program.Run(args, error);
        return (code, error.ToString());
    }

    public static void Ok(params string[] args)
    {
        var (code, error) = Run(args);
        Assert.True(code == 0, $"demo {string.Join(' ', args)} exited {code}: {error}");
    }

    /// <summary>Expects exit code 0; the lines on stderr (the warnings).</summary>
    public static string[] Warnings(params string[] args)
    {
        var (code, error) = Run(args);
        Assert.True(code == 0, $"demo {string.Join(' ', args)} exited {code}: {error}");
        return error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
    }

    /// <summary>Expects exit code 1 and one line on stderr that contains every fragment (file, line or column,
    /// problem).</summary>
    public static string Bad(string[] args, params string[] fragments)
    {
        var (code, error) = Run(args);
        Assert.True(code == 1, $"demo {string.Join(' ', args)} exited {code}, expected 1: {error}");
        string line = error.TrimEnd('\r', '\n');
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("error: ", line);
        Assert.DoesNotContain("   at ", line);
        foreach (var f in fragments) Assert.Contains(f, line);
        return line;
    }
}

public class CliTests(CliFixture fx) : IClassFixture<CliFixture>
{
    private string[] Train(string data, params string[] more) =>
        ["train", "--data", data, "--target", "alarm", "--model", Path.Combine(fx.Dir, "out.safetensors"), "--epochs",
         "1", "--layers", "3", .. more];

    [Fact]
    public void WalkThroughWorks()
    {
        string report = Path.Combine(fx.Dir, "report"), json = Path.Combine(fx.Dir, "importance.json"),
        pred = Path.Combine(fx.Dir, "pred.csv");
        Cli.Ok("summary", "--model", fx.Model);
        Cli.Ok("predict", "--model", fx.Model, "--data", fx.Csv, "--out", pred);
        var lines = File.ReadAllLines(pred);
        Assert.Equal("series,time,line,alarm,prediction", lines[0]);
        Assert.Equal(1 + 30 * 8, lines.Length);
        Cli.Ok("importance", "--model", fx.Model, "--data", fx.Csv, "--methods", "all", "--repeats", "3", "--restarts",
               "1", "--retrain-epochs", "1",
               "--report", report, "--json", json);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var methods = doc.RootElement.GetProperty("methods").EnumerateArray().ToList();
        Assert.Equal(Engine.Importance.ImportanceMethods.Names, methods.Select(m => m.GetProperty("name").GetString()));
        var perturbation = methods.Single(m => m.GetProperty("name").GetString() == "input-perturbation");
        var features = perturbation.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(["temperature", "humidity", "wind", "pressure"],
                     features.Select(f => f.GetProperty("name").GetString()));
        Assert.Equal([1, 2, 3, 4], features.Select(f => f.GetProperty("rank").GetInt32()).Order());
        foreach (var f in features)
        {
            Assert.Equal(3, f.GetProperty("count").GetInt32());
            Assert.Equal(2, f.GetProperty("ci95").GetArrayLength());
            Assert.True(f.GetProperty("score").GetDouble() >= 0);
        }
        // The randomisation test gives a p-value per feature, in steps of 1/20; other methods have no "p".
        var test = methods.Single(m => m.GetProperty("name").GetString() == "connection-weights-test");
        Assert.All(test.GetProperty("features").EnumerateArray(), f =>
        {
            double p = f.GetProperty("p").GetDouble();
            Assert.InRange(p, 0.05, 1);
            Assert.Equal(Math.Round(p * 20), p * 20, 9);
        });
        Assert.False(features[0].TryGetProperty("p", out _));
        Assert.Equal(8,
                     methods.Single(m =>
                         m.GetProperty("name").GetString() == "occlusion").GetProperty("timeMap").GetArrayLength());
        string md = File.ReadAllText(Path.Combine(report, "report.md")),
        html = File.ReadAllText(Path.Combine(report, "report.html"));
        var pngs = new[] { "training-loss.png", "importance-input-perturbation.png", "map-input-perturbation.png",
            "lag-partial-derivatives.png",
                           "profile-sensitivity-analysis.png", "importance-permutation.png", "ranks.png",
                           "map-occlusion.png", "lag-occlusion.png" }
            .Concat(Engine.Importance.ImportanceMethods.Names.Select(n => $"importance-{n}.png"));
        foreach (var png in pngs)
        {
            Assert.Contains($"({png})", md);
            Assert.Contains($"src=\"{png}\"", html);
            var bytes = File.ReadAllBytes(Path.Combine(report, png));
            Assert.True(bytes.Length > 1000 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G',
                        png);
        }
        // The ranking table has a row per method.
        foreach (var name in Engine.Importance.ImportanceMethods.Names.Where(n => n != "model-randomisation"))
            Assert.Contains($"| {name} |", md);
        Assert.Contains("| model-randomisation * |", md);
    }

    [Fact]
    public void ImportanceAcrossNetworksTrainedOnTheData()
    {
        string json = Path.Combine(fx.Dir, "networks.json");
        Cli.Ok("importance", "--model", fx.Model, "--data", fx.Csv, "--methods", "occlusion,garson", "--networks", "3",
               "--json", json);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        foreach (var m in doc.RootElement.GetProperty("methods").EnumerateArray())
        {
            Assert.Contains("over 3 networks", m.GetProperty("note").GetString());
            Assert.All(m.GetProperty("features").EnumerateArray(), f =>
                Assert.Equal(3, f.GetProperty("count").GetInt32()));
        }
    }

    [Fact]
    public void IntegratedGradientsReportTheirCompletenessForEachBaseline()
    {
        var scores = new Dictionary<string, double[]>();
        foreach (var baseline in new[] { "mean", "zero", "noise" })
        {
            string json = Path.Combine(fx.Dir, $"ig-{baseline}.json");
            Cli.Ok("importance", "--model", fx.Model, "--data", fx.Csv, "--methods", "integrated-gradients",
                   "--baseline", baseline, "--json", json);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var ig = doc.RootElement.GetProperty("methods")[0];
            Assert.Contains($"{baseline} baseline", ig.GetProperty("scoreMeaning").GetString());
            var gap = ig.GetProperty("completeness");
            bool converged = gap.GetProperty("converged").GetBoolean();
            Assert.Equal(converged, gap.GetProperty("gap").GetDouble() <= 0.01);
            int m = gap.GetProperty("intervals").GetInt32();
            Assert.True(converged ? m is >= 32 and <= 512 : m == 512,
                        $"{baseline}: {m} intervals, converged {converged}");
            Assert.Contains("completeness gap", ig.GetProperty("note").GetString());
            scores[baseline] = ig.GetProperty("features").EnumerateArray().Select(f =>
                f.GetProperty("score").GetDouble()).ToArray();
        }
        // Raw zero is far from the standardised inputs' mean (pressure near 1000): the zero baseline is not the mean
        // one.
        Assert.NotEqual(scores["mean"], scores["zero"]);
        Assert.NotEqual(scores["mean"], scores["noise"]);
        Cli.Bad(["importance", "--model", fx.Model, "--data", fx.Csv, "--baseline", "black"],
                "--baseline: 'black' is not one of mean, zero, noise");
    }

    [Fact]
    public void ExplainShowsHumidityTwoStepsLateOnTheSampleModel()
    {
        // The README's sample: make-data, then train with the defaults; humidity was generated to act 2 steps late.
        string csv = Path.Combine(fx.Dir, "full.csv"), model = Path.Combine(fx.Dir, "full.safetensors");
        Cli.Ok("make-data", "--out", csv);
        Cli.Ok("train", "--data", csv, "--target", "alarm", "--model", model);
        foreach (var method in new[] { "integrated-gradients", "occlusion", "permutation" })
        {
            string json = Path.Combine(fx.Dir, $"explain-{method}.json"),
            png = Path.Combine(fx.Dir, $"explain-{method}.png");
            Cli.Ok("explain", "--model", model, "--data", csv, "--series", "s001", "--method", method, "--json", json,
                   "--png", png);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var root = doc.RootElement;
            Assert.Equal(23, root.GetProperty("step").GetInt32());
            int humidity = root.GetProperty("features").EnumerateArray().Select(f =>
                f.GetString()).ToList().IndexOf("humidity");
            var byLag = root.GetProperty("byLag").EnumerateArray().Select(r =>
                Math.Abs(r[humidity].GetDouble())).ToList();
            Assert.True(byLag.IndexOf(byLag.Max()) == 2,
                        $"{method}: humidity's |attribution| by lag {string.Join(", ", byLag)}");
            Assert.Equal(24, root.GetProperty("attribution").GetArrayLength());
            var bytes = File.ReadAllBytes(png);
            Assert.True(bytes.Length > 1000 && bytes[1] == (byte)'P', png);
            if (method == "integrated-gradients")
            {
                // Completeness: start + sum of the attributions = the prediction, within the gap.
                double sum = root.GetProperty("attribution").EnumerateArray().Sum(r =>
                    r.EnumerateArray().Sum(v => v.GetDouble()));
                double start = root.GetProperty("start").GetDouble(),
                prediction = root.GetProperty("prediction").GetDouble();
                Assert.True(root.GetProperty("completeness").GetProperty("converged").GetBoolean());
                Assert.True(Math.Abs(start + sum - prediction) <= 0.01 * Math.Abs(prediction - start) + 1e-6,
                            $"{start} + {sum} vs {prediction}");
            }
        }
        Cli.Bad(["explain", "--model", model, "--data", csv, "--series", "nope"], "full.csv", "no series 'nope'");
        Cli.Bad(["explain", "--model", model, "--data", csv, "--series", "s001", "--step", "24"], "--step", "0 to 23");
    }

    [Fact]
    public void ReferenceRunsUnderItsNameItsOldNameAndNoName()
    {
        // The same short experiment three ways; a bad option is refused the same way under each name.
        string[] shortRun = ["--epochs", "1", "--steps-per-epoch", "20", "--samples", "10"];
        Cli.Ok(shortRun);
        Cli.Ok(["reference", .. shortRun]);
        Cli.Ok(["seed", .. shortRun]);
        Cli.Bad(["reference", "--epochs", "0"], "--epochs");
        Cli.Bad(["seed", "--epochs", "0"], "--epochs");
    }

    [Fact]
    public void EveryCommandHasHelp()
    {
        // Every registered command under each of its names (reference is also seed, its old name).
        var names = Program.Commands().SelectMany(c => c.Aliases.Prepend(c.Name)).ToArray();
        Assert.Contains("reference", names);
        Assert.Contains("seed", names);
        Assert.Equal(Program.Commands().Count, Program.BuildRoot().Subcommands.Count);
        foreach (var command in names) Assert.Equal(0, Cli.Run(command, "--help").Code);
        Assert.Equal(0, Cli.Run("--help").Code);
    }

    [Fact]
    public void ImportanceWithoutTheTargetColumnSkipsTheMethodsThatNeedIt()
    {
        // The sample data without its alarm column: the loss-based methods cannot run, the others do.
        var rows = File.ReadAllLines(fx.Csv).Select(l => l.Split(',')).ToArray();
        int alarm = Array.IndexOf(rows[0], "alarm");
        string path = fx.File("no-target.csv",
                              string.Join("\n", rows.Select(r => string.Join(',', r.Where((_, j) => j != alarm))))
                                  + "\n");
        string json = Path.Combine(fx.Dir, "no-target.json");
        Cli.Ok("importance", "--model", fx.Model, "--data", path, "--methods",
               "garson,permutation,partial-derivatives,forward-stepwise",
               "--repeats", "2", "--json", json);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(["garson", "partial-derivatives"],
                     doc.RootElement.GetProperty("methods").EnumerateArray().Select(m =>
                         m.GetProperty("name").GetString()));
        // Only methods that need the target: nothing to run is bad input, one line naming the file and the column.
        Cli.Bad(["importance", "--model", fx.Model, "--data", path, "--methods", "permutation,occlusion"],
                "no-target.csv:1", "'alarm'");
        Cli.Bad(["importance", "--model", fx.Model, "--data", path, "--methods", "garson", "--networks", "2"],
                "no-target.csv:1", "--networks", "'alarm'");
    }

    [Fact]
    public void MissingFile() => Cli.Bad(Train(Path.Combine(fx.Dir, "nope.csv")), "nope.csv", "file not found");

    [Fact]
    public void EmptyFile() => Cli.Bad(Train(fx.File("empty.csv", "")), "empty.csv", "empty");

    [Fact]
    public void HeaderOnly() =>
        Cli.Bad(Train(fx.File("header.csv", "series,time,x,alarm\n")), "header.csv:1", "only a header");

    [Fact]
    public void UnknownTargetColumn() =>
        Cli.Bad(["train", "--data", fx.Csv, "--target", "nope", "--model", Path.Combine(fx.Dir, "x.safetensors")],
                "sample.csv:1", "no column 'nope'", "--target");

    [Fact]
    public void UnknownFeatureColumn() =>
        Cli.Bad(Train(fx.Csv, "--features", "temperature,sunshine"), "sample.csv:1", "no column 'sunshine'",
                "--features");

    [Theory]
    [InlineData("abc", "'abc' is not a number")]
    [InlineData("NaN", "not a finite number")]
    [InlineData("Infinity", "not a finite number")]
    [InlineData("", "is empty")]
    public void BadCell(string cell, string problem)
    {
        string path = fx.File($"cell-{problem.Length}-{cell}.csv",
                              $"series,time,x,y,alarm\ns1,0,1,2,0\ns1,1,1,{cell},1\ns2,0,1,2,0\ns2,1,1,2,1\n");
        Cli.Bad(Train(path), $"{Path.GetFileName(path)}:3", "column 'y' (column 4)", problem);
    }

    [Fact]
    public void SeriesOfUnequalLength()
    {
        string path = fx.File("unequal.csv", "series,time,x,alarm\ns1,0,1,0\ns1,1,1,1\ns1,2,1,1\ns2,0,1,0\ns2,1,1,1\n");
        Cli.Bad(Train(path), "unequal.csv:5", "series 's2' has 2 steps", "series 's1' has 3");
    }

    [Fact]
    public void WindowLongerThanTheData()
    {
        string path = fx.File("long.csv", "time,x,alarm\n0,1,0\n1,2,1\n2,3,0\n");
        Cli.Bad(Train(path, "--window", "5"), "long.csv", "--window 5 is longer than the data", "3 rows");
    }

    [Fact]
    public void NonBinaryTargetWithBce()
    {
        string path = fx.File("level.csv", "series,time,x,alarm\ns1,0,1,0\ns1,1,1,2.5\n");
        Cli.Bad(Train(path, "--loss", "bce"), "level.csv:3", "column 'alarm'", "2.5", "0 or 1");
    }

    [Fact]
    public void TruncatedModel()
    {
        var bytes = File.ReadAllBytes(fx.Model);
        string path = Path.Combine(fx.Dir, "cut.safetensors");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Cli.Bad(["summary", "--model", path], "cut.safetensors", "truncated");
    }

    [Fact]
    public void ModelThatIsNotSafetensors() =>
        Cli.Bad(["predict", "--model", fx.Csv, "--data", fx.Csv, "--out", Path.Combine(fx.Dir, "p.csv")], "sample.csv",
                "not a safetensors file");

    [Fact]
    public void ModelOfAnotherFormatVersion()
    {
        var bytes = File.ReadAllBytes(fx.Model);
        int at = bytes.AsSpan().IndexOf("lstm-engine/2"u8);
        bytes[at + "lstm-engine/".Length] = (byte)'3';
        string path = Path.Combine(fx.Dir, "v3.safetensors");
        File.WriteAllBytes(path, bytes);
        Cli.Bad(["importance", "--model", path, "--data", fx.Csv], "v3.safetensors",
                "format 'lstm-engine/3' is not supported");
    }

    [Fact]
    public void ModelFeaturesDifferFromTheData()
    {
        string path = fx.File("fewer.csv", "series,time,temperature,humidity,wind,alarm\ns1,0,1,2,3,0\ns1,1,1,2,3,1\n");
        Cli.Bad(["predict", "--model", fx.Model, "--data", path, "--out", Path.Combine(fx.Dir, "p.csv")], "fewer.csv:1",
                "no column 'pressure'", "model.safetensors");
    }

    [Fact]
    public void UnknownMethod() =>
        // The whole list, not cut (lines were cut at 300 characters: "..., integrated-gradien...").
        Assert.Equal("error: --methods: unknown importance method 'tea-leaves'; valid methods: connection-weights, " +
                     "connection-weights-test, garson, partial-derivatives, input-perturbation, " +
                     "sensitivity-analysis, forward-stepwise, backward-stepwise, improved-stepwise-1, " +
                     "improved-stepwise-2, permutation, " +
                     "integrated-gradients, occlusion, model-randomisation, or all",
            Cli.Bad(["importance", "--model", fx.Model, "--data", fx.Csv, "--methods",
                     "input-perturbation,tea-leaves"]));

    [Fact]
    public void AMissingColumnListsTwelveLongFeatureNamesWhole()
    {
        string[] names = [.. Enumerable.Range(0, 12).Select(i => $"sensor_{i:D2}_reading")];
        string path = fx.File("sensors.csv", $"series,time,{string.Join(',', names)},flag\n" +
                                             $"s1,0,{string.Join(',', names.Select(_ => "1"))},0\n");
        Assert.Equal($"error: {path}:1: no column 'nope' (--target); the columns are series, time, " +
                     $"{string.Join(", ", names)}, flag",
            Cli.Bad(["train", "--data", path, "--target", "nope", "--model", Path.Combine(fx.Dir, "n.safetensors")]));
    }

    [Fact]
    public void UnwritableReportDirectory()
    {
        // A directory under a regular file cannot be created, even by root.
        string report = Path.Combine(fx.Csv, "report");
        Assert.Equal($"error: {report}: --report folder cannot be created: '{fx.Csv}' is not a folder",
            Cli.Bad(["importance", "--model", fx.Model, "--data", fx.Csv, "--report", report]));
    }

    [Fact]
    public void DivergedTrainingSaysWhereAndKeepsNoModel()
    {
        string csv = Path.Combine(fx.Dir, "regression.csv"), model = Path.Combine(fx.Dir, "diverged.safetensors");
        Cli.Ok("make-data", "--out", csv, "--series", "20", "--steps", "6", "--kind", "regression");
        string line =
            Cli.Bad(["train", "--data", csv, "--target", "level", "--model", model, "--lr", "1e30", "--epochs", "3",
                     "--layers", "3"],
            "training diverged at epoch", "step", "no model was saved", "--lr");
        Assert.False(File.Exists(model), line);
        Assert.Empty(Directory.GetFiles(fx.Dir, ".diverged*"));
    }

    [Fact]
    public void OneLongSeriesIsCutIntoWindowsAtTrainAndPredictTime()
    {
        // 50 rows, no series column: windows of 8 -> 6 windows, 2 rows left over.
        string csv = fx.File("long-series.csv", "t,x,alarm\n"
                             + string.Concat(Enumerable.Range(0, 50).Select(i =>
                                 $"{i},{Math.Sin(i)},{(Math.Sin(i) > 0 ? 1 : 0)}\n")));
        string model = Path.Combine(fx.Dir, "windowed.safetensors"), pred = Path.Combine(fx.Dir, "windowed.csv");
        Cli.Ok("train", "--data", csv, "--target", "alarm", "--window", "8", "--model", model, "--epochs", "1",
               "--layers", "2", "--validation", "0");
        Cli.Ok("predict", "--model", model, "--data", csv, "--out", pred);
        var lines = File.ReadAllLines(pred);
        Assert.Equal(1 + 6 * 8, lines.Length);
        Assert.StartsWith("w1,0,2,", lines[1]);
        Assert.StartsWith("w6,47,49,", lines[^1]);
    }

    [Fact]
    public void LastStepOutputPredictsOncePerSeriesAndNoHeadNeedsOneUnit()
    {
        string model = Path.Combine(fx.Dir, "last.safetensors"), pred = Path.Combine(fx.Dir, "last.csv");
        Cli.Ok("train", "--data", fx.Csv, "--target", "alarm", "--output", "last", "--no-head", "--layers", "3,1",
               "--model", model, "--epochs", "1");
        Cli.Ok("predict", "--model", model, "--data", fx.Csv, "--out", pred);
        var lines = File.ReadAllLines(pred);
        Assert.Equal(1 + 30, lines.Length);
        Assert.StartsWith("s001,7,", lines[1]);
        Cli.Bad(["train", "--data", fx.Csv, "--target", "alarm", "--no-head", "--layers", "3,2", "--model", model],
                "--no-head", "must be 1");
    }

    [Fact]
    public void TrainingIsReproducibleForASeed()
    {
        string a = Path.Combine(fx.Dir, "a.safetensors"), b = Path.Combine(fx.Dir, "b.safetensors");
        foreach (var path in new[] { a, b })
            Cli.Ok("train", "--data", fx.Csv, "--target", "alarm", "--model", path, "--epochs", "2", "--layers", "3",
                   "--seed", "5");
        var (ma, _) = Engine.Models.ModelFile.Load(a);
        var (mb, _) = Engine.Models.ModelFile.Load(b);
        Assert.Equal(ma.Parameters, mb.Parameters);
    }

    [Fact]
    public void JsonOutputsOfTrainAndSummary()
    {
        string model = Path.Combine(fx.Dir, "json.safetensors"), train = Path.Combine(fx.Dir, "train.json"),
        summary = Path.Combine(fx.Dir, "summary.json");
        Cli.Ok("train", "--data", fx.Csv, "--target", "alarm", "--model", model, "--epochs", "2", "--layers", "3",
               "--json", train);
        using (var doc = JsonDocument.Parse(File.ReadAllText(train)))
        {
            Assert.Equal("bce", doc.RootElement.GetProperty("loss").GetString());
            Assert.Equal(2, doc.RootElement.GetProperty("history").GetArrayLength());
        }
        Cli.Ok("summary", "--model", model, "--json", summary);
        using (var doc = JsonDocument.Parse(File.ReadAllText(summary)))
        {
            Assert.Equal("lstm-engine/2", doc.RootElement.GetProperty("format").GetString());
            var layers = doc.RootElement.GetProperty("architecture").GetProperty("layers");
            Assert.Equal("LSTM", layers[0].GetProperty("type").GetString());
            Assert.Equal(["temperature", "humidity", "wind", "pressure"],
                         doc.RootElement.GetProperty("data").GetProperty("features").EnumerateArray().Select(e =>
                             e.GetString()));
            Assert.Equal(4 * 3 * 4 + 3 * 3 * 4 + 3 * 4 + 3 + 1, doc.RootElement.GetProperty("parameters").GetInt32());
        }
    }

    [Fact]
    public void ModelIntoAMissingDirectoryFailsBeforeTraining() =>
        Cli.Bad(["train", "--data", fx.Csv, "--target", "alarm", "--model",
                 Path.Combine(fx.Dir, "no-such-dir", "m.safetensors")], "no-such-dir", "does not exist");

    [Fact]
    public void UsageErrorsAreOneLineWithExitCode1()
    {
        Cli.Bad(["train", "--target", "alarm", "--model", "m.safetensors"], "--data", "required");
        Cli.Bad(["train", "--data", fx.Csv, "--target", "alarm", "--model", "m.safetensors", "--activation", "swish"],
                "swish");
        Cli.Bad(["tarin"], "tarin");
    }
}
