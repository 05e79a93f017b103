using System.Globalization;
using System.Text;
using Demo.Data;
using Engine.Models;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>Issue 12, data checks before training: each finding is one exact warning line on stderr (exit 0) or
/// one exact error line (exit 1); the CSV dialect checks (delimiter, encoding) of every command that reads a
/// CSV.</summary>
public class DataCheckTests(CliFixture fx) : IClassFixture<CliFixture>
{
    private string Model => Path.Combine(fx.Dir, "checks.safetensors");

    private string[] Train(string data, params string[] more) =>
        ["train", "--data", data, "--target", "alarm", "--model", Model, "--epochs", "1", "--layers", "2", .. more];

    /// <summary>Series s1..sN of <paramref name="steps"/> rows: x varies, alarm alternates 0/1; line of series s
    /// (0-based)
    /// step t is 2 + s * steps + t. <paramref name="cell"/> may replace the row text.</summary>
    private string Csv(string name, int series, int steps, Func<int, int, string>? cell = null,
                       string header = "series,time,x,alarm")
    {
        var sb = new StringBuilder(header).Append('\n');
        for (int s = 0; s < series; s++)
            for (int t = 0; t < steps; t++)
                sb.Append(cell?.Invoke(s, t) ?? $"s{s + 1},{t},{(s * 7 + t * 3) % 5},{(s + t) % 2}").Append('\n');
        return fx.File(name, sb.ToString());
    }

    [Fact]
    public void ATargetThatLooksBinaryButIsNotIsNamedWithItsValueAndLine()
    {
        // 10 x 10 rows, one 2 at series 3 step 4: line 2 + 24 = 26.
        string path = Csv("almost.csv", 10, 10, (s, t) => s == 2 && t == 4 ? "s3,4,1,2" : null!);
        var warnings = Cli.Warnings(Train(path));
        Assert.Contains($"warning: {path}:26: column 'alarm' looks binary (0 or 1 on 99 of 100 rows) but has 2 here: " +
                        "trained as a numeric target with mse (fix the value, or give --loss mse to train on the " +
                        "numbers)",
                        warnings);
        // Saying --loss mse is the answer: no warning then.
        Assert.DoesNotContain(Cli.Warnings(Train(path, "--loss", "mse")), w => w.Contains("looks binary"));
        // Two values off the 0/1 (2 of 100 rows) is a numeric target: no warning.
        string numeric = Csv("numeric.csv", 10, 10, (s, t) => s == 2 && t < 2 ? $"s3,{t},1,{t + 2}" : null!);
        Assert.DoesNotContain(Cli.Warnings(Train(numeric)), w => w.Contains("looks binary"));
    }

    [Fact]
    public void OneClassOnlyIsAnErrorForBce()
    {
        string path = Csv("oneclass.csv", 4, 3, (s, t) => $"s{s + 1},{t},{s + t},0");
        string line = Cli.Bad(Train(path));
        Assert.Equal($"error: {path}: column 'alarm' is 0 on every row: one class only, so a 0/1 model has nothing " +
                     "to learn (give data with both classes)", line);
        Assert.Equal(line, Cli.Bad(Train(path, "--loss", "bce")));
        // With mse a constant target is a warning.
        Assert.Contains($"warning: {path}: column 'alarm' is 0 on every row: there is nothing to learn and every " +
                        "importance will be 0", Cli.Warnings(Train(path, "--loss", "mse")));
        // importance with a model trained on both classes, on data of one: a warning, on stderr and in the report.
        Cli.Ok(Train(Csv("both.csv", 10, 3)));
        string ones = Csv("ones.csv", 5, 3, (s, t) => $"s{s + 1},{t},{s + t},1");
        string report = Path.Combine(fx.Dir, "oneclass-report");
        string warning = $"{ones}: column 'alarm' is 1 on every row: one class only, so the loss-based methods " +
                         "measure the model's confidence in that class, not how it tells the classes apart";
        Assert.Contains("warning: " + warning, Cli.Warnings("importance", "--model", Model, "--data", ones,
                                                            "--methods", "permutation", "--repeats", "1",
                                                            "--report", report));
        Assert.Contains($"Warning: `{warning}`", File.ReadAllText(Path.Combine(report, "report.md")));
        Assert.DoesNotContain(Cli.Warnings("importance", "--model", Model, "--data", Csv("both.csv", 10, 3),
                                           "--methods", "permutation", "--repeats", "1"),
                              w => w.Contains("one class only"));
    }

