using Demo.Commands;
using Demo.Data;
using Demo.Reports;
using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>
/// Issue 12: the tables of summary, train (the layer table) and predict are <see cref="TextTable"/>s, fitted to the
/// console as the importance table is: no line over the width, names wrapped at spaces and never cut mid-word.
/// </summary>
public class ConsoleTableTests
{
    private static readonly string[] Sensors =
        [.. Enumerable.Range(0, 11).Select(i => $"sensor_{i:D2}_reading"),
         "outdoor temperature at the north weather station in kelvin"];

    private static ModelMetadata Arch() => new()
    {
        Features = Sensors, Steps = 24,
        Normalisation = new Normalisation([.. Sensors.Select((_, i) => 1000.5f * i)], [.. Sensors.Select(_ => 2.25f)]),
        Constant = [new ConstantFeature("always_seven_point_five", 7.5f)],
        Training = new TrainingInfo
        {
            History =
            [
                new EpochLoss(1, 0.5f, 0.625f)
                {
                    Metrics = new() { ["accuracy"] = 0.75f, ["auc"] = 0.8125f },
                    ValidationMetrics = new() { ["accuracy"] = 0.5f, ["auc"] = 0.5625f },
                },
            ],
        },
    };

    public static TheoryData<int> Widths() => [80, 100, 120];

    [Theory]
    [MemberData(nameof(Widths))]
    public void SummaryTablesFitTheWidthWithWholeWords(int width)
    {
        var arch = Arch();
        var model = new Sequential(Sensors.Length, [new Lstm(3), new Dense(1, Activation.Sigmoid)]);
        foreach (var table in new[]
                 {
                     SummaryCommand.LayerTable(model, arch), SummaryCommand.FeatureTable(arch),
                     SummaryCommand.HistoryTable(arch),
                 })
        {
            string text = table.Render(width);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.All(lines, l => Assert.True(l.Length <= width, $"{l.Length} > {width}: {l}"));
            // Every word of every cell is found whole in the rendered text (a word cut mid-way is not).
            var words = lines.SelectMany(l => l.Split([' ', '│'], StringSplitOptions.RemoveEmptyEntries)).ToHashSet();
            foreach (var cell in table.Rows.SelectMany(r => r).Concat(table.Header))
                foreach (var word in cell.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    Assert.True(words.Contains(word) || TextTable.Wrap(word, 1).All(words.Contains),
                                $"'{word}' is cut at {width} columns:\n{text}");
        }
    }

    [Fact]
    public void TheFeatureTableListsTheConstantFeatureLast()
    {
        // Verified by eye: the long name wraps at spaces, the constant feature comes last with its value as the
        // mean and SD 0.
        string text = SummaryCommand.FeatureTable(Arch()).Render(80);
        var lines = text.Split('\n');
        Assert.Equal("Inputs, standardised as (x - mean) / SD", lines[0]);
        // 80 columns: the data columns take 27 (#, 2; mean and SD, 8 each: their headers' longest word, "Training"),
        // the name column the other 49.
        Assert.Contains("│ always_seven_point_five (constant, excluded)      │  - │      7.5 │        0 │", lines);
        int at = Array.IndexOf(lines,
            "│ outdoor temperature at the north weather station  │ 12 │    11006 │     2.25 │");
        Assert.True(at > 0, text);
        Assert.Equal("│ in kelvin                                         │    │          │          │", lines[at + 1]);
    }
}
