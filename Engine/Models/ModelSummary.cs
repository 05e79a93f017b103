using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engine.Layers;

namespace Engine.Models;

/// <summary>A Keras-style summary of a <see cref="Sequential"/> model.</summary>
public sealed class ModelSummary
{
    private ModelSummary(IReadOnlyList<SummaryRow> rows, int inputSteps, int inputFeatures)
    {
        Rows = rows;
        InputSteps = inputSteps;
        InputFeatures = inputFeatures;
    }

    public IReadOnlyList<SummaryRow> Rows { get; }
    public int InputSteps { get; }
    public int InputFeatures { get; }
    public int TotalParameters => Rows.Sum(r => r.Parameters);

    internal static ModelSummary Of(Sequential model, int steps)
    {
        var rows = new List<SummaryRow>();
        var counts = new Dictionary<string, int>();
        string t = steps > 0 ? steps.ToString(CultureInfo.InvariantCulture) : "None";
        foreach (var layer in model.Layers)
        {
            string baseName = layer.TypeName.ToLowerInvariant();
            int seen = counts.GetValueOrDefault(baseName);
            counts[baseName] = seen + 1;
            string shape =
                layer.OutputIsSequence ? $"(None, {t}, {layer.OutputSize})" : $"(None, {layer.OutputSize})";
            rows.Add(new(seen == 0 ? baseName : $"{baseName}_{seen}", layer.TypeName, shape, layer.ParameterCount,
                         Details(LayerRegistry.Config(layer))));
        }
        if (model.Flatten)
        {
            string width = steps > 0 ? model.OutputsPerSeries(steps).ToString(CultureInfo.InvariantCulture) : "None";
            rows.Add(new("flatten", "Flatten", $"(None, {width})", 0, ""));
        }
        return new ModelSummary(rows, steps, model.InputFeatures);
    }

    // "relu / sigmoid, return_sequences": the activations, then the options that are on, then any other setting as
    // key=value (numbers to 6 digits); a wrapped layer as "layer=GRU 10 (tanh / sigmoid, ...)".
    private static string Details(JsonObject config)
    {
        var activations = new List<string>();
        var options = new List<string>();
        foreach (var (key, value) in config)
        {
            if (key is "type" or "units" || value is null) continue;
            if (key.EndsWith("activation", StringComparison.Ordinal)) activations.Add(value.ToString());
            else if (value is JsonObject inner)
                options.Add($"{key}={inner["type"]} {inner["units"]} ({Details(inner)})");
            else if (value.GetValueKind() == JsonValueKind.True) options.Add(key);
            else if (value.GetValueKind() == JsonValueKind.Number)
            {
                double number = double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);
                options.Add($"{key}={number.ToString("G6", CultureInfo.InvariantCulture)}");
            }
            else if (value.GetValueKind() != JsonValueKind.False) options.Add($"{key}={value}");
        }
        return string.Join(", ", new[] { string.Join(" / ", activations) }.Concat(options).Where(s => s.Length > 0));
    }

    /// <summary>The summary as Keras prints it.</summary>
    public override string ToString()
    {
        const int w1 = 29, w2 = 26, width = 65;
        var sb = new StringBuilder();
        sb.AppendLine("Model: \"sequential\"");
        sb.AppendLine(new string('_', width));
        sb.AppendLine($" {"Layer (type)",-w1}{"Output Shape",-w2}Param #");
        sb.AppendLine(new string('=', width));
        sb.AppendLine($" {"input (InputLayer)",-w1}{$"(None, {InputSteps}, {InputFeatures})",-w2}0");
        foreach (var r in Rows)
            sb.AppendLine($" {$"{r.Name} ({r.Type})",-w1}{r.OutputShape,-w2}{r.Parameters}");
        sb.AppendLine(new string('=', width));
        sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"Total params: {TotalParameters:N0}");
        sb.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"Trainable params: {TotalParameters:N0}");
        sb.AppendLine("Non-trainable params: 0");
        sb.Append(new string('_', width));
        return sb.ToString();
    }
}