    [Fact]
    public void AConstantFeatureIsLeftOutListedInTheModelAndWarned()
    {
        string path = Csv("constant.csv", 6, 4, (s, t) => $"s{s + 1},{t},{(s * 7 + t * 3) % 5},7.5,{(s + t) % 2}",
                          "series,time,x,k,alarm");
        var warnings = Cli.Warnings(Train(path));
        Assert.Contains($"warning: {path}: feature 'k' is 7.5 on every row: left out of training (its importance is 0)",
                        warnings);
        var (model, metadata) = ModelFile.Load(Model);
        var record = ModelMetadata.Read(metadata, model, Model);
        Assert.Equal(["x"], record.Features);
        Assert.Equal(1, model.InputFeatures);
        Assert.Equal([new ConstantFeature("k", 7.5f)], record.Constant!);
        Assert.Contains(warnings.Single(w => w.Contains("'k'"))["warning: ".Length..], record.Warnings!);
        // The importance output lists it at the top: the training's warnings on stderr, the constant feature in the
        // console and at the top of report.md.
        string report = Path.Combine(fx.Dir, "constant-report");
        var lines = Cli.Warnings("importance", "--model", Model, "--data", path, "--methods", "permutation",
                                 "--repeats", "1",
                                 "--report", report);
        Assert.Contains($"warning: {path}: feature 'k' is 7.5 on every row: left out of training (its importance is 0)",
                        lines);
        string md = File.ReadAllText(Path.Combine(report, "report.md"));
        Assert.Contains("## Data checks", md);
        Assert.Contains("Constant features, left out of training, importance 0 by every method: `k` (always 7.5).", md);
        Assert.True(md.IndexOf("## Data checks", StringComparison.Ordinal) < md.IndexOf("## Model",
                                                                                        StringComparison.Ordinal));
        // Every feature constant: nothing to learn.
        string all = Csv("allconstant.csv", 6, 4, (s, t) => $"s{s + 1},{t},3,7.5,{(s + t) % 2}",
                         "series,time,x,k,alarm");
        Assert.Equal($"error: {all}: every feature column is constant (x, k): there is nothing to learn from",
                     Cli.Bad(Train(all)));
    }

    [Fact]
    public void FewerThanTwoValidationSeriesAreWarned()
    {
        string two = Csv("two.csv", 2, 4);
        Assert.Contains($"warning: {two}: only 1 of 2 series is held out for validation: its loss says little (use " +
                        "more series, or a larger --validation)", Cli.Warnings(Train(two)));
        string one = Csv("one.csv", 1, 6);
        Assert.Contains($"warning: {one}: only 1 series: none is held out for validation (no validation loss)",
                        Cli.Warnings(Train(one)));
        // No split asked for: no warning; 10 series at 0.2 hold out 2: none.
        Assert.DoesNotContain(Cli.Warnings(Train(one, "--validation", "0")), w => w.Contains("validation"));
        Assert.DoesNotContain(Cli.Warnings(Train(Csv("ten.csv", 10, 4))), w => w.Contains("validation"));
    }

    [Fact]
    public void DatesWhoseDayAndMonthCannotBeToldApartAreRefused()
    {
        // 10/02/2024 then 03/03/2024, day first (10 February, 3 March) were read month first (2 October, 3 March) and
        // the steps silently put in the wrong order; 13/03/2024 was "neither a number nor a date/time".
        string path = fx.File("ddmm.csv", "series,time,x,alarm\na,10/02/2024,1,0\na,03/03/2024,2,1\n" +
                                          "b,10/02/2024,1,1\nb,03/03/2024,2,0\n");
        const string Iso = "write dates as ISO 8601, year first: 2024-03-01 or 2024-03-01T12:00";
        Assert.Equal($"error: {path}:2: column 'time' (column 2) '10/02/2024' is a date whose day and month cannot " +
                     $"be told apart (day/month or month/day?); {Iso}", Cli.Bad(Train(path)));
        foreach (string cell in new[] { "13/03/2024", "3.1.24", "01-03-2024 12:00" })
        {
            string other = fx.File("ddmm2.csv", $"series,time,x,alarm\na,{cell},1,0\nb,{cell},2,1\n");
            Assert.Equal($"error: {other}:2: column 'time' (column 2) '{cell}' is a date whose day and month cannot " +
                         $"be told apart (day/month or month/day?); {Iso}", Cli.Bad(Train(other)));
        }
        // Not a date at all: the message says which dates are read.
        string text = fx.File("nodate.csv", "series,time,x,alarm\na,soon,1,0\nb,soon,2,1\n");
        Assert.Equal($"error: {text}:2: column 'time' (column 2) 'soon' is neither a number nor a date/time; {Iso}",
                     Cli.Bad(Train(text)));
        // An empty time is said to be empty, as an empty series id is.
        string empty = fx.File("notime.csv", "series,time,x,alarm\na,0,1,0\na, ,2,1\n");
        Assert.Equal($"error: {empty}:3: column 'time' (column 2) is empty; every row needs a time",
                     Cli.Bad(Train(empty)));
        // Year first, with slashes or dashes, is read (and ordered) as it is meant.
        var d = SeriesSet.Load(fx.File("ymd.csv", "series,time,x,alarm\na,2024/03/03,2,1\na,2024/02/10,1,0\n"),
                               new DataOptions("alarm", null, null, null, null));
        Assert.Equal(["2024/02/10", "2024/03/03"], d.Times);
        Assert.Equal([1f, 2f], d.Inputs);
    }

