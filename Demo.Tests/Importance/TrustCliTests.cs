using System.Text.Json;
using Demo.Importance;
using Demo.Tests.Data;
using Xunit;

namespace Demo.Tests.Importance;

/// <summary>Issue 13 item 1: "Can I trust this?" leads the console output, the JSON and the report.</summary>
public class TrustCliTests(CliFixture fx) : IClassFixture<CliFixture>
{
    private static readonly string[] Methods =
        ["--methods", "garson,permutation,occlusion,model-randomisation", "--repeats", "3"];

    [Fact]
    public void TheConsoleOpensWithTheVerdict()
    {
        var (code, stdout, stderr) = TableFormatCliTests.Process(["importance", "--model", fx.Model, "--data", fx.Csv,
                                                                  .. Methods]);
        Assert.True(code == 0, stderr);
        int start = stdout.IndexOf("Can I trust this?", StringComparison.Ordinal);
        int end = stdout.IndexOf("Variable importance", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, stdout);
        Assert.Equal(Expected, stdout[start..end]);
        // Before the importance table, after the runs' progress lines only.
        Assert.DoesNotContain("╭", stdout[..start]);
    }

    private const string Expected =
        """
        Can I trust this?
        temperature matters most; wind follows; humidity and pressure do not matter (occlusion disagrees:
        see below).
        Consensus: each input's mean rank over the 2 methods not set aside (garson and permutation); an
        input does not matter when permutation finds its rise in loss below 2% of the largest or its 95%
        interval reaching 0.
        Agreement: Kendall's W = 0.90 over the methods not set aside (1 = the same ranking, 0 = none); 0.78
        over all 3.
        Set aside: occlusion ranks humidity, which does not matter, above wind; Spearman's rho with the
        consensus 0.63 (below 0.80 sets a method aside). Why: it sums per-cell effects: an effect spread
        over several lags of an autocorrelated input scores lower than the same effect at one lag. In the
        study (docs/STUDY.md) its ranking matched the truth with similarity 0.72 [0.68, 0.75] with a lagged
        input and 1.00 [1.00, 1.00] without.
        Sanity check (model-randomisation): the checked method gives temperature a share of 0.51 on the
        trained model and 0.39 [0.29, 0.50] on networks with randomised weights: passed, the answer depends
        on what the model learned.
        Consensus
        ╭─────────────┬──────┬─────────┬──────────────────────────────╮
        │ input       │ mean │ matters │         permutation [95% CI] │
        │             │ rank │         │                              │
        ├─────────────┼──────┼─────────┼──────────────────────────────┤
        │ temperature │  1.0 │     yes │      0.0347 [0.0267, 0.0427] │
        │ wind        │  2.0 │     yes │   0.00785 [0.00634, 0.00935] │
        │ humidity    │  3.5 │      no │ -0.00786 [-0.0164, 0.000726] │
        │ pressure    │  3.5 │      no │ -0.00105 [-0.00756, 0.00546] │
        ╰─────────────┴──────┴─────────┴──────────────────────────────╯
        Spearman's rho between the methods' rankings (1 = the same order):
                          1    2    3
         1 garson         1  .80  .80
         2 permutation  .80    1  .40
         3 occlusion    .80  .40    1

        """ + "\n";

