using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Demo.Tests.Data;
using Engine.Models;
using Xunit;

namespace Demo.Tests.Training;

/// <summary>Samples of 60 series; a wide LSTM at a high learning rate overfits the first in ten epochs.</summary>
public sealed class MetricsCliFixture : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("metrics-cli-").FullName;
    public string Csv => Path.Combine(Dir, "sample.csv");
    public string Regression => Path.Combine(Dir, "regression.csv");

    public MetricsCliFixture()
    {
        Cli.Ok("make-data", "--out", Csv, "--series", "60", "--steps", "8");
        Cli.Ok("make-data", "--out", Regression, "--series", "60", "--steps", "8", "--kind", "regression");
    }

    public string Path2(string name) => Path.Combine(Dir, name);

    public void Dispose() => Directory.Delete(Dir, true);
}

/// <summary>
/// Train's metrics and early stopping, and predict's validation figures, through the command line: the printed lines
/// exactly (the demo runs as a child process, its standard output piped), the saved model against a run of the best
/// epoch's length bit for bit, and predict's metrics against values computed here from its CSV.
/// </summary>
public class MetricsCliTests(MetricsCliFixture fx) : IClassFixture<MetricsCliFixture>
{
    private static readonly string[] Overfits = ["--epochs", "30", "--layers", "16", "--lr", "0.05"];

    // Runs the demo as a child process (stdout piped, as in a log) and returns its output lines.
    private static string[] RunDemo(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "demo.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"demo {string.Join(' ', args)} exited {process.ExitCode}: {error.Result}");
        return output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
    }

    private static string F4(JsonNode? n) => n!.GetValue<float>().ToString("F4", CultureInfo.InvariantCulture);

    // The line Keras prints for an epoch, from the --json history; the seconds are not compared.
    private static string ExpectedLine(JsonNode e, int epochs, int steps, string[] metrics) =>
        $"Epoch {e["epoch"]}/{epochs} - {steps}/{steps} steps - X s - loss: {F4(e["loss"])}" +
        string.Concat(metrics.Select(m => $" - {m}: {F4(e["metrics"]![m])}")) +
        $" - val_loss: {F4(e["validation_loss"])}" +
        string.Concat(metrics.Select(m => $" - val_{m}: {F4(e["validation_metrics"]![m])}"));

    private static float[] Parameters(string path) => ModelFile.Load(path).Model.Parameters;

