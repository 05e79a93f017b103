using Engine.Importance;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary>The whole messages of <see cref="RetrainStopping"/>'s refusals.</summary>
public class RetrainStoppingMessagesTests
{
    [Theory]
    [InlineData(0f)]
    [InlineData(1f)]
    public void A_validation_share_outside_zero_to_one_is_refused_saying_so(float validation)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new RetrainStopping(2, 1, validation));
        Assert.Equal(("validation", (object?)validation), (e.ParamName, e.ActualValue));
        Assert.StartsWith("the validation share must be in (0, 1) (Parameter 'validation')", e.Message);
    }

    [Fact]
    public void A_single_series_cannot_be_split_and_the_message_gives_the_share_to_two_decimals()
    {
        // One series: round(0.123 x 1) = 0 held out (a lone series is not raised to one), so nothing to validate on.
        // The share is printed "0.##": 0.123 as 0.12 (not 0.123).
        var e = Assert.Throws<ArgumentException>(() => new RetrainStopping(2, 1, 0.123f).HeldOut(1));
        Assert.Equal("early stopping holds out 0.12 of the 1 training series for validation and trains on the rest: " +
                     "it needs at least 2 series", e.Message);
    }
}