    [Fact]
    public void TheJsonHasATrustObjectAndTheReportOpensWithIt()
    {
        string json = Path.Combine(fx.Dir, "trust.json"), report = Path.Combine(fx.Dir, "trust-report");
        Cli.Ok(["importance", "--model", fx.Model, "--data", fx.Csv, .. Methods, "--json", json, "--report", report,
                "--format", "csv"]);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var trust = doc.RootElement.GetProperty("trust");
        Assert.StartsWith("temperature matters most; wind follows; humidity and pressure do not matter",
                          trust.GetProperty("sentence").GetString());
        Assert.Equal(["temperature", "wind", "humidity", "pressure"],
                     trust.GetProperty("consensus").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.Equal([true, true, false, false],
                     trust.GetProperty("consensus").EnumerateArray()
                         .Select(e => e.GetProperty("matters").GetBoolean()));
        Assert.Equal(["garson", "permutation"],
                     trust.GetProperty("passed").EnumerateArray().Select(e => e.GetString()));
        var aside = trust.GetProperty("setAside").EnumerateArray().Single();
        Assert.Equal("occlusion", aside.GetProperty("name").GetString());
        Assert.Equal("humidity", aside.GetProperty("ranksAbove").GetString());
        Assert.Equal("wind", aside.GetProperty("aboveRelevant").GetString());
        Assert.Equal("0.72 [0.68, 0.75]", aside.GetProperty("studySimilarityLagged").GetString());
        Assert.Equal(3, trust.GetProperty("spearman").GetArrayLength());
        Assert.True(trust.GetProperty("sanityCheck").GetProperty("passed").GetBoolean());
        string md = File.ReadAllText(Path.Combine(report, "report.md"));
        Assert.StartsWith("## Can I trust this?\n\n**`temperature` matters most; `wind` follows;",
                          md[md.IndexOf("## ", StringComparison.Ordinal)..]);
        Assert.Contains("![Spearman's rho between the methods' rankings](agreement.png)", md);
        Assert.True(File.Exists(Path.Combine(report, "agreement.png")));
    }

    [Fact]
    public void TheStudysCommittedTablesGiveEveryMethodItsSimilarityAndAReason()
    {
        Assert.Equal(("0.33 [0.30, 0.35]", "0.94 [0.92, 0.97]"), StudyVerdicts.Similarity["connection-weights"]);
        Assert.Equal(("1.00 [1.00, 1.00]", "1.00 [1.00, 1.00]"), StudyVerdicts.Similarity["permutation"]);
        foreach (var method in Demo.Study.StudySettings.DefaultMethods.Where(m => m != "model-randomisation"))
        {
            Assert.NotNull(StudyVerdicts.Similarity[method].Lagged);
            Assert.True(StudyVerdicts.Reasons.ContainsKey(method), method);
        }
    }

    [Fact]
    public void JoinAndTheSentenceReadAsPlainEnglish()
    {
        Assert.Equal("a", TrustView.Join(["a"]));
        Assert.Equal("a and b", TrustView.Join(["a", "b"]));
        Assert.Equal("a, b and c", TrustView.Join(["a", "b", "c"]));
        var t = new Engine.Importance.TrustAssessment(["permutation", "garson"], ["permutation"], [1, 3, 2], [0, 2, 1],
            [true, false, true], ["permutation"], double.NaN, 0.5, new double[2, 2], [new("garson", -1, (1, 2))], null);
        Assert.Equal("a matters most; c follows; b does not matter (garson disagrees: see below).",
                     TrustView.Sentence(t, ["a", "b", "c"]));
    }

    [Fact]
    public void TheSpearmanGridFitsTheConsoleInBlocks()
    {
        // Thirteen methods (all but the sanity check) used to make 91-character lines in an 80-column console.
        string[] names = [.. Engine.Importance.ImportanceMethods.Names.Where(n => n != "model-randomisation")];
        int m = names.Length;
        var rho = new double[m, m];
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
                rho[a, b] = a == b ? 1 : a + b == 3 ? double.NaN : -(a + b) / 25.0;
        var t = new Engine.Importance.TrustAssessment(names, names, [1], [0], null, [], 0.5, 0.5, rho, [], null);
        string grid80 = TrustView.CompactSpearman(t, 80);
        Assert.All(grid80.Split('\n'), l => Assert.True(l.Length <= 80, $"{l.Length}: {l}"));
        // 26 characters of names ("2 connection-weights-test"), then (80 - 26) / 5 = 10 columns a block.
        var lines = grid80.Split('\n');
        Assert.Equal("Spearman's rho between the methods' rankings (1 = the same order):", lines[0]);
        Assert.Equal("                              1    2    3    4    5    6    7    8    9   10", lines[1]);
        Assert.Equal(" 1 connection-weights         1 -.04 -.08    - -.16 -.20 -.24 -.28 -.32 -.36", lines[2]);
        Assert.Equal(" 4 partial-derivatives        - -.16 -.20    1 -.28 -.32 -.36 -.40 -.44 -.48", lines[5]);
        Assert.Equal("", lines[15]);
        Assert.Equal("                             11   12   13", lines[16]);
        Assert.Equal(" 2 connection-weights-test -.44 -.48 -.52", lines[18]);
        Assert.Equal("13 occlusion               -.88 -.92    1", lines[29]);
        Assert.Equal(31, lines.Length); // the last line ends with '\n'
        // At 120 columns one block, as before.
        var wide = TrustView.CompactSpearman(t, 120).Split('\n');
        Assert.Equal(1 + 1 + m + 1, wide.Length);
        Assert.Equal(26 + 5 * m, wide[1].Length);
    }
}
