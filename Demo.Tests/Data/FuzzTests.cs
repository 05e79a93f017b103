using System.Text;
using System.Text.Json.Nodes;
using Engine.IO;
using Engine.Models;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>
/// Issue 11's fuzzers in the suite: generated CSV text and model files (valid ones with fields replaced by odd
/// values, bytes flipped, sizes changed) run through the CLI in-process. Every run must end with exit code 0, or 1
/// and one line of at most <see cref="ErrorText.MaxLine"/> characters; never 2, never an exception; and allocate
/// under a bound on the test's thread.
/// </summary>
public class FuzzTests(CliFixture fx) : IClassFixture<CliFixture>
{
    private static readonly string[] Cells =
    [
        "0", "1", "-2.5", "3e-2", "1e39", "NaN", "Infinity", "abc", "", " 4 ", "\"5\"", "\"1,5\"", "2\"4", "\"x\"y",
        "\"open",
        "1\0", "s1", "s2", "0,5", "\u00e9", "\t", "1_000", "0x10", "-", "+1", ".5", "5.", "1e", "--1",
    ];

    private static readonly string[] Names = ["series", "time", "x", "y", "alarm", "a|b", "", "x", "\"q\"", "t"];

    // CSV text from a seed: mostly the header series,time,x,y,alarm and two series of well-formed rows with a few
    // odd cells; otherwise 2-6 random names and rows of 1-7 random cells; \n or \r\n, sometimes a blank line.
    public static string CsvText(int seed)
    {
        var r = new System.Random(seed);
        bool shaped = r.Next(10) < 7;
        string[] header = shaped ? ["series", "time", "x", "y", "alarm"]
            : Enumerable.Range(0, r.Next(2, 7)).Select(_ => Names[r.Next(Names.Length)]).ToArray();
        var lines = new List<string> { string.Join(',', header) };
        int rows = r.Next(0, 13);
        for (int i = 0; i < rows; i++)
        {
            string[] cells = shaped
                ? [$"s{i % 2}", (i / 2).ToString(),
                   (i * 0.1).ToString(System.Globalization.CultureInfo.InvariantCulture), "1", (i % 2).ToString()]
                : Enumerable.Range(0, r.Next(1, 8)).Select(_ => Cells[r.Next(Cells.Length)]).ToArray();
            if (shaped && r.Next(3) == 0) cells[r.Next(cells.Length)] = Cells[r.Next(Cells.Length)];
            lines.Add(string.Join(',', cells));
            if (r.Next(20) == 0) lines.Add("");
        }
        return string.Join(r.Next(2) == 0 ? "\n" : "\r\n", lines) + (r.Next(2) == 0 ? "\n" : "");
    }

