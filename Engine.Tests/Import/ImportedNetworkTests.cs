using System.Text.Json.Nodes;
using Engine.Import;
using Engine.Layers;
using Engine.Models;
using Xunit;

namespace Engine.Tests.Import;

/// <summary>
/// Imported models through the one mapping to the engine: predictions against the float64 references the fixture
/// scripts computed from Keras' cell equations (within 1e-4 relative), and import -> save -> load bit-identical.
/// </summary>
public sealed class ImportedNetworkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("imported-network-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Files whose every layer the engine has today: these must predict.</summary>
    public static TheoryData<string> MustPredict() =>
    [
        "real/air_quality_lstm.keras",
        "keras/k3_lstm_relu.keras", "keras/k3_lstm_relu.h5", "keras/k2_lstm_relu.h5",
        "keras/k3_lstm_stack_tanh.keras", "keras/k3_lstm_stack_tanh.h5", "keras/k2_lstm_stack_tanh.h5",
        "keras/k3_lstm_seq_dense.keras", "keras/k3_lstm_seq_dense.h5", "keras/k2_lstm_seq_dense.h5",
        "keras/k3_timedistributed_dense.keras", "keras/k3_timedistributed_dense.h5",
        "keras/k2_timedistributed_dense.h5",
        // torch exports: the ONNX reader's Keras form through the same mapping.
        "onnx/torch_lstm_uni_l1_batchfirst_last.onnx", "onnx/torch_lstm_uni_l1_batchfirst_every.onnx",
        "onnx/torch_lstm_uni_l1_timefirst_last.onnx", "onnx/torch_lstm_uni_l2_batchfirst_last.onnx",
        "onnx/torch_lstm_uni_l2_timefirst_last.onnx",
    ];

    /// <summary>Every valid model fixture: Keras (keras/, real/) and ONNX (onnx/).</summary>
    public static TheoryData<string> ModelFiles()
    {
        var data = new TheoryData<string>();
        foreach (string file in KerasReaderTests.KerasFiles()) data.Add(file);
        foreach (string file in Directory.GetFiles(Path.Combine(KerasReaderTests.Fixtures, "onnx"),
                                                   "*.onnx").Order(StringComparer.Ordinal))
            data.Add($"onnx/{Path.GetFileName(file)}");
        return data;
    }

    [Theory]
    [MemberData(nameof(MustPredict))]
    public void A_file_of_supported_layers_predicts_its_float64_reference(string file)
    {
        var (model, path) = Import(file);
        AssertPredicts(model, path);
    }

    /// <summary>
    /// Every fixture either predicts its reference or is refused in one line for a layer type the engine does not
    /// register yet (GRU, Bidirectional, ... until they land): the mapping never builds a wrong model quietly.
    /// </summary>
    [Theory]
    [MemberData(nameof(ModelFiles))]
    public void Every_fixture_predicts_or_names_the_layer_type_the_engine_lacks(string file)
    {
        string path = Path.Combine(KerasReaderTests.Fixtures, file);
        ImportedModel imported;
        try
        {
            imported = ModelImport.Read(path);
        }
        catch (ModelFormatException e) when (file.StartsWith("onnx/", StringComparison.Ordinal))
        {
            // Graphs the ONNX reader refuses by design (e.g. out[:, -1] of a bidirectional layer): one line naming a
            // node.
            Assert.DoesNotContain('\n', e.Message);
            Assert.Contains("node '", e.Message);
            return;
        }
        Sequential model;
        try
        {
            model = ImportedNetwork.Build(imported, path);
        }
        catch (ModelFormatException e)
        {
            Assert.DoesNotContain('\n', e.Message);
            var missing = imported.Layers.Select(l => l.ClassName)
                .Concat(imported.Layers.Select(l =>
                    (l.Config["layer"] as JsonObject)?["class_name"]?.GetValue<string>() ?? ""))
                .Concat(imported.Layers.Select(l =>
                    l.Config["activation"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
                    ? l.Config["activation"]!.GetValue<string>() : ""))
                .Where(c => c.Length > 0
                       && c is not ("InputLayer" or "Flatten" or "TimeDistributed" or "Dropout" or "SpatialDropout1D"))
                .Where(c => !LayerRegistry.Types.Contains(c) && !IsKnownActivation(c))
                .ToList();
            Assert.True(missing.Any(m => e.Message.Contains(m, StringComparison.Ordinal)),
                $"{file}: refused for '{e.Message}', which names none of the missing types {string.Join(", " +
                $"", missing)}");
            return;
        }
        AssertPredicts(model, path);
    }

    [Fact]
    public void Import_save_load_gives_bit_identical_predictions()
    {
        var (model, path) = Import("real/air_quality_lstm.keras");
        var imported = ModelImport.Read(path);
        string saved = Path.Combine(_dir, "imported.safetensors");
        ModelFile.Save(saved, model, new Dictionary<string, string>
        {
            ["imported"] = ImportedNetwork.Metadata(imported, path).ToJsonString(),
        });
        var (loaded, metadata) = ModelFile.Load(saved);
        var record = JsonNode.Parse(metadata["imported"])!.AsObject();
        Assert.Equal("air_quality_lstm.keras", record["source_file"]!.GetValue<string>());
        Assert.Equal(imported.SourceSha256, record["source_sha256"]!.GetValue<string>());
        Assert.Equal("3.10.0", record["source_version"]!.GetValue<string>());
        Assert.Equal("none", record["standardisation"]!.GetValue<string>());
        // The Dropout layers are in the engine's model now that the registry has them (identity at inference).
        Assert.Equal(["lstm_39", "dropout_63", "lstm_40", "dropout_64", "lstm_41", "dropout_65", "dense_42",
                      "dense_43"],
            record["engine_layers"]!.AsArray().Select(n => n!.GetValue<string>()));
        var (inputs, count, steps, _) = ImportFixtures.Reference(path);
        var a = new float[count * model.OutputsPerSeries(steps)];
        var b = new float[a.Length];
        model.Predict(a, inputs, count, steps);
        loaded.Predict(b, inputs, count, steps);
        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData("keras/k2_gru_hard_sigmoid.h5", "keras2 clip(0.2x + 0.5, 0, 1)")]
    [InlineData("keras/k3_gru_hard_sigmoid.keras", "keras3 clip(x/6 + 0.5, 0, 1)")]
    [InlineData("onnx/torch_lstm_uni_l1_batchfirst_every.onnx", null)]
    public void The_record_states_keras_hard_sigmoid_formula_and_nothing_for_onnx(string file, string? formula)
    {
        string path = Path.Combine(ImportFixtures.Folder, file);
        var record = ImportedNetwork.Metadata(ModelImport.Read(path), path);
        Assert.Equal(formula, record["hard_sigmoid"]?.GetValue<string>());
    }

    [Fact]
    public void Keras3_hard_sigmoid_is_renamed_and_keras2_kept()
    {
        var layer = new ImportedLayer("LSTM", "l",
                                      new JsonObject { ["units"] = 2, ["recurrent_activation"] = "hard_sigmoid" }, []);
        Assert.Equal("hard_sigmoid_keras3",
                     ImportedNetwork.RegistryConfig(layer, keras3: true)["recurrent_activation"]!.GetValue<string>());
        Assert.Equal("hard_sigmoid",
                     ImportedNetwork.RegistryConfig(layer, keras3: false)["recurrent_activation"]!.GetValue<string>());
        Assert.Equal("LSTM", ImportedNetwork.RegistryConfig(layer, keras3: false)["type"]!.GetValue<string>());
    }

    private static bool IsKnownActivation(string name)
    {
        try
        {
            Engine.Kernels.ActivationNames.Parse(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static (Sequential Model, string Path) Import(string file)
    {
        string path = Path.Combine(KerasReaderTests.Fixtures, file);
        return (ImportedNetwork.Build(ModelImport.Read(path), path), path);
    }

    private static void AssertPredicts(Sequential model, string path)
    {
        var (inputs, count, steps, expected) = ImportFixtures.Reference(path);
        var predicted = new float[count * model.OutputsPerSeries(steps)];
        model.Predict(predicted, inputs, count, steps);
        Assert.Equal(expected.Length, predicted.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(predicted[i] - expected[i]);
            Assert.True(error <= 1e-4 * Math.Max(Math.Abs(expected[i]), 1e-2),
                $"{Path.GetFileName(path)}: output {i} is {predicted[i]}, reference {expected[i]} (error {error:G3})");
        }
    }
}
