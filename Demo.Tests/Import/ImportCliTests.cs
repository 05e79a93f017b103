using System.Globalization;
using System.Text;
using System.Text.Json;
using Demo.Tests.Data;
using Engine.Tests.Import;
using Xunit;

namespace Demo.Tests.Import;

/// <summary>
/// The demo on a real Keras file: predict (against the fixture's float64 reference), --compare, import -> predict
/// (identical output), summary, importance; bad input answered with exit 1 and one line.
/// </summary>
public sealed class ImportCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("import-cli-").FullName;
    private readonly string _keras = Path.Combine(ImportFixtures.Folder, "real", "air_quality_lstm.keras");
    private readonly double[] _expected;
    private readonly string _csv;

    public ImportCliTests()
    {
        var (inputs, count, steps, outputs) = ImportFixtures.Reference(_keras);
        _expected = outputs;
        int features = inputs.Length / (count * steps);
        // series, time, f0..f17 and a target column y (not an input: named with --target where it must be left out).
        var csv = new StringBuilder("series,time,"
                                    + string.Join(',', Enumerable.Range(0, features).Select(f => $"f{f}")) + ",y\n");
        for (int s = 0; s < count; s++)
            for (int t = 0; t < steps; t++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"s{s},{t}");
                for (int f = 0; f < features; f++)
                    csv.Append(',').Append(inputs[(s * steps + t) * features
                                                  + f].ToString("R", CultureInfo.InvariantCulture));
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
        File.ReadAllLines(path).Skip(1).Select(l =>
            double.Parse(l.Split(',')[^1], CultureInfo.InvariantCulture)).ToArray();

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
        Cli.Ok("predict", "--model", _keras, "--data", _csv, "--out", Out("p.csv"), "--target", "y", "--compare",
               Theirs("same.csv", 1));
        string off = Theirs("off.csv", 1.01);
        Cli.Bad(["predict", "--model", _keras, "--data", _csv, "--out", Out("q.csv"), "--target", "y", "--compare",
                 off],
            off, "over --tolerance 0.0001");
        // 1% off passes a 2% tolerance.
        Cli.Ok("predict", "--model", _keras, "--data", _csv, "--out", Out("r.csv"), "--target", "y", "--compare", off,
               "--tolerance", "0.02");
        string rows = Write("rows.csv", "prediction\n1\n");
        Cli.Bad(["predict", "--model", _keras, "--data", _csv, "--out", Out("s.csv"), "--target", "y", "--compare",
                 rows], rows, "1 rows", "4 were made");
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
        string sha256 =
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(_keras)));
        Assert.Contains(sha256, metadata["data"]);
        Cli.Ok("summary", "--model", model);
        Cli.Ok("summary", "--model", _keras);
    }

    [Fact]
    public void Predict_says_an_imported_model_records_no_training_series()
    {
        // It said "The model file does not record which series were held out for validation (it was written before
        // that record)": true of an old model file of ours, wrong of a model trained in Keras or torch.
        string json = Out("p.json");
        Cli.Ok("predict", "--model", _keras, "--data", _csv, "--out", Out("p.csv"), "--target", "y", "--json", json);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("The model was imported (trained elsewhere), so which series it was trained on is not known: " +
                     "the metrics are over all series.", doc.RootElement.GetProperty("note").GetString());
        string model = Out("m.safetensors");
        Cli.Ok("import", _keras, "--out", model);
        Cli.Ok("predict", "--model", model, "--data", _csv, "--out", Out("q.csv"), "--target", "y", "--json", json);
        using var converted = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(doc.RootElement.GetProperty("note").GetString(),
                     converted.RootElement.GetProperty("note").GetString());
    }

    [Fact]
    public void Summary_of_a_dynamic_time_axis_shows_none_steps_and_the_source_names()
    {
        // torch.onnx.export with a dynamic time axis: LSTM(4) on every step, then Linear(2). The shapes were
        // (None, 1, 4) and the JSON named the format lstm-engine/2 and the layers lstm, dense.
        string onnx = Path.Combine(ImportFixtures.Folder, "onnx", "torch_lstm_uni_l1_batchfirst_every.onnx");
        string json = Out("summary.json");
        Cli.Ok("summary", "--model", onnx, "--json", json);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("onnx", doc.RootElement.GetProperty("format").GetString());
        var layers = doc.RootElement.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(["(None, None, 4)", "(None, None, 2)"],
                     layers.Select(l => l.GetProperty("output_shape").GetString()));
        Assert.Equal(["rnn_l0", "head"], layers.Select(l => l.GetProperty("name").GetString()));
        Assert.Equal([128, 10], layers.Select(l => l.GetProperty("parameters").GetInt32()));
    }

    [Fact]
    public void Importance_runs_on_the_keras_file()
    {
        Cli.Ok("importance", "--model", _keras, "--data", _csv, "--target", "y", "--methods",
               "permutation,occlusion,garson",
            "--repeats", "2", "--threads", "1");
        Cli.Bad(["importance", "--model", _keras, "--data", _csv, "--methods", "permutation"], "x.csv",
                "takes 18 inputs", "19 feature columns",
                "the target with --target");
    }

    public static TheoryData<string, string> RefusedAndMalformed() => new()
    {
        { "refused/k2_refused_conv1d.h5",
            "is a Conv1D layer, which this program does not support; supported layers: InputLayer, LSTM" },
        { "refused/k3_refused_conv1d.keras",
            "is a Conv1D layer, which this program does not support; supported layers: InputLayer, LSTM" },
        { "refused/k2_refused_custom_layer.h5", "MyCustomLayer" },
        { "refused/k3_refused_custom_layer.keras", "is a custom layer (Custom>MyCustomLayer" },
        { "refused/k2_refused_go_backwards_gru.h5", "GRU with go_backwards outside a Bidirectional wrapper" },
        { "refused/k3_refused_go_backwards_gru.keras", "GRU with go_backwards outside a Bidirectional wrapper" },
        { "refused/k2_refused_lambda.h5", "is a Lambda layer, which holds Python code; this program never runs code" },
        { "refused/k3_refused_lambda.keras",
            "is a Lambda layer, which holds Python code; this program never runs code" },
        { "refused/k2_refused_stateful_lstm.h5", "is a stateful LSTM" },
        { "refused/k3_refused_stateful_lstm.keras", "is a stateful LSTM" },
        { "refused/k3_refused_attention.keras", "is a Attention layer" },
        { "refused/k3_refused_masking.keras", "is a Masking layer" },
        { "malformed/k2_external_link_weight.h5", "external link" },
        { "malformed/k3_external_link_weight.keras", "external link" },
        { "malformed/k2_nan_weights.h5", "non-finite value (NaN)" },
        { "malformed/k3_nan_weights.keras", "non-finite value (NaN)" },
        { "malformed/k2_no_model_config.h5", "no model_config" },
        { "malformed/k2_no_weight_names.h5", "model_weights/lstm_1 has no weight_names attribute" },
        { "malformed/k2_weight_shape_mismatch.h5", "has kernel of shape (3, 17), expected (inputs, 16)" },
        { "malformed/k3_weight_shape_mismatch.keras",
            "layer 'dense' (Dense) has kernel of shape (3, 5), expected (inputs, 4)" },
        { "malformed/k3_config_not_json.keras", "not valid JSON" },
        { "malformed/k3_huge_declared_size.keras", "config.json declares 3000000000 bytes" },
        { "malformed/k3_missing_layer_weights.keras", "has 2 arrays in 'cell/vars', expected 3" },
        { "malformed/k3_no_config_json.keras", "has no config.json" },
        { "malformed/k3_truncated.keras", "a zip file, but a malformed one" },
    };

    /// <summary>
    /// An imported softmax head is a class model with the classes 0 .. k-1 (label j is output j): predict writes the
    /// predicted class and its probabilities and scores accuracy; importance takes --output-index.
    /// </summary>
    [Fact]
    public void A_softmax_head_is_a_class_model()
    {
        string keras = Path.Combine(ImportFixtures.Folder, "keras", "k2_lstm_hard_sigmoid_softmax.h5");
        var (inputs, count, steps, outputs) = ImportFixtures.Reference(keras);
        int features = inputs.Length / (count * steps), classes = outputs.Length / count, first = -1;
        // Each series labelled with the class Keras gives the highest probability: accuracy 1.
        var csv = new StringBuilder("series,time," +
                                    string.Join(',', Enumerable.Range(0, features).Select(f => $"f{f}")) +
                                    ",label\n");
        for (int s = 0; s < count; s++)
        {
            var p = outputs.AsSpan(s * classes, classes);
            int label = p.IndexOf(p.ToArray().Max());
            if (s == 0) first = label;
            for (int t = 0; t < steps; t++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"s{s},{t}");
                for (int f = 0; f < features; f++)
                    csv.Append(',').Append(inputs[(s * steps + t) * features + f].ToString("R",
                                                                                         CultureInfo.InvariantCulture));
                csv.Append(CultureInfo.InvariantCulture, $",{label}\n");
            }
        }
        string data = Write("classes.csv", csv.ToString()), json = Out("classes.json");
        Cli.Ok("predict", "--model", keras, "--data", data, "--out", Out("c.csv"), "--target", "label", "--json", json);
        Assert.Equal("series,time,line,label,predicted_class,p_0,p_1,p_2,p_3", File.ReadLines(Out("c.csv")).First());
        using (var doc = JsonDocument.Parse(File.ReadAllText(json)))
            Assert.Equal(1.0, doc.RootElement.GetProperty("accuracy").GetDouble());
        Cli.Ok("importance", "--model", keras, "--data", data, "--target", "label", "--methods",
               "partial-derivatives,permutation", "--output-index", "2", "--repeats", "2");
        // A label that is not a class of the model: one line naming it and the classes.
        string bad = Write("bad.csv", csv.ToString().Replace($",{first}\n", ",7\n"));
        Cli.Bad(["predict", "--model", keras, "--data", bad, "--out", Out("y.csv"), "--target", "label"], bad, "'7'",
                "0, 1, 2, 3");
    }

    /// <summary>Every refused layer and malformed file the fixtures hold: exit 1, one line naming the file.</summary>
    [Theory]
    [MemberData(nameof(RefusedAndMalformed))]
    public void Refused_and_malformed_files_are_one_line_errors(string file, string fragment)
    {
        string path = Path.Combine(ImportFixtures.Folder, file);
        Cli.Bad(["summary", "--model", path], path, fragment);
        Cli.Bad(["import", path, "--out", Out("m.safetensors")], path, fragment);
        Assert.False(File.Exists(Out("m.safetensors")));
    }

    [Fact]
    public void Import_refuses_to_write_over_the_file_it_imports()
    {
        // `demo import my.keras --out my.keras` replaced the user's Keras file with the converted model, exit 0.
        string keras = Out("mine.keras");
        File.Copy(_keras, keras);
        byte[] before = File.ReadAllBytes(keras);
        Assert.Equal($"error: {keras}: --out is the same file as the model to import {keras}; it would be overwritten",
                     Cli.Bad(["import", keras, "--out", keras]));
        // Another spelling of the same file too.
        string other = Path.Combine(_dir, ".", "mine.keras");
        Cli.Bad(["import", keras, "--out", other], "the same file as the model to import");
        Assert.Equal(before, File.ReadAllBytes(keras));
    }

    [Fact]
    public void Bad_model_files_and_inputs_are_one_line_errors()
    {
        string text = Write("model.keras", "not a model");
        Cli.Bad(["predict", "--model", text, "--data", _csv, "--out", Out("p.csv")], text, "not a model file");
        Cli.Bad(["summary", "--model", text], text, "not a model file");
        string missing = Out("nope.keras");
        Cli.Bad(["import", missing, "--out", Out("m.safetensors")], missing, "cannot open");
        Cli.Bad(["import", _keras, "--out", Out("m.safetensors"), "--features", "a,b"], "--features names 2 columns",
                "takes 18 inputs");
        Assert.False(File.Exists(Out("m.safetensors")));
    }
}