    [Fact]
    public void MixedTimeTypesAreAnErrorNamingBothLines()
    {
        string path = fx.File("mixed.csv", "series,time,x,alarm\na,0,1,0\na,1,2,1\na,2024-01-01,3,0\nb,0,1,1\n" +
                                           "b,1,2,0\nb,2,3,1\n");
        Assert.Equal($"error: {path}:4: column 'time' (column 2) '2024-01-01' is a date/time, but line 2 has the " +
                     "number '0'; times must be all numbers or all dates", Cli.Bad(Train(path)));
        string dates = fx.File("mixed2.csv", "series,time,x,alarm\na,2024-01-01,1,0\na,5,2,1\n");
        Assert.Equal($"error: {dates}:3: column 'time' (column 2) '5' is a number, but line 2 has the date/time " +
                     "'2024-01-01'; times must be all numbers or all dates", Cli.Bad(Train(dates)));
    }

    [Fact]
    public void ALatin1HeaderIsReadAsLatin1WithAWarning()
    {
        string path = Path.Combine(fx.Dir, "latin1.csv");
        var text = new StringBuilder("series,time,temp\u00e9rature,alarm\n");
        for (int s = 0; s < 5; s++)
            for (int t = 0; t < 3; t++)
                text.Append(CultureInfo.InvariantCulture, $"s{s},{t},{s * 3 + t},{(s + t) % 2}\n");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(text.ToString()));
        Assert.Contains($"warning: {path}:1: the header is not valid UTF-8; the file is read as Latin-1 (ISO-8859-1)",
                        Cli.Warnings(Train(path)));
        var (model, metadata) = ModelFile.Load(Model);
        Assert.Equal(["temp\u00e9rature"], ModelMetadata.Read(metadata, model, Model).Features);
        // The same text in UTF-8: no warning, the same name.
        string utf8 = fx.File("utf8.csv", text.ToString());
        Assert.DoesNotContain(Cli.Warnings(Train(utf8)), w => w.Contains("UTF-8"));
        Assert.Equal(["temp\u00e9rature"],
                     SeriesSet.Load(utf8, new DataOptions("alarm", null, null, null, null)).FeatureNames);
    }

    [Fact]
    public void ASemicolonDelimiterIsDetectedAndSaid()
    {
        string path = Csv("semi.csv", 10, 3, (s, t) => $"s{s + 1};{t};{s * 3 + t}.5;{(s + t) % 2}",
                          "series;time;x;alarm");
        Assert.Contains($"warning: {path}:1: the header has no ',' but has ';': read with ';' (semicolon) as the " +
                        "delimiter (set it with --delimiter)", Cli.Warnings(Train(path)));
        // Given explicitly: no warning, the same data.
        Assert.Empty(Cli.Warnings(Train(path, "--delimiter", ";")));
        Assert.Empty(Cli.Warnings(Train(path, "--delimiter", "semicolon")));
        var d = SeriesSet.Load(path, new DataOptions("alarm", null, null, null, null), ';');
        Assert.Equal([0.5f, 1.5f, 2.5f], d.Inputs[..3]);
    }

    [Fact]
    public void ATabDelimiterIsDetectedAndSaid()
    {
        // A tab-separated file (a spreadsheet's "Text (Tab delimited)" export) used to be read as one column:
        // `no column 'alarm' (--target); the columns are series\ttime\tx\talarm`, with no hint.
        string path = Csv("tabbed.csv", 10, 3, (s, t) => $"s{s + 1}\t{t}\t{s * 3 + t}.5\t{(s + t) % 2}",
                          "series\ttime\tx\talarm");
        Assert.Contains($"warning: {path}:1: the header has no ',' but has a tab: read with tab as the delimiter " +
                        "(set it with --delimiter)", Cli.Warnings(Train(path)));
        Assert.Empty(Cli.Warnings(Train(path, "--delimiter", "tab")));
        var d = SeriesSet.Load(path, new DataOptions("alarm", null, null, null, null));
        Assert.Equal(["x"], d.FeatureNames);
        Assert.Equal([0.5f, 1.5f, 2.5f], d.Inputs[..3]);
        // A header with both: the more frequent one splits it (names may hold the other).
        string both = Csv("both.csv", 10, 3, (s, t) => $"s{s + 1}\t{t}\t{s * 3 + t}.5\t{(s + t) % 2}",
                          "series\ttime\tx;y\talarm");
        Assert.Equal(["x;y"], SeriesSet.Load(both, new DataOptions("alarm", null, null, null, null)).FeatureNames);
        // Forced to commas, the one-column header suggests the tab.
        Assert.Equal($"error: {path}:1: no column 'alarm' (--target); the columns are series\\ttime\\tx\\talarm " +
                     "(fields separated by ',' (comma); the header has tabs: try --delimiter tab)",
                     Cli.Bad(Train(path, "--delimiter", ",")));
    }

    [Fact]
    public void DecimalCommasInASemicolonFileNameTheDelimiter()
    {
        // The file of issue 12 item 7: it used to say '4 fields, but the header has 1 columns'.
        string path = fx.File("decimal.csv", "series;time;x;alarm\ns1;0;1,5;0\ns1;1;2,5;1\n");
        Assert.Equal($"error: {path}:2: column 'x' (column 3) '1,5' is not a number: fields are separated by ';' " +
                     "(semicolon); write decimals with a point and no thousands separators", Cli.Bad(Train(path)));
        // Forced to commas, the header is one column: the errors say which delimiter split it and suggest the other.
        Assert.Equal($"error: {path}:1: no column 'alarm' (--target); the columns are series;time;x;alarm (fields " +
                     "separated by ',' (comma); the header has ';': try --delimiter ';')",
                     Cli.Bad(Train(path, "--delimiter", ",")));
        string semi = fx.File("semi4.csv", "series;time;x;alarm\ns1;0;1.5;0;9\ns1;1;2.5;1\n");
        Assert.Equal($"error: {semi}:2: 5 fields, but the header has 4 columns (fields separated by ';' (semicolon))",
                     Cli.Bad(Train(semi, "--delimiter", "semicolon")));
    }

    [Fact]
    public void TabAndOtherDelimitersAreReadAndBadOnesRefused()
    {
        string path = Csv("tab.tsv", 10, 3, (s, t) => $"s{s + 1}\t{t}\t{s * 3 + t}\t{(s + t) % 2}",
                          "series\ttime\tx\talarm");
        Assert.Empty(Cli.Warnings(Train(path, "--delimiter", "tab")));
        Assert.Empty(Cli.Warnings(Train(path, "--delimiter", "\\t")));
        Cli.Bad(Train(path, "--delimiter", "::"),
                "--delimiter: '::' is not one character (other than a quote or line " +
                                                  "break) nor comma, semicolon or tab");
        Cli.Bad(Train(path, "--delimiter", "\""), "--delimiter: '\"' is not one character");
    }

    [Fact]
    public void EveryCommandThatReadsACsvTakesDelimiter()
    {
        string lines = string.Join('\n', File.ReadLines(fx.Csv).Select(l => l.Replace(',', '|'))) + "\n";
        string path = fx.File("pipes.csv", lines);
        string pred = Path.Combine(fx.Dir, "pipes-pred.csv");
        Cli.Ok("predict", "--model", fx.Model, "--data", path, "--out", pred, "--delimiter", "|");
        Assert.Equal(1 + 30 * 8, File.ReadAllLines(pred).Length);
        Cli.Ok("importance", "--model", fx.Model, "--data", path, "--methods", "permutation", "--repeats", "1",
               "--delimiter", "|");
        Cli.Ok(Train(path, "--delimiter", "|"));
        foreach (var command in Program.Commands())
        {
            bool readsCsv = command.Options.Any(o => o.Name == "--data");
            Assert.Equal(readsCsv, command.Options.Any(o => o.Name == "--delimiter"));
        }
    }
}
