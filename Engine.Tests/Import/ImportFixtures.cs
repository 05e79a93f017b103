using System.Text.Json.Nodes;

namespace Engine.Tests.Import;

/// <summary>Where the import fixtures are: Engine.Tests/Import/Fixtures, found from the test binary's folder.</summary>
internal static class ImportFixtures
{
    public static string Folder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "Engine.Tests", "Import", "Fixtures");
                if (Directory.Exists(candidate)) return candidate;
            }
            throw new DirectoryNotFoundException("Engine.Tests/Import/Fixtures not found above the test binaries");
        }
    }

    /// <summary>The reference inputs (N, T, F) as float32 and outputs (N, O) or (N, T, O) flattened, float64.</summary>
    public static (float[] Inputs, int Count, int Steps, double[] Outputs) Reference(string path)
    {
        var json = JsonNode.Parse(File.ReadAllText(path + ".expected.json"))!.AsObject();
        var series = json["inputs"]!.AsArray();
        int steps = series[0]!.AsArray().Count;
        var inputs = series.SelectMany(s =>
            s!.AsArray().SelectMany(r => r!.AsArray().Select(v => (float)v!.GetValue<double>()))).ToArray();
        var outputs = new List<double>();
        void Flatten(JsonNode? node)
        {
            if (node is JsonArray array) foreach (var item in array) Flatten(item);
            else outputs.Add(node!.GetValue<double>());
        }
        Flatten(json["outputs"]);
        return (inputs, series.Count, steps, outputs.ToArray());
    }
}
