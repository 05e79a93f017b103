using System.CommandLine;
using System.CommandLine.Help;
using Demo.Reports;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>
/// Issue 12: hints that fit the command, no empty report folder after a failure, a report folder cleaned of our own
/// earlier files only (its manifest), one option vocabulary (old names hidden but working), --version everywhere,
/// and each shared option described once.
/// </summary>
public class CommandVocabularyTests(CliFixture fx) : IClassFixture<CliFixture>
{
    private string Out(string name) => Path.Combine(fx.Dir, name);

    // Every command with the options it lists: the root (the reference experiment) and each subcommand.
    private static IEnumerable<(string Command, Option Option)> AllOptions()
    {
        var root = Program.BuildRoot();
        foreach (var o in root.Options) yield return ("demo", o);
        foreach (var c in root.Subcommands)
            foreach (var o in c.Options) yield return ($"demo {c.Name}", o);
    }

    [Fact]
    public void EachSharedOptionHasOneDescription()
    {
        // These name what their command reads or runs: --model (train writes it, the others read it), --out (a CSV or
        // a converted model), --features and --target (train picks columns; predict and importance name an imported
        // model's), --methods (each command's default set), --series (make-data's count, explain's id).
        string[] perCommand = ["--model", "--out", "--features", "--target", "--methods", "--series"];
        var differing = AllOptions().Where(x => x.Option is not (HelpOption or VersionOption)
                                           && !perCommand.Contains(x.Option.Name))
            .GroupBy(x => x.Option.Name)
            .Where(g => g.Select(x => x.Option.Description).Distinct().Count() > 1)
            .Select(g => $"{g.Key}: " + string.Join(" | ", g.Select(x => $"{x.Command}: {x.Option.Description}")))
            .ToList();
        Assert.True(differing.Count == 0, string.Join("\n", differing));
        // The seed of make-data draws the data only: its help says nothing of weights or a data split.
        var seed = AllOptions().Single(x => x.Command == "demo make-data" && x.Option.Name == "--seed").Option;
        Assert.Equal("Random seed: the same seed gives the same result.", seed.Description);
    }

    [Fact]
    public void BatchSizeIsOneNameAndTheOldNameStillWorksUnlisted()
    {
        var names = AllOptions().Where(x => !x.Option.Hidden).Select(x => x.Option.Name).ToHashSet();
        Assert.Contains("--batch-size", names);
        Assert.DoesNotContain("--batch", names);
        Assert.Equal(["demo study", "demo train"],
                     AllOptions().Where(x => x.Option.Name == "--batch" && x.Option.Hidden).Select(x =>
                         x.Command).Order());
        string model = Out("batch-size.safetensors");
        Cli.Ok("train", "--data", fx.Csv, "--target", "alarm", "--model", model, "--epochs", "1", "--layers", "2",
               "--batch-size", "7");
        Cli.Ok("train", "--data", fx.Csv, "--target", "alarm", "--model", model, "--epochs", "1", "--layers", "2",
               "--batch", "7");
        Assert.Equal("error: --batch-size: 'x' is not a whole number (see demo train --help)",
            Cli.Bad(["train", "--data", fx.Csv, "--target", "alarm", "--model", model, "--batch-size", "x"]));
    }

    [Fact]
    public void OldNamesAreHiddenTwinsOfTheirCurrentName()
    {
        // One mechanism for an option's old name (CommandOptions.OldName): a hidden option of the same command with
        // the current one's description, and no System.CommandLine aliases (help would list them).
        var all = AllOptions().Where(x => x.Option is not (HelpOption or VersionOption)).ToList();
        var old = all.Where(x => x.Option.Hidden).Select(x => (x.Command, x.Option.Name,
            Current: all.Single(y => y.Command == x.Command && !y.Option.Hidden
                                     && y.Option.Description == x.Option.Description).Option.Name))
            .Select(x => $"{x.Command} {x.Name} -> {x.Current}").Distinct().Order();
        Assert.Equal(["demo --plot -> --png", "demo reference --plot -> --png", "demo study --batch -> --batch-size",
                      "demo train --batch -> --batch-size"], old);
        Assert.Empty(all.Where(x => x.Option.Aliases.Count > 0).Select(x => $"{x.Command} {x.Option.Name}"));
    }

