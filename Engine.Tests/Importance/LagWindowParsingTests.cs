using Engine.Importance;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary><see cref="LagWindow"/>: the constructor's bounds, and <see cref="LagWindow.Parse"/>'s refusals and its
/// nine-digit limit on a lag.</summary>
public class LagWindowParsingTests
{
    private const string Advice = "write first-last whole lags (0 = the output's own step), e.g. 0-2";

    [Fact]
    public void The_constructor_refuses_a_negative_first_lag_and_a_last_lag_before_the_first()
    {
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => new LagWindow(-1, 2));
        Assert.Equal(("first", (object?)-1), (negative.ParamName, negative.ActualValue));
        var backwards = Assert.Throws<ArgumentOutOfRangeException>(() => new LagWindow(3, 2));
        Assert.Equal(("last", (object?)2), (backwards.ParamName, backwards.ActualValue));
        Assert.Equal((2, 2), (new LagWindow(2, 2).First, new LagWindow(2, 2).Last));
    }

    [Fact]
    public void A_null_text_is_refused_by_name() =>
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => LagWindow.Parse(null!)).ParamName);

    [Theory]
    [InlineData("0-x")]
    [InlineData("1x")]     // a digit then a letter: not a whole number (not a FormatException from int.Parse)
    [InlineData("2-3a")]
    [InlineData("1234567890")] // ten digits
    public void Text_that_is_not_a_lag_range_is_refused_with_the_advice(string text) =>
        Assert.Equal($"window '{text}' is not a lag range: {Advice}",
                     Assert.Throws<ArgumentException>(() => LagWindow.Parse(text)).Message);

    [Fact]
    public void A_lag_of_nine_digits_is_read()
    {
        // Up to 9 digits (any such number fits an int): 123456789 is one lag, and a window ending there.
        Assert.Equal(new LagWindow(123456789, 123456789), LagWindow.Parse("123456789"));
        Assert.Equal(new LagWindow(0, 999999999), LagWindow.Parse("0-999999999"));
    }
}
