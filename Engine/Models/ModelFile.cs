using System.Text.Json;
using System.Text.Json.Serialization;
using Engine.IO;
using Engine.Kernels;
using Engine.Layers;

namespace Engine.Models;

/// <summary>One LSTM layer of a saved model.</summary>
/// <param name="Units">H, the layer's units.</param>
/// <param name="Activation">Keras name of the cell/output activation (relu, tanh, sigmoid, linear, hard_sigmoid).</param>
/// <param name="RecurrentActivation">Keras name of the gate activation (sigmoid or hard_sigmoid).</param>
public sealed record LstmSpec(int Units, string Activation, string RecurrentActivation);

/// <summary>The dense head of a saved model: <c>y = a(h K + b)</c>, K (H, O).</summary>
public sealed record HeadSpec(int Units, string Activation);

/// <summary>Per-feature standardisation x' = (x - mean) / sd, with the training data's statistics.</summary>
public sealed record Normalisation(float[] Mean, float[] Sd);

/// <summary>One epoch of the training history kept in the model file.</summary>
public sealed record EpochLoss(int Epoch, float Loss, float? ValidationLoss);

/// <summary>How the model was trained and on what data: kept for reports and for reading the data the same way.</summary>
public sealed record TrainingInfo
{
    public string Loss { get; init; } = "bce";
    public int Epochs { get; init; }
    public int BatchSize { get; init; }
    public float LearningRate { get; init; }
    public float Validation { get; init; }
    public ulong Seed { get; init; }
    public string? Target { get; init; }
    public string? SeriesColumn { get; init; }
    public string? TimeColumn { get; init; }
    public int? Window { get; init; }
    public int TrainingSeries { get; init; }
    public int ValidationSeries { get; init; }
    public List<EpochLoss> History { get; init; } = [];
}

/// <summary>
/// What the <c>architecture</c> metadata of a model file holds: the input feature names, the LSTM layers, the
/// optional dense head, the output mode (<c>sequence</c>: one output per step; <c>last</c>: the last step only),
/// the output activation, the steps the model was trained on, the normalisation statistics and the training settings.
/// </summary>
public sealed record ModelArchitecture
{
    public string[] Features { get; init; } = [];
    public List<LstmSpec> Layers { get; init; } = [];
    public HeadSpec? Head { get; init; }
    public string Output { get; init; } = "sequence";
    public string OutputActivation { get; init; } = "sigmoid";
    public int Steps { get; init; }
    public Normalisation? Normalisation { get; init; }
    public TrainingInfo Training { get; init; } = new();

    /// <summary>Whether the model outputs every step (else only the last).</summary>
    [JsonIgnore] public bool SequenceOutput => Output == "sequence";

    /// <summary>
    /// Builds the (uninitialised) model: every LSTM returns sequences except the last when the output is <c>last</c>;
    /// the head, if any, is a Dense layer; a sequence output is flattened to (N, T x O).
    /// </summary>
    public Sequential Build()
    {
        if (Features.Length == 0) throw new ArgumentException("the architecture names no input features");
        if (Layers.Count == 0) throw new ArgumentException("the architecture has no LSTM layer");
        if (Output is not ("sequence" or "last")) throw new ArgumentException($"output must be 'sequence' or 'last', not '{Output}'");
        var layers = new List<Layer>();
        for (int k = 0; k < Layers.Count; k++)
        {
            var l = Layers[k];
            bool returnSequences = SequenceOutput || k < Layers.Count - 1;
            layers.Add(new Lstm(l.Units, ActivationNames.Parse(l.Activation), ActivationNames.Parse(l.RecurrentActivation), returnSequences));
        }
        if (Head is not null) layers.Add(new Dense(Head.Units, ActivationNames.Parse(Head.Activation)));
        return new Sequential(Features.Length, layers, flatten: SequenceOutput);
    }

    /// <summary>Whether the architecture can describe <paramref name="model"/> (same layers, sizes, activations and output mode).</summary>
    public bool Describes(Sequential model)
    {
        var built = Build();
        if (built.Flatten != model.Flatten || built.Layers.Count != model.Layers.Count || built.InputFeatures != model.InputFeatures) return false;
        for (int k = 0; k < built.Layers.Count; k++)
        {
            Layer a = built.Layers[k], b = model.Layers[k];
            if (a.GetType() != b.GetType() || a.Units != b.Units || a.Activation != b.Activation) return false;
            if (a is Lstm la && b is Lstm lb && (la.RecurrentActivation != lb.RecurrentActivation || la.ReturnSequences != lb.ReturnSequences)) return false;
        }
        return true;
    }
}

/// <summary>
/// The architecture metadata's JSON contract, source-generated (no reflection: the demo is published with NativeAOT):
/// snake_case keys, nulls left out, NaN and infinities as the strings "NaN", "Infinity".
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
                             NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ModelArchitecture))]
public sealed partial class ModelJson : JsonSerializerContext;

