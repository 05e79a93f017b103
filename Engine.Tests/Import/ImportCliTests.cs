using System.Globalization;
using System.Text;
using Engine.Tests.Data;
using Xunit;

namespace Engine.Tests.Import;

/// <summary>
/// The demo on a real Keras file: predict (against the fixture's float64 reference), --compare, import -> predict
/// (identical output), summary, importance; bad input answered with exit 1 and one line.
/// </summary>
public sealed class ImportCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("import-cli-").FullName;
    private readonly string _keras = Path.Combine(KerasReaderTests.Fixtures, "real", "air_quality_lstm.keras");
    private readonly double[] _expected;
    private readonly string _csv;

    public ImportCliTests()
    {
        var (inputs, count, steps, outputs) = ImportedNetworkTests.Reference(_keras);
        _expected = outputs;
        int features = inputs.Length / (count * steps);
        // series, time, f0..f17 and a target column y (not an input: named with --target where it must be left out).
        var csv = new StringBuilder("series,time," + string.Join(',', Enumerable.Range(0, features).Select(f => $"f{f}")) + ",y\n");
        for (int s = 0; s < count; s++)
            for (int t = 0; t < steps; t++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"s{s},{t}");
                for (int f = 0; f < features; f++)
                    csv.Append(',').Append(inputs[(s * steps + t) * features + f].ToString("R", CultureInfo.InvariantCulture));
                csv.Append(CultureInfo.InvariantCulture, $",{(s * 7 + t) % 5 * 0.1}\n");
            }
        _csv = Write("x.csv", csv.ToString());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private string Out(string name) => Path.Combine(_dir, name);

    /// <summary>The prediction column of a predictions CSV.</summary>
    private static double[] Predictions(string path) =>
        File.ReadAllLines(path).Skip(1).Select(l => double.Parse(l.Split(',')[^1], CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public void Predict_reads_the_keras_file_and_matches_the_float64_reference()
    {
        string p = Out("p.csv");
        Cli.Ok("predict", "--model", _keras, "--data", _csv, "--out", p, "--target", "y");
        var lines = File.ReadAllLines(p);
        Assert.Equal("series,time,line,y,prediction", lines[0]);
        Assert.Equal(1 + _expected.Length, lines.Length);            // one row per series, at its last step
        Assert.StartsWith("s0,71,", lines[1]);
        var predicted = Predictions(p);
        for (int i = 0; i < _expected.Length; i++)
            Assert.True(Math.Abs(predicted[i] - _expected[i]) <= 1e-4 * Math.Max(Math.Abs(_expected[i]), 1e-2),
                $"series {i}: {predicted[i]} vs reference {_expected[i]}");
    }

    [Fact]
    public void Compare_accepts_the_reference_and_refuses_predictions_one_percent_off()
    {
        string Theirs(string name, double scale) => Write(name, "prediction\n" + string.Join('\n',
            _expected.Select(v => (v * scale).ToString("R", CultureInfo.InvariantCulture))) + "\n");
        Cli.Ok("predict", "--model", _keras, "--data", _csv, "--out", Out("p.csv"), "--target", "y", "--compare", Theirs("same.csv", 1));
        string off = Theirs("off.csv", 1.01);
        Cli.Bad(["predict", "--model", _keras, "--data", _csv, "--out", Out("q.csv"), "--target", "y", "--compare", off],
            off, "over --tolerance 0.0001");
        // 1% off passes a 2% tolerance.
        Cli.Ok("predict", "--model", _keras, "--data", _csv, "--out", Out("r.csv"), "--target", "y", "--compare", off, "--tolerance", "0.02");
        string rows = Write("rows.csv", "prediction\n1\n");
        Cli.Bad(["predict", "--model", _keras, "--data", _csv, "--out", Out("s.csv"), "--target", "y", "--compare", rows], rows, "1 rows", "4 were made");
    }

    [Fact]
    public void Import_then_predict_writes_the_same_predictions_and_records_the_source()
    {
        string model = Out("m.safetensors");
        Cli.Ok("import", _keras, "--out", model);
        string direct = Out("direct.csv"), converted = Out("converted.csv");
        Cli.Ok("predict", "--model", _keras, "--data", _csv, "--out", direct, "--target", "y");
        Cli.Ok("predict", "--model", model, "--data", _csv, "--out", converted, "--target", "y");
        Assert.Equal(File.ReadAllText(direct), File.ReadAllText(converted));
        var (_, metadata) = Engine.Models.ModelFile.Load(model);
        Assert.Contains("air_quality_lstm.keras", metadata["data"]);
        Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(_keras))), metadata["data"]);
        Cli.Ok("summary", "--model", model);
        Cli.Ok("summary", "--model", _keras);
    }

    [Fact]
    public void Importance_runs_on_the_keras_file()
    {
        Cli.Ok("importance", "--model", _keras, "--data", _csv, "--target", "y", "--methods", "permutation,occlusion,garson",
            "--repeats", "2", "--threads", "1");
        Cli.Bad(["importance", "--model", _keras, "--data", _csv, "--methods", "permutation"], "x.csv", "takes 18 inputs", "19 feature columns");
    }

    [Fact]
    public void Bad_model_files_and_inputs_are_one_line_errors()
    {
        string text = Write("model.keras", "not a model");
        Cli.Bad(["predict", "--model", text, "--data", _csv, "--out", Out("p.csv")], text, "not a model file");
        Cli.Bad(["summary", "--model", text], text, "not a model file");
        string missing = Out("nope.keras");
        Cli.Bad(["import", missing, "--out", Out("m.safetensors")], missing, "cannot open");
        Cli.Bad(["import", _keras, "--out", Out("m.safetensors"), "--features", "a,b"], "--features names 2 columns", "takes 18 inputs");
        Assert.False(File.Exists(Out("m.safetensors")));
    }
}