    private void ExitsCleanly(string[] args, long maxAllocated)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var (code, error) = Cli.Run(args);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(code is 0 or 1, $"demo {string.Join(' ', args)} exited {code}: {error}");
        if (code == 1)
        {
            string line = error.TrimEnd('\r', '\n');
            Assert.DoesNotContain('\n', line);
            Assert.StartsWith("error: ", line);
            Assert.True(line.Length <= ErrorText.MaxLine, line);
        }
        Assert.True(allocated < maxAllocated, $"{allocated} bytes allocated by demo {string.Join(' ', args)}");
    }

    [Fact]
    public void GeneratedCsvTextNeverCrashesTrainOrPredict()
    {
        int n = 0;
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            string csv = fx.File($"fuzz-{Interlocked.Increment(ref n)}.csv", CsvText(seed));
            string model = Path.Combine(fx.Dir, "fuzz.safetensors");
            ExitsCleanly(["train", "--data", csv, "--target", "alarm", "--model", model, "--epochs", "1", "--layers",
                          "2",
                          "--batch", "2", "--window", "2"], 64_000_000);
            ExitsCleanly(["predict", "--model", fx.Model, "--data", csv, "--out",
                          Path.Combine(fx.Dir, "fuzz-pred.csv")], 64_000_000);
            File.Delete(csv);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(120));
    }

    private static readonly JsonNode?[] OddValues =
    [
        null, -1, 0, 1, 2, 3, 65537, 30000, 1e9, 3.5, "x", "NaN", "Infinity", "-Infinity", true, new JsonArray(),
        new JsonObject(),
        new JsonArray(1, 2), new JsonArray("a", null), "sigmoid", "linear", "relu", "swish", "bce", "mse", "hinge",
        "Dense", "LSTM",
    ];

    // Every path to a value inside a JSON tree (object keys and array indices).
    private static List<(JsonNode Parent, object Key)> Slots(JsonNode? node)
    {
        var slots = new List<(JsonNode, object)>();
        void Walk(JsonNode? n)
        {
            if (n is JsonObject o)
                foreach (var (k, v) in o.ToList()) { slots.Add((o, k)); Walk(v); }
            else if (n is JsonArray a)
                for (int i = 0; i < a.Count; i++) { slots.Add((a, i)); Walk(a[i]); }
        }
        Walk(node);
        return slots;
    }

    // A model with one metadata field (of the engine's architecture or the demo's record) replaced.
    private static byte[] Mutated(string model, string entry, int slot, int value)
    {
        var content = SafeTensors.Read(model);
        var meta = content.Metadata.ToDictionary(e => e.Key, e => e.Value);
        var tree = JsonNode.Parse(meta[entry])!;
        var slots = Slots(tree);
        var (parent, key) = slots[slot % slots.Count];
        var odd = OddValues[value % OddValues.Length]?.DeepClone();
        if (parent is JsonObject o) o[(string)key] = odd;
        else ((JsonArray)parent)[(int)key] = odd;
        meta[entry] = tree.ToJsonString();
        var stream = new MemoryStream();
        SafeTensors.Write(stream, content.Tensors, meta);
        return stream.ToArray();
    }

    /// <summary>The fixture's model with one metadata field replaced, chosen by <paramref name="seed"/>, written to a
    /// file in the fixture's folder; its path.</summary>
    internal static string MutatedModel(CliFixture fx, int seed)
    {
        var r = new System.Random(seed);
        var entries = SafeTensors.Read(fx.Model).Metadata.Keys.Where(k => k != "format").Order().ToArray();
        string path = Path.Combine(fx.Dir, $"odd-model-{seed}.safetensors");
        File.WriteAllBytes(path, Mutated(fx.Model, entries[r.Next(entries.Length)], r.Next(10_000), r.Next(1000)));
        return path;
    }

    [Fact]
    public void ModelFilesWithOddFieldsNeverCrashSummaryOrPredict()
    {
        var entries = SafeTensors.Read(fx.Model).Metadata.Keys.Where(k => k != "format").ToArray();
        int n = 0;
        Prop.ForAll(Gen.Elements(entries).ToArbitrary(), Gen.Choose(0, 10_000).ToArbitrary(),
                    Gen.Choose(0, 1000).ToArbitrary(),
            (entry, slot, value) =>
            {
                string path = Path.Combine(fx.Dir, $"odd-{Interlocked.Increment(ref n)}.safetensors");
                File.WriteAllBytes(path, Mutated(fx.Model, entry, slot, value));
                ExitsCleanly(["summary", "--model", path], 32_000_000);
                ExitsCleanly(["predict", "--model", path, "--data", fx.Csv, "--out",
                              Path.Combine(fx.Dir, "odd-pred.csv")], 64_000_000);
                File.Delete(path);
            }).Check(Config.QuickThrowOnFailure.WithMaxTest(150));
    }

    [Fact]
    public void ModelFilesWithFlippedBytesOrSizesNeverCrash()
    {
        byte[] good = File.ReadAllBytes(fx.Model);
        int n = 0;
        Prop.ForAll(Gen.Choose(0, good.Length - 1).ToArbitrary(), Gen.Choose(0, 255).ToArbitrary(),
                    Gen.Choose(-1, good.Length).ToArbitrary(),
            (at, value, cut) =>
            {
                var bytes = (byte[])good.Clone();
                bytes[at] = (byte)value;
                if (cut >= 0) bytes = bytes[..cut];
                string path = Path.Combine(fx.Dir, $"flip-{Interlocked.Increment(ref n)}.safetensors");
                File.WriteAllBytes(path, bytes);
                ExitsCleanly(["summary", "--model", path], 32_000_000);
                File.Delete(path);
            }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }
}