/// <summary>
/// The model file: one safetensors file with the tensors in Keras layout, named <c>layers.{k}.kernel</c> (F, 4H),
/// <c>layers.{k}.recurrent_kernel</c> (H, 4H), <c>layers.{k}.bias</c> (4H) (gate blocks i, f, c, o),
/// <c>head.kernel</c> (H, O) and <c>head.bias</c> (O); <c>__metadata__</c> holds <c>format</c> = <see cref="Format"/>
/// and <c>architecture</c>, a JSON string (<see cref="ModelArchitecture"/>, snake_case keys).
/// Tensors are copied from and into the model's flat parameter buffer through its named slices.
/// </summary>
public static class ModelFile
{
    /// <summary>The format this engine writes and reads.</summary>
    public const string Format = "lstm-engine/1";

    /// <summary>JSON options of the architecture metadata: snake_case keys, nulls left out (<see cref="ModelJson"/>'s).</summary>
    public static JsonSerializerOptions Json => ModelJson.Default.Options;

    /// <summary>The tensor names and slices of a model, in file order.</summary>
    public static IEnumerable<(string Name, int Layer, ParameterTensor Tensor)> TensorNames(Sequential model)
    {
        for (int k = 0; k < model.Layers.Count; k++)
        {
            var layer = model.Layers[k];
            string prefix = layer switch
            {
                Lstm => $"layers.{k}",
                Dense when k == model.Layers.Count - 1 => "head",
                _ => throw new ArgumentException($"layer {k} ({layer.TypeName}): a model file holds LSTM layers and one dense head at the end"),
            };
            foreach (var t in layer.Tensors) yield return ($"{prefix}.{t.Name}", k, t);
        }
    }

    /// <summary>
    /// Saves <paramref name="model"/> with <paramref name="architecture"/> to <paramref name="path"/>: written to a
    /// temporary file in the same directory, then renamed over the target, so a crash never leaves a half-written model.
    /// </summary>
    public static void Save(string path, Sequential model, ModelArchitecture architecture)
    {
        if (!architecture.Describes(model)) throw new ArgumentException("the architecture does not describe the model's layers", nameof(architecture));
        if (Check.FirstNonFinite(model.Parameters) is var bad and >= 0)
            throw new ArgumentException($"parameter {bad} is {model.Parameters[bad]}: a diverged model is never saved", nameof(model));
        var tensors = TensorNames(model)
            .Select(e => new NamedTensor(e.Name, e.Tensor.Shape, model.LayerParameters(e.Layer).Slice(e.Tensor.Offset, e.Tensor.Length).ToArray()))
            .ToList();
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["architecture"] = JsonSerializer.Serialize(architecture, ModelJson.Default.ModelArchitecture),
        };
        AtomicFile.Write(path, stream => SafeTensors.Write(stream, tensors, metadata));
    }

    /// <summary>
    /// Loads a model file: checks the format, parses the architecture, builds the model and fills its parameters.
    /// Throws <see cref="ModelFormatException"/> naming the file and the problem.
    /// </summary>
    public static (Sequential Model, ModelArchitecture Architecture) Load(string path)
    {
        var content = SafeTensors.Read(path);
        if (!content.Metadata.TryGetValue("format", out var format))
            throw new ModelFormatException(path, $"a safetensors file, but not an lstm-engine model: __metadata__ has no 'format' (expected '{Format}')");
        if (format != Format)
            throw new ModelFormatException(path, $"format '{format}' is not supported; this program reads '{Format}'");
        if (!content.Metadata.TryGetValue("architecture", out var json))
            throw new ModelFormatException(path, "__metadata__ has no 'architecture'");
        ModelArchitecture architecture;
        Sequential model;
        try
        {
            architecture = JsonSerializer.Deserialize(json, ModelJson.Default.ModelArchitecture) ?? throw new JsonException("null");
            model = architecture.Build();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            throw new ModelFormatException(path, $"the architecture metadata is not valid: {e.Message}");
        }
        if (architecture.Normalisation is { } n && (n.Mean.Length != architecture.Features.Length || n.Sd.Length != architecture.Features.Length))
            throw new ModelFormatException(path, $"the normalisation has {n.Mean.Length} means and {n.Sd.Length} SDs for {architecture.Features.Length} features");

        var byName = content.Tensors.ToDictionary(t => t.Name);
        var expected = TensorNames(model).ToList();
        foreach (var (name, k, t) in expected)
        {
            if (!byName.TryGetValue(name, out var tensor))
                throw new ModelFormatException(path, $"tensor '{name}' ({string.Join(", ", t.Shape)}) is missing");
            if (!tensor.Shape.SequenceEqual(t.Shape))
                throw new ModelFormatException(path, $"tensor '{name}' has shape ({string.Join(", ", tensor.Shape)}) but the architecture needs ({string.Join(", ", t.Shape)})");
            tensor.Data.CopyTo(model.LayerParameters(k).Slice(t.Offset, t.Length));
        }
        var extra = byName.Keys.Except(expected.Select(e => e.Name)).ToList();
        if (extra.Count > 0) throw new ModelFormatException(path, $"tensor '{extra[0]}' is not part of the architecture");
        foreach (var v in model.Parameters)
            if (!float.IsFinite(v)) throw new ModelFormatException(path, "a weight is NaN or infinite");
        return (model, architecture);
    }
}
