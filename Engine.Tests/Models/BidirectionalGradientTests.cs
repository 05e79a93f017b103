using Engine.Tests.Reference;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace Engine.Tests.Models;

/// <summary>Bidirectional layers, Dropout at inference and softmax heads against finite differences of the double
/// reference.</summary>
public class BidirectionalGradientTests
{
    [Trait("Category", "Slow")] // left out of mutation runs (stryker-config.json); ./build.sh test runs it
    [Property(Arbitrary = [typeof(BidirectionalArbitraries)], MaxTest = 100)]
    public Property GradientsMatchFiniteDifferencesOfTheReference(BidirectionalCase c) =>
        Prop.When(c.IsWellPosed(), () =>
        {
            string failures = c.Check();
            Assert.True(failures.Length == 0, $"{c}\n{failures}");
        });
}
