using System.CommandLine;
using System.Globalization;
using System.Text;
using Demo.Study;
using Engine.IO;
using Engine.Random;

namespace Demo.Commands;

/// <summary>
/// <c>demo make-data</c>: writes a sample long-format CSV whose true importance is known, for the README walk-through.
/// Per series, four standardised AR(1) signals z (z_t = 0.7 z_{t-1} + sqrt(0.51) e_t) are shown in sensor units:
/// temperature = 20 + 5 z1, humidity = 60 + 15 z2, wind = 5 + 2 z3, pressure = 1013 + 8 z4. The score is
/// s_t = z1_t + 0.8 z2_{t-2} + 0.3 z3_t (humidity acts two steps late, pressure not at all); the binary target
/// alarm_t = [s_t &gt; 1], the regression target (--kind regression) is s_t itself. Truth: temperature &gt; humidity
/// &gt; wind &gt; pressure = 0.
/// </summary>
public static class MakeDataCommand
{
    private static readonly Option<string> Out = CommandOptions.Out();
    private static readonly Option<int> Series = CommandOptions.PositiveInt("--series", 300, "Number of series.");
    private static readonly Option<int> Steps = CommandOptions.Steps(24);
    private static readonly Option<string> Kind = CommandOptions.Kind("binary");
    private static readonly Option<ulong> Seed = CommandOptions.Seed();

    /// <summary>Most rows of a sample file (about 60 MB of CSV text, built in memory).</summary>
    public const int MaxRows = 1_000_000;

    public static Command Build()
    {
        var command = new Command("make-data",
                                  "Write a sample CSV (sensor series with a known answer) to try train, importance " +
                                  "and predict on.");
        foreach (Option o in new Option[] { Out, Series, Steps, Kind, Seed }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(Out)!;
            OutputPaths.Check([], [new("--out", path)]);
            int n = parse.GetValue(Series), steps = parse.GetValue(Steps);
            if ((long)n * steps > MaxRows)
                throw new Data.InputException($"--series x --steps = {(long)n * steps} rows, over the limit of " +
                                              $"{MaxRows}");
            bool binary = parse.GetValue(Kind) == "binary";
            string text = Generate(n, steps, binary, parse.GetValue(Seed));
            AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
            Console.WriteLine($"Wrote {path}: {n} series x {steps} steps; features temperature, humidity, wind, " +
                              $"pressure; target {(binary ? "alarm (0/1)" : "level (numeric)")}.");
            Console.WriteLine("Known answer: temperature > humidity (acting 2 steps late) > wind > pressure (no " +
                              "effect).");
            return 0;
        });
        return command;
    }

    /// <summary>The CSV text: header series,time,temperature,humidity,wind,pressure,alarm|level.</summary>
    public static string Generate(int series, int steps, bool binary, ulong seed)
    {
        var rng = new RandomSource(seed);
        var sb = new StringBuilder();
        sb.Append("series,time,temperature,humidity,wind,pressure,").Append(binary ? "alarm" : "level").Append('\n');
        var z = new float[steps * 4]; // (T, 4)
        for (int s = 0; s < series; s++)
        {
            StudyDesign.Ar1(z, 4, 0.7f, rng.Fork((ulong)s));
            for (int t = 0; t < steps; t++)
            {
                float score = z[t * 4] + 0.8f * (t >= 2 ? z[(t - 2) * 4 + 1] : 0f) + 0.3f * z[t * 4 + 2];
                string target = binary ? (score > 1f ? "1" : "0") : F(score);
                sb.Append(CultureInfo.InvariantCulture,
                          $"s{s + 1:D3},{t},{F(20 + 5 * z[t * 4])},{F(60 + 15 * z[t * 4 + 1])},");
                sb.Append(CultureInfo.InvariantCulture,
                          $"{F(5 + 2 * z[t * 4 + 2])},{F(1013 + 8 * z[t * 4 + 3])},{target}\n");
            }
        }
        return sb.ToString();
    }

    private static string F(float v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
