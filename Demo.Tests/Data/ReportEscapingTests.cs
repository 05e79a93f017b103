using Demo.Data;
using Demo.Reports;
using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>Issue 11: feature names reach report.md and report.html as text: a | never breaks a table row, raw HTML
/// never passes, a backtick never ends a code span early.</summary>
public class ReportEscapingTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a|b", "a\\|b")]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("x_1*2 [y](javascript:z) `c` & \\", "x_1*2 \\[y\\](javascript:z) \\`c\\` &amp; \\\\")]
    [InlineData("**mean rank**", "**mean rank**")]
    [InlineData("tab\there", "tab here")]
    public void TableCellsAreEscaped(string name, string cell) => Assert.Equal(cell, Report.Cell(name));

    [Theory]
    [InlineData("temp", "`temp`")]
    [InlineData("a`b", "``a`b``")]
    [InlineData("`x", "`` `x ``")]
    [InlineData("p|q", "`p\\|q`")]
    [InlineData("<b>", "`<b>`")]
    [InlineData("", "` `")]
    [InlineData("line\nbreak", "`line break`")]
    public void CodeSpansHoldAnyName(string name, string span) => Assert.Equal(span, Report.Code(name));

    [Fact]
    public void AReportOnHostileNamesKeepsItsTablesAndHasNoRawHtml()
    {
        string dir = Directory.CreateTempSubdirectory("report-names-").FullName;
        try
        {
            string[] features = ["a|b", "<img src=x onerror=alert(1)>", "c`d"];
            var arch = new ModelMetadata
            {
                Features = features, Steps = 3,
                Training = new TrainingInfo { Loss = "bce", Target = "t|<i>" }
            };
            var report = new Report(dir, "names");
            report.AddModel("m.safetensors", arch, new Sequential(3, [new Lstm(2), new Dense(1, Activation.Sigmoid)]));
            report.AddImportance([new MethodOutcome("m", 0.1,
                                                    features.Select((f, i) =>
                                                        new FeatureScore(f, i, i + 1)).ToArray())], features);
            report.Write();
            string md = File.ReadAllText(Path.Combine(dir, "report.md")),
            html = File.ReadAllText(Path.Combine(dir, "report.html"));
            Assert.DoesNotContain("| <img", md);
            Assert.DoesNotContain("<img src=x", html);
            Assert.DoesNotContain("<i>", html);
            Assert.Contains("| method | a\\|b | &lt;img src=x onerror=alert(1)&gt; | c\\`d | seconds |", md);
            Assert.Contains("| m | 1 | 2 | 3 | 0.10 |", md);
            Assert.Contains("`a\\|b`, `<img src=x onerror=alert(1)>`, ``c`d``", md);
            Assert.Contains("Target `t\\|<i>`", md);
            Assert.Contains("<code>a|b</code>, <code>&lt;img src=x onerror=alert(1)&gt;</code>, <code>c`d</code>",
                            html);
            // The per-method table: a header, the alignment row and one row per feature, each with 8 unescaped |.
            var table = md.Split('\n').SkipWhile(l => !l.StartsWith("| feature |", StringComparison.Ordinal))
                .TakeWhile(l => l.StartsWith('|')).ToList();
            Assert.Equal(5, table.Count);
            Assert.All(table, r =>
                Assert.Equal(8, r.Where((c, i) => c == '|' && (i == 0 || r[i - 1] != '\\')).Count()));
        }
        finally { Directory.Delete(dir, true); }
    }
}
