using Engine.Losses;
using Xunit;

namespace Engine.Tests.Losses;

/// <summary>The one loss-name mapping: CLI and Keras names to losses and back.</summary>
public class LossNamesTests
{
    [Theory]
    [InlineData("bce"), InlineData("binary_crossentropy"), InlineData("BCE"), InlineData(" Binary_CrossEntropy ")]
    public void BinaryCrossEntropyNames(string name)
    {
        var loss = LossNames.Parse(name);
        Assert.IsType<BinaryCrossEntropy>(loss);
        // -(1 ln 0.25 + 0) / 1 = ln 4, computed by hand.
        Assert.Equal(Math.Log(4), loss.Value([0.25f], [1f]), 5);
        Assert.Equal("bce", LossNames.ShortName(loss));
    }

    [Theory]
    [InlineData("mse"), InlineData("mean_squared_error"), InlineData("MSE")]
    public void MeanSquaredErrorNames(string name)
    {
        var loss = LossNames.Parse(name);
        Assert.IsType<MeanSquaredError>(loss);
        // ((0.5 - 2)^2 + (1 - 1)^2) / 2 = 1.125.
        Assert.Equal(1.125f, loss.Value([0.5f, 1f], [2f, 1f]));
        Assert.Equal("mse", LossNames.ShortName(loss));
    }

    [Fact]
    public void EveryShortNameAndKerasNameRoundTrips()
    {
        Assert.Equal(["bce", "mse", "cce"], LossNames.ShortNames);
        foreach (var shortName in LossNames.ShortNames)
        {
            var loss = LossNames.Parse(shortName, 3);
            Assert.Equal(shortName, LossNames.ShortName(LossNames.Parse(loss.Name, 3)));
        }
        var cce = Assert.IsType<CategoricalCrossEntropy>(LossNames.Parse("CCE", 4));
        Assert.Equal(4, cce.Classes);
        Assert.Equal("categorical_crossentropy", cce.Name);
    }

    [Fact]
    public void UnknownNameIsRefusedListingTheValidOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => LossNames.Parse("hinge"));
        Assert.Contains("'hinge'", e.Message);
        foreach (var name in new[] { "bce", "binary_crossentropy", "mse", "mean_squared_error", "cce",
                                     "categorical_crossentropy" })
            Assert.Contains(name, e.Message);
        // cce without a softmax output of two or more classes.
        Assert.Contains("at least 2 classes", Assert.Throws<ArgumentException>(() => LossNames.Parse("cce")).Message);
        Assert.Throws<ArgumentNullException>(() => LossNames.Parse(null!));
    }
}