    [Fact]
    public void EarlyStoppingRestoresTheBestEpochAndPrintsAsKeras()
    {
        string model = fx.Path2("stopped.safetensors"), json = fx.Path2("stopped.json");
        var lines = RunDemo(["train", "--data", fx.Csv, "--target", "alarm", "--model", model, .. Overfits,
                             "--early-stopping", "3", "--json", json]);
        var doc = JsonNode.Parse(File.ReadAllText(json))!;
        var history = doc["history"]!.AsArray();
        var validation = history.Select(e => e!["validation_loss"]!.GetValue<float>()).ToList();
        int best = validation.IndexOf(validation.Min()) + 1, stop = best + 3;
        Assert.True(best is > 1 and < 27, $"the validation loss should rise after an early epoch: {Join(validation)}");
        Assert.Equal(stop, history.Count);
        Assert.Equal(best, doc["restored_epoch"]!.GetValue<int>());
        Assert.Equal(stop, doc["stopped_epoch"]!.GetValue<int>());

        // 48 training series in batches of 32: 2 steps an epoch.
        var epochLines = lines.Where(l => l.StartsWith("Epoch ", StringComparison.Ordinal) && l.Contains(" steps - "))
            .Select(l => Regex.Replace(l, @" - [0-9]+\.[0-9]{2} s - ", " - X s - ")).ToArray();
        Assert.Equal(history.Select(e => ExpectedLine(e!, 30, 2, ["accuracy", "auc"])), epochLines);
        int at = Array.FindIndex(lines, l => l.StartsWith($"Epoch {stop}/30 ", StringComparison.Ordinal));
        var saved = history[best - 1]!;
        Assert.Equal(
            [$"Restoring model weights from the end of the best epoch: {best}.", $"Epoch {stop}: early stopping",
             $"Saved {model}: 1361 parameters; epoch {best} of {stop} (lowest validation loss): " +
                 $"loss {F4(saved["loss"])}, " +
                 $"validation loss {F4(saved["validation_loss"])}"],
            lines[(at + 1)..(at + 4)]);

        // The saved model is the best epoch's, bit for bit: a run of exactly that many epochs.
        string exact = fx.Path2("exact.safetensors");
        Cli.Ok(["train", "--data", fx.Csv, "--target", "alarm", "--model", exact, .. Overfits[2..], "--epochs",
                best.ToString(CultureInfo.InvariantCulture), "--no-restore-best"]);
        Assert.Equal(Parameters(exact).Select(BitConverter.SingleToInt32Bits),
            Parameters(model).Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void ByDefaultTheSavedModelIsTheLowestValidationLossAndNoRestoreBestKeepsTheLast()
    {
        string model = fx.Path2("default.safetensors"), json = fx.Path2("default.json");
        string report = fx.Path2("default-report");
        Cli.Ok(["train", "--data", fx.Csv, "--target", "alarm", "--model", model, .. Overfits[2..], "--epochs", "14",
                "--json", json, "--report", report]);
        var doc = JsonNode.Parse(File.ReadAllText(json))!;
        var validation = doc["history"]!.AsArray().Select(e => e!["validation_loss"]!.GetValue<float>()).ToList();
        Assert.Equal(14, validation.Count);
        int best = validation.IndexOf(validation.Min()) + 1;
        Assert.True(best < 14, $"the validation loss should rise after an early epoch: {Join(validation)}");
        Assert.Equal(best, doc["restored_epoch"]!.GetValue<int>());
        Assert.Null(doc["stopped_epoch"]);
        // The report and the summary name the saved epoch and its figures.
        var saved = doc["history"]![best - 1]!;
        string loss = F4(saved["loss"]), accuracy = F4(saved["metrics"]!["accuracy"]);
        string auc = F4(saved["metrics"]!["auc"]);
        string validationLoss = F4(saved["validation_loss"]);
        string validationAccuracy = F4(saved["validation_metrics"]!["accuracy"]);
        string validationAuc = F4(saved["validation_metrics"]!["auc"]);
        Assert.Contains(
            $"14 epochs on 48 series; the model is epoch {best}'s, the lowest validation loss: training loss " +
            $"{loss} (accuracy {accuracy}, auc {auc}), validation loss {validationLoss} (accuracy " +
            $"{validationAccuracy}, auc {validationAuc}) on 12 held-out series.",
            File.ReadAllText(Path.Combine(report, "report.md")));
        var summary = RunDemo("summary", "--model", model);
        // The history table's headers, wrapped to the columns' widths (TextTable): joined again, line by line.
        int top = Array.IndexOf(summary, "Training history") + 2;
        var headerLines = summary[top..].TakeWhile(l => !l.StartsWith('├')).Select(l =>
            l.Split('│', StringSplitOptions.TrimEntries)[1..^1]).ToArray();
        var headers = Enumerable.Range(0, headerLines[0].Length).Select(c => headerLines.Select(h => h[c])
            .Where(p => p.Length > 0).Aggregate((a, b) => "-_/.".Contains(a[^1]) ? a + b : $"{a} {b}")).ToArray();
        Assert.Equal(["Epoch", "Loss", "accuracy", "auc", "Validation loss", "val_accuracy", "val_auc"], headers);
        string savedRow = summary.Single(l => l.Contains("(saved)", StringComparison.Ordinal));
        Assert.Equal([$"{best} (saved)", loss, accuracy, auc, validationLoss, validationAccuracy, validationAuc],
            savedRow.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        string last = fx.Path2("last.safetensors"), lastJson = fx.Path2("last.json");
        Cli.Ok(["train", "--data", fx.Csv, "--target", "alarm", "--model", last, .. Overfits[2..], "--epochs", "14",
                "--no-restore-best", "--json", lastJson]);
        Assert.Null(JsonNode.Parse(File.ReadAllText(lastJson))!["restored_epoch"]);
        string exact = fx.Path2("default-exact.safetensors");
        Cli.Ok(["train", "--data", fx.Csv, "--target", "alarm", "--model", exact, .. Overfits[2..], "--epochs",
                best.ToString(CultureInfo.InvariantCulture)]);
        Assert.Equal(Parameters(exact), Parameters(model));
        Assert.NotEqual(Parameters(last), Parameters(model));
    }

    [Fact]
    public void EarlyStoppingNeedsValidationSeries() =>
        Cli.Bad(["train", "--data", fx.Csv, "--target", "alarm", "--model", fx.Path2("none.safetensors"),
                 "--validation", "0", "--early-stopping", "2"],
            "--early-stopping watches the validation loss, but no series are held out for validation " +
                "(--validation 0, 60 series)");

    // Predictions per series from predict's CSV (series, time, line, target, prediction), in file order.
    private static Dictionary<string, List<(double Y, double P)>> ReadPredictions(string csv)
    {
        var bySeries = new Dictionary<string, List<(double, double)>>();
        foreach (var line in File.ReadLines(csv).Skip(1))
        {
            var f = line.Split(',');
            if (!bySeries.TryGetValue(f[0], out var rows)) bySeries[f[0]] = rows = [];
            rows.Add((double.Parse(f[3], CultureInfo.InvariantCulture),
                double.Parse(f[4], CultureInfo.InvariantCulture)));
        }
        return bySeries;
    }

    private static string[] HeldOut(string model) =>
        JsonNode.Parse(ModelFile.Load(model).Metadata["data"])!["training"]!["held_out"]!.AsArray()
            .Select(n => n!.GetValue<string>()).ToArray();

    private static string Join(IEnumerable<float> values) => string.Join(", ", values);

    // Accuracy at 0.5, the AUC as the share of (positive, negative) pairs won (ties one half), the BCE.
    private static (double Loss, double Accuracy, double Auc) Binary(List<(double Y, double P)> rows)
    {
        double loss = 0, correct = 0, wins = 0, pairs = 0;
        foreach (var (y, p) in rows)
        {
            double pc = Math.Clamp(p, 1e-7, 1 - 1e-7);
            loss -= y * Math.Log(pc) + (1 - y) * Math.Log(1 - pc);
            if ((p > 0.5 ? 1 : 0) == y) correct++;
            if (y != 1) continue;
            foreach (var (y0, p0) in rows)
            {
                if (y0 != 0) continue;
                pairs++;
                wins += p > p0 ? 1 : p == p0 ? 0.5 : 0;
            }
        }
        return (loss / rows.Count, correct / rows.Count, wins / pairs);
    }

    [Fact]
    public void PredictScoresTheHeldOutSeriesAndAllSeries()
    {
        string model = fx.Path2("predict.safetensors"), train = fx.Path2("predict-train.json");
        string csv = fx.Path2("predict.csv"), json = fx.Path2("predict.json");
        Cli.Ok(["train", "--data", fx.Csv, "--target", "alarm", "--model", model, .. Overfits, "--early-stopping", "3",
                "--json", train]);
        Cli.Ok("predict", "--model", model, "--data", fx.Csv, "--out", csv, "--json", json);
        var doc = JsonNode.Parse(File.ReadAllText(json))!;
        var rows = ReadPredictions(csv);
        string[] heldOut = HeldOut(model);
        Assert.Equal(12, heldOut.Length);
        foreach (var (key, series, ids) in
                 new[] { ("validation_series", 12, heldOut), ("all_series", 60, rows.Keys.ToArray()) })
        {
            var expected = Binary(ids.SelectMany(id => rows[id]).ToList());
            var got = doc[key]!;
            Assert.Equal(series, got["series"]!.GetValue<int>());
            Assert.Equal(expected.Loss, got["loss"]!.GetValue<float>(), 5);
            Assert.Equal(expected.Accuracy, got["metrics"]!["accuracy"]!.GetValue<float>(), 6);
            Assert.Equal(expected.Auc, got["metrics"]!["auc"]!.GetValue<float>(), 6);
        }
        Assert.Null(doc["note"]);
        // The held-out figures are those training reported for the epoch it saved.
        var trainDoc = JsonNode.Parse(File.ReadAllText(train))!;
        var savedEpoch = trainDoc["history"]![trainDoc["restored_epoch"]!.GetValue<int>() - 1]!;
        var held = doc["validation_series"]!;
        Assert.Equal(savedEpoch["validation_loss"]!.GetValue<float>(), held["loss"]!.GetValue<float>(), 6);
        Assert.Equal(savedEpoch["validation_metrics"]!["auc"]!.GetValue<float>(),
            held["metrics"]!["auc"]!.GetValue<float>(), 6);
    }

    [Fact]
    public void RegressionReportsMaeAndRSquared()
    {
        string model = fx.Path2("level.safetensors"), train = fx.Path2("level-train.json");
        string csv = fx.Path2("level.csv"), json = fx.Path2("level.json");
        Cli.Ok("train", "--data", fx.Regression, "--target", "level", "--model", model, "--epochs", "5",
               "--layers", "6", "--json", train);
        var epoch = JsonNode.Parse(File.ReadAllText(train))!["history"]![0]!;
        Assert.Equal(["mae", "r2_score"], epoch["metrics"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["mae", "r2_score"], epoch["validation_metrics"]!.AsObject().Select(p => p.Key));
        Cli.Ok("predict", "--model", model, "--data", fx.Regression, "--out", csv, "--json", json);
        var doc = JsonNode.Parse(File.ReadAllText(json))!;
        var rows = ReadPredictions(csv);
        foreach (var (key, ids) in new[] { ("validation_series", HeldOut(model)), ("all_series", rows.Keys.ToArray()) })
        {
            var r = ids.SelectMany(id => rows[id]).ToList();
            double mean = r.Average(x => x.Y);
            double mae = r.Average(x => Math.Abs(x.Y - x.P)), mse = r.Average(x => (x.Y - x.P) * (x.Y - x.P));
            double r2 = 1 - r.Sum(x => (x.Y - x.P) * (x.Y - x.P)) / r.Sum(x => (x.Y - mean) * (x.Y - mean));
            Assert.Equal(mse, doc[key]!["loss"]!.GetValue<float>(), 5);
            Assert.Equal(mae, doc[key]!["metrics"]!["mae"]!.GetValue<float>(), 5);
            Assert.Equal(r2, doc[key]!["metrics"]!["r2_score"]!.GetValue<float>(), 5);
        }
    }

    [Fact]
    public void PredictSaysWhenItCannotScoreTheValidationSeries()
    {
        // A model file written before the held-out series were recorded: the record without 'held_out'.
        string model = fx.Path2("old.safetensors"), old = fx.Path2("older.safetensors"), json = fx.Path2("old.json");
        Cli.Ok("train", "--data", fx.Csv, "--target", "alarm", "--model", model, "--epochs", "2", "--layers", "3");
        var (m, metadata) = ModelFile.Load(model);
        var record = JsonNode.Parse(metadata["data"])!;
        Assert.True(record["training"]!.AsObject().Remove("held_out"));
        ModelFile.Save(old, m, new Dictionary<string, string> { ["data"] = record.ToJsonString() });
        Cli.Ok("predict", "--model", old, "--data", fx.Csv, "--out", fx.Path2("old.csv"), "--json", json);
        var doc = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Null(doc["validation_series"]);
        Assert.Equal(60, doc["all_series"]!["series"]!.GetValue<int>());
        Assert.Equal("The model file does not record which series were held out for validation (it was written " +
                     "before that record): the metrics are over all series only, training series included.",
                     doc["note"]!.GetValue<string>());

        string none = fx.Path2("none.safetensors");
        Cli.Ok("train", "--data", fx.Csv, "--target", "alarm", "--model", none, "--epochs", "2", "--layers", "3",
               "--validation", "0");
        Cli.Ok("predict", "--model", none, "--data", fx.Csv, "--out", fx.Path2("none.csv"), "--json", json);
        Assert.Equal("The model was trained without validation series: the metrics are over all series, which it was " +
                     "trained on.", JsonNode.Parse(File.ReadAllText(json))!["note"]!.GetValue<string>());
    }
}
