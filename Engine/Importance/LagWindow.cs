using System.Globalization;

namespace Engine.Importance;

/// <summary>
/// A window of lags <see cref="First"/>..<see cref="Last"/> (inclusive, 0 &lt;= First &lt;= Last): for an output at
/// step tau, the inputs at steps tau - Last..tau - First. Lag 0 is the output's own step.
/// </summary>
public readonly record struct LagWindow
{
    /// <summary>The window a..b; throws <see cref="ArgumentOutOfRangeException"/> unless 0 &lt;= a &lt;= b.</summary>
    public LagWindow(int first, int last)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfLessThan(last, first);
        First = first;
        Last = last;
    }

    /// <summary>a, the smallest lag (the most recent step).</summary>
    public int First { get; }

    /// <summary>b, the largest lag (the oldest step).</summary>
    public int Last { get; }

    /// <summary>
    /// Steps [From, To) of the window for an output at step <paramref name="tau"/>: tau - b..tau - a, clipped at
    /// step 0 (empty when tau &lt; a).
    /// </summary>
    internal (int From, int To) StepsBefore(int tau) => (Math.Max(0, tau - Last), Math.Max(0, tau - First + 1));

    /// <summary>The unit name: <c>lags a-b</c>, or <c>lag a</c> for one lag.</summary>
    public string Name => First == Last ? $"lag {this}" : $"lags {this}";

    /// <summary><c>a-b</c>, or <c>a</c> for one lag (the spec's form).</summary>
    public override string ToString() =>
        First == Last ? First.ToString(CultureInfo.InvariantCulture)
                      : string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}");

    /// <summary>
    /// <c>a-b</c> or <c>a</c> (whole numbers, spaces around them ignored); throws <see cref="ArgumentException"/>
    /// with one line naming the problem.
    /// </summary>
    public static LagWindow Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ends = text.Split('-', StringSplitOptions.TrimEntries);
        if (ends.Length > 2 || !ends.All(IsLag))
            throw new ArgumentException($"window '{text}' is not a lag range: write first-last whole lags " +
                                        "(0 = the output's own step), e.g. 0-2");
        int first = int.Parse(ends[0], CultureInfo.InvariantCulture), last = int.Parse(ends[^1],
                                                                                      CultureInfo.InvariantCulture);
        if (last < first) throw new ArgumentException($"window '{text}' runs backwards: write {last}-{first}");
        return new LagWindow(first, last);
    }

    private static bool IsLag(string s) =>
        s.Length is > 0 and <= 9 && s.All(char.IsAsciiDigit);
}
