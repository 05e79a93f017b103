using System.Diagnostics;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>Issue 12: <c>--format table|csv|markdown</c> on importance and study; with csv, stdout is the CSV
/// alone.</summary>
public class TableFormatCliTests(CliFixture fx) : IClassFixture<CliFixture>
{
    /// <summary>Runs the built demo in a process of its own: its stdout and stderr, apart.</summary>
    internal static (int Code, string Out, string Error) Process(params string[] args) =>
        ProcessWith(new Dictionary<string, string?>(), args);

    /// <summary><see cref="Process"/> with environment variables set (a null value removes one).</summary>
    internal static (int Code, string Out, string Error) ProcessWith(IReadOnlyDictionary<string, string?> env,
                                                                     params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in env)
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }

    [Fact]
    public void AnUnknownFormatIsRefusedNamingTheChoices()
    {
        Assert.Equal("error: --format: 'xml' is not one of table, csv, markdown (see demo importance --help)",
            Cli.Bad(["importance", "--model", fx.Model, "--data", fx.Csv, "--format", "xml"]));
        Assert.Equal("error: --format: 'html' is not one of table, csv, markdown (see demo study --help)",
            Cli.Bad(["study", "--format", "html"]));
    }

    [Fact]
    public void CsvGoesToStdoutAloneAndProgressToStderr()
    {
        var (code, stdout, stderr) = Process("importance", "--model", fx.Model, "--data", fx.Csv, "--methods",
                                             "garson,occlusion", "--format", "csv");
        Assert.True(code == 0, stderr);
        var lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal("method,feature,score,rank,step,sd,se,count,ci95_low,ci95_high,p,seconds,score_meaning", lines[0]);
        Assert.Equal(1 + 2 * 4, lines.Length);
        Assert.StartsWith("garson,temperature,", lines[1]);
        Assert.StartsWith("occlusion,pressure,", lines[^1]);
        Assert.Contains($"Data: {fx.Csv}: 30 series x 8 steps", stderr);
        Assert.Contains("garson: done in", stderr);
    }
}
