using System.Text.Json;
using System.Text.RegularExpressions;
using Demo.Reports;
using Demo.Tests.Data;
using Engine.Importance;
using Xunit;

namespace Demo.Tests.Importance;

/// <summary>
/// Issue 15 item 3: <c>demo importance</c> shows each method's progress and the time left (a line every few seconds
/// when redirected), and a stop between work items (Ctrl-C) keeps the finished methods in the JSON, marked
/// incomplete, with exit code 130.
/// </summary>
public partial class ProgressCliTests(CliFixture fx) : IClassFixture<CliFixture>
{
    [GeneratedRegex(@"^(occlusion|permutation): (\d+)/(\d+) items \((\d+)%\), " +
                    @"(about \d+ (s|min) left|estimating the time left)$")]
    private static partial Regex ProgressLine();

    [Fact]
    public void RedirectedOutputGetsProgressLinesEndingAtEveryItem()
    {
        // DEMO_PROGRESS_SECONDS=0: a line at every report (the default is one every 5 s); csv: info lines on stderr.
        var (code, stdout, stderr) = TableFormatCliTests.ProcessWith(
            new Dictionary<string, string?> { ["DEMO_PROGRESS_SECONDS"] = "0" },
            "importance", "--model", fx.Model, "--data", fx.Csv, "--methods", "occlusion,permutation", "--repeats",
            "2", "--format", "csv");
        Assert.True(code == 0, stderr);
        var lines = stderr.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => ProgressLine().IsMatch(l)).ToList();
        foreach (var method in new[] { "occlusion", "permutation" })
        {
            var mine = lines.Select(l => ProgressLine().Match(l)).Where(m => m.Groups[1].Value == method).ToList();
            Assert.NotEmpty(mine);
            var last = mine[^1];
            Assert.Equal(last.Groups[3].Value, last.Groups[2].Value); // done = total
            Assert.Equal("100", last.Groups[4].Value);
            Assert.Equal(mine.Count, mine.Select(m => int.Parse(m.Groups[2].Value)).Distinct().Count());
        }
        // The table on stdout is untouched: a header and the rows.
        Assert.DoesNotContain("items", stdout);
    }

    [Fact]
    public void AStopKeepsTheFinishedMethodsInTheJsonMarkedIncomplete()
    {
        string json = Path.Combine(fx.Dir, "stopped.json");
        ImportanceProgressView.StopWhen.Value = p => p.Method == "permutation" && p.Done >= 1;
        try
        {
            var (code, error) = Cli.Run("importance", "--model", fx.Model, "--data", fx.Csv, "--methods",
                                        "occlusion,permutation,garson", "--repeats", "2", "--format", "csv",
                                        "--json", json);
            Assert.True(code == 130, $"exit {code}: {error}");
            Assert.Contains($"stopped: 1 of 3 methods finished; {json} marked incomplete", error);
        }
        finally { ImportanceProgressView.StopWhen.Value = null; }
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.False(doc.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(["occlusion"], doc.RootElement.GetProperty("methods").EnumerateArray()
                                        .Select(m => m.GetProperty("name").GetString()));
    }

    [Fact]
    public void ACompleteRunSaysSo()
    {
        string json = Path.Combine(fx.Dir, "complete.json");
        Cli.Ok("importance", "--model", fx.Model, "--data", fx.Csv, "--methods", "garson", "--format", "csv",
               "--json", json);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.True(doc.RootElement.GetProperty("complete").GetBoolean());
    }

    [Fact]
    public void TheLineGivesItemsShareAndTimeLeft()
    {
        // 120 of 576 items in 3.5 s: 456 left at 120 / 3.5 s, 13.3 s, shown rounded up.
        Assert.Equal("occlusion: 120/576 items (21%), about 14 s left",
                     ImportanceProgressView.Line(new ImportanceProgress("occlusion", 0, 1, 120, 576,
                                                                        TimeSpan.FromSeconds(3.5))));
        Assert.Equal("permutation, network 2/5: 0/40 items (0%), estimating the time left",
                     ImportanceProgressView.Line(new ImportanceProgress("permutation", 1, 5, 0, 40, TimeSpan.Zero)));
        Assert.Equal("occlusion: 1/100 items (1%), about 2 min left",
                     ImportanceProgressView.Line(new ImportanceProgress("occlusion", 0, 1, 1, 100,
                                                                        TimeSpan.FromSeconds(1))));
    }
}
