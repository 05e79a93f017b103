using Engine.Importance;
using Engine.Tests.Importance;
using Xunit;

namespace Demo.Tests.Importance;

/// <summary>What the study reads from the methods' contract: the chance level of the sanity check, the default
/// list.</summary>
public class StudyContractTests
{
    [Fact]
    public void RandomisedModelSurvivesCombiningNetworksAndMarksTheStudysChanceLevel()
    {
        var context = Fixtures.Context(Fixtures.Model(2), 3, repeats: 2);
        var two = new[] { context, context with { Model = Fixtures.Model(9), Seed = 4 } };
        var runs = ImportanceRunner.Run(two, ImportanceMethods.Create(["model-randomisation", "garson"]));
        Assert.True(runs[0].Result.RandomisedModel);
        Assert.False(runs[1].Result.RandomisedModel);
        var design = new Demo.Study.StudyDesign { Coefficients = [1, 0.5, 0], Lags = [0, 0, 0] };
        Assert.True(Demo.Study.StudyRunner.Summarise(design, runs[0].Name, [runs[0]]).ChanceLevel);
        Assert.False(Demo.Study.StudyRunner.Summarise(design, runs[1].Name, [runs[1]]).ChanceLevel);
    }

    [Fact]
    public void TheStudyLeavesOutOnlyTheRandomisationTestByDefault()
    {
        // Read from Needs (PermutedRetraining), written out here by name.
        Assert.Equal(ImportanceMethods.Names.Where(n => n != "connection-weights-test"),
                     Demo.Study.StudySettings.DefaultMethods);
    }

}