    [Fact]
    public void EveryCommandPrintsTheVersion()
    {
        var (code, version, _) = TableFormatCliTests.Process("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
        foreach (var command in Program.Commands())
        {
            var (c, text, error) = TableFormatCliTests.Process(command.Name, "--version");
            Assert.True(c == 0, $"{command.Name} --version: {error}");
            Assert.Equal(version, text);
        }
    }

    [Fact]
    public void PredictOnUnequalSeriesDoesNotSuggestAWindow()
    {
        // s2 lacks its last step; predict reads series as the model was trained (no --window option to offer).
        var lines = File.ReadAllLines(fx.Csv).Where((l, i) =>
            !l.StartsWith("s002,7,", StringComparison.Ordinal)).ToArray();
        string path = fx.File("uneven.csv", string.Join('\n', lines) + "\n");
        Assert.Equal($"error: {path}:10: series 's002' has 7 steps but series 's001' has 8; every series needs the " +
                     $"same number of steps",
            Cli.Bad(["predict", "--model", fx.Model, "--data", path, "--out", Out("uneven-pred.csv")]));
        // train does have --window, and says so.
        Assert.EndsWith("every series needs the same number of steps (or use --window N)",
            Cli.Bad(["train", "--data", path, "--target", "alarm", "--model", Out("uneven.safetensors")]));
    }

    [Fact]
    public void ImportanceOnANonBinaryTargetNamesTheModelsLossNotLossOption()
    {
        var lines = File.ReadAllLines(fx.Csv);
        lines[3] = string.Join(',', lines[3].Split(',')[..^1]) + ",2";
        string path = fx.File("two.csv", string.Join('\n', lines) + "\n");
        Assert.Equal($"error: {path}:4: column 'alarm' has 2, but the model {fx.Model} was trained with loss bce, " +
                     $"which needs targets of 0 or 1",
            Cli.Bad(["importance", "--model", fx.Model, "--data", path, "--methods", "garson"]));
        Assert.Equal($"error: {path}:4: column 'alarm' has 2, but --loss bce needs targets of 0 or 1 (use --loss mse " +
                     $"for a numeric target)",
            Cli.Bad(["train", "--data", path, "--target", "alarm", "--loss", "bce", "--model",
                     Out("two.safetensors")]));
        // predict still writes the predictions, and says why its table has no loss (it used to show '-' silently).
        string json = Out("two-pred.json");
        var (code, stdout, _) = TableFormatCliTests.Process("predict", "--model", fx.Model, "--data", path, "--out",
                                                            Out("two-pred.csv"), "--json", json);
        Assert.Equal(0, code);
        string note = $"{path}:4: column 'alarm' has 2, but the model {fx.Model} was trained with loss bce, which " +
                      "needs targets of 0 or 1: no loss or metrics (the predictions are written).";
        Assert.Contains(note + "\n", stdout);
        Assert.Equal(note, System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!["note"]!.GetValue<string>());
        Assert.Equal(1 + 30 * 8, File.ReadAllLines(Out("two-pred.csv")).Length);
    }

    [Fact]
    public void AFailedRunLeavesNoReportFolder()
    {
        string bad = fx.File("bad-cell.csv", "series,x,y\n1,0.5,oops\n"), report = Out("never-report");
        Assert.Equal($"error: {bad}:2: column 'y' (column 3) 'oops' is not a number",
            Cli.Bad(["train", "--data", bad, "--target", "y", "--model", Out("bad.safetensors"), "--report", report]));
        Assert.False(Directory.Exists(report));
        string nested = Path.Combine(Out("never-a"), "b");
        Cli.Bad(["importance", "--model", fx.Model, "--data", bad, "--report", nested]);
        Assert.False(Directory.Exists(Out("never-a")));
    }

    [Fact]
    public void AReportFolderLosesOurOldFilesOnly()
    {
        string report = Out("reused-report");
        Directory.CreateDirectory(report);
        File.WriteAllText(Path.Combine(report, "notes.txt"), "mine");
        File.WriteAllText(Path.Combine(report, "mine.png"), "mine");
        Cli.Ok("importance", "--model", fx.Model, "--data", fx.Csv, "--methods", "garson,occlusion", "--report",
               report);
        Assert.True(File.Exists(Path.Combine(report, "importance-occlusion.png")));
        string manifest = Path.Combine(report, Report.ManifestFile);
        Assert.Contains("importance-occlusion.png\n", File.ReadAllText(manifest));
        // A manifest entry outside the folder, or not a report file, is never followed.
        File.WriteAllText(Out("outside.png"), "outside");
        File.AppendAllText(manifest, "../outside.png\nnotes.txt\n");

        Cli.Ok("importance", "--model", fx.Model, "--data", fx.Csv, "--methods", "garson", "--report", report);
        Assert.False(File.Exists(Path.Combine(report, "importance-occlusion.png")));
        Assert.False(File.Exists(Path.Combine(report, "map-occlusion.png")));
        Assert.True(File.Exists(Path.Combine(report, "importance-garson.png")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(report, "notes.txt")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(report, "mine.png")));
        Assert.Equal("outside", File.ReadAllText(Out("outside.png")));
        Assert.Equal(["importance-garson.png", "mine.png", "ranks.png", "training-loss.png"],
            Directory.GetFiles(report, "*.png").Select(Path.GetFileName).Order());
        Assert.Equal("# Files the demo wrote here; the next report in this folder deletes them first (and nothing " +
                     "else).\n"
                     + "training-loss.png\nranks.png\nimportance-garson.png\nreport.md\nreport.html\n",
                     File.ReadAllText(manifest));
    }
    [Fact]
    public void AReportNeverOverwritesAFileItDidNotWrite()
    {
        // a chart's name the user put there, before any report: refused before the work, the file kept
        string report = Out("users-report");
        Directory.CreateDirectory(report);
        string mine = Path.Combine(report, "ranks.png"), map = Path.Combine(report, "map-occlusion.png");
        File.WriteAllText(mine, "mine");
        Assert.Equal($"error: {mine}: the --report folder holds this file, which no earlier report wrote, and the " +
                     "report would overwrite it; move it or give another folder",
            Cli.Bad(["importance", "--model", fx.Model, "--data", fx.Csv, "--methods", "garson", "--report", report]));
        Assert.Equal("mine", File.ReadAllText(mine));
        Assert.False(File.Exists(Path.Combine(report, Report.ManifestFile)));

        // after a report, its own charts are its to replace; a user's file under a chart's name still is not
        File.Delete(mine);
        Cli.Ok("importance", "--model", fx.Model, "--data", fx.Csv, "--methods", "garson", "--report", report);
        Assert.True(File.Exists(mine));
        Cli.Ok("importance", "--model", fx.Model, "--data", fx.Csv, "--methods", "garson", "--report", report);
        File.WriteAllText(map, "mine too");
        Assert.StartsWith($"error: {map}: the --report folder holds this file",
            Cli.Bad(["importance", "--model", fx.Model, "--data", fx.Csv, "--methods", "occlusion", "--report",
                     report]));
        Assert.Equal("mine too", File.ReadAllText(map));
        File.Delete(map);

        // an output of the same run under a name the report writes
        string json = Path.Combine(report, "importance-garson.png");
        Assert.Equal($"error: {json}: --json is in the --report folder under a name the report writes; give " +
                     "another name",
            Cli.Bad(["importance", "--model", fx.Model, "--data", fx.Csv, "--methods", "garson", "--json", json,
                     "--report", report]));
        Assert.True(Report.MayWrite("lag-integrated-gradients.png") && Report.MayWrite("report.html"));
        Assert.False(Report.MayWrite("mine.png") || Report.MayWrite("notes.txt") || Report.MayWrite("map-x.csv"));
    }
}
