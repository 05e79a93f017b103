using System.Text.Json;
using System.Text.Json.Nodes;
using Demo.Data;
using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>
/// <see cref="ModelMetadata.Check"/> and <see cref="ModelMetadata.Read"/> called directly, each guard with its exact
/// message and the edge it lets through: the feature count (an imported model may name none), the steps' bounds,
/// constant features, warnings, the classes of loss cce, several targets, the window, a file without the entry,
/// invalid JSON's line and byte, and the kind of value expected for a value of the wrong type.
/// </summary>
public class ModelMetadataGuardsTests
{
    private const string File = "m.safetensors";
    private const string Prefix = "m.safetensors: the model's 'data' metadata: ";

    private static readonly ModelMetadata Base = new()
    {
        Features = ["a", "b", "c", "d"],
        Steps = 8,
        Training = new TrainingInfo { Loss = "mse", History = [] },
    };

    private static Sequential Net(Layer head) => new(4, [new Lstm(3), head]);

    private static readonly Sequential Linear = Net(new Dense(1));

    private static ModelMetadata Cce(params string[]? classes) =>
        Base with { Training = Base.Training with { Loss = "cce", Classes = classes } };

    private static ModelMetadata Targets(string loss, params string[] targets) =>
        Base with { Training = Base.Training with { Loss = loss, Targets = targets } };

    private static string Refused(ModelMetadata record, Sequential model) =>
        Assert.Throws<InputException>(() => record.Check(model, File)).Message;

    [Fact]
    public void FeaturesMustBeAsManyAsTheInputsUnlessAnImportedModelNamesNone()
    {
        Base.Check(Linear, File);
        Assert.Equal(Prefix + "it names 3 features, but the model has 4 inputs",
                     Refused(Base with { Features = ["a", "b", "c"] }, Linear));
        Assert.Equal(Prefix + "it names 0 features, but the model has 4 inputs",
                     Refused(Base with { Features = [] }, Linear));
        var imported = Base with { Imported = new JsonObject() };
        (imported with { Features = [] }).Check(Linear, File);
        Assert.Equal(Prefix + "it names 3 features, but the model has 4 inputs",
                     Refused(imported with { Features = ["a", "b", "c"] }, Linear));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1_000_000)]
    public void StepsFromOneToAMillionAreKept(int steps) => (Base with { Steps = steps }).Check(Linear, File);

    [Theory]
    [InlineData(0, false)]
    [InlineData(-1, false)]
    [InlineData(1_000_001, false)]
    [InlineData(-1, true)]
    [InlineData(1_000_001, true)]
    public void StepsOutOfRangeAreRefused(int steps, bool imported)
    {
        var record = Base with { Steps = steps, Imported = imported ? new JsonObject() : null };
        Assert.Equal(Prefix + $"'steps' must be a whole number from 1 to 1000000, not {steps}",
                     Refused(record, Linear));
    }

    [Fact]
    public void AnImportedModelMayLeaveItsStepsOpen() =>
        (Base with { Steps = 0, Imported = new JsonObject() }).Check(Linear, File);

    [Fact]
    public void ConstantFeaturesAreNamedOnceBesideTheFeaturesAndFinite()
    {
        (Base with { Constant = [new ConstantFeature("k", 7.5f)] }).Check(Linear, File);
        // Names are compared ignoring case, with the features too.
        Assert.Equal(Prefix + "feature 'B' is named twice",
                     Refused(Base with { Constant = [new ConstantFeature("B", 1f)] }, Linear));
        Assert.Equal(Prefix + "feature 'k' is named twice",
                     Refused(Base with { Constant = [new("k", 1f), new("k", 2f)] }, Linear));
        Assert.Equal(Prefix + "a constant feature has no name", Refused(Base with { Constant = [null!] }, Linear));
        Assert.Equal(Prefix + "a constant feature has no name",
                     Refused(Base with { Constant = [new ConstantFeature(" ", 1f)] }, Linear));
        Assert.Equal(Prefix + "constant feature 'k' has the value NaN",
                     Refused(Base with { Constant = [new ConstantFeature("k", float.NaN)] }, Linear));
        Assert.Equal(Prefix + "constant feature 'k' has the value -Infinity",
                     Refused(Base with { Constant = [new ConstantFeature("k", float.NegativeInfinity)] }, Linear));
    }

    [Fact]
    public void WarningsMayBeAnyListOfTextButNoNull()
    {
        (Base with { Warnings = [] }).Check(Linear, File);
        (Base with { Warnings = ["w"] }).Check(Linear, File);
        Assert.Equal(Prefix + "'warnings' must be a list of text",
                     Refused(Base with { Warnings = ["w", null!] }, Linear));
    }

    [Fact]
    public void LossCceNeedsASoftmaxHeadOfOneOutputPerClassEachNamedOnce()
    {
        var softmax = Net(Dense.WithSoftmax(3));
        Cce("x", "y", "z").Check(softmax, File);
        // Classes are compared case-sensitively: x and X are two classes.
        Cce("x", "X", "y").Check(softmax, File);
        Assert.Equal(Prefix + "loss cce needs a softmax output, but the last layer is not a Dense softmax head",
                     Refused(Cce("x", "y", "z"), Net(new Dense(3, Activation.Sigmoid))));
        Assert.Equal(Prefix + "loss cce needs 'classes', the class labels", Refused(Cce(null), softmax));
        Assert.Equal(Prefix + "it names 2 classes, but the softmax head has 3 outputs",
                     Refused(Cce("x", "y"), softmax));
        Assert.Equal(Prefix + "a class has no name", Refused(Cce("x", " ", "z"), softmax));
        Assert.Equal(Prefix + "a class is named twice", Refused(Cce("x", "y", "x"), softmax));
        var mseWithClasses = Base with { Training = Base.Training with { Classes = ["x"] } };
        Assert.Equal(Prefix + "'classes' go with loss cce, not mse", Refused(mseWithClasses, Linear));
    }

    [Fact]
    public void SeveralTargetsNeedAsManyOutputsAndLossMse()
    {
        Targets("mse", "t", "u").Check(Net(new Dense(2)), File);
        Targets("mse", "t", "u", "v").Check(Net(new Dense(3)), File);
        const string Why = "; several targets need as many outputs and loss mse";
        Assert.Equal(Prefix + "it names 1 targets for 1 outputs with loss mse" + Why,
                     Refused(Targets("mse", "t"), Linear));
        Assert.Equal(Prefix + "it names 2 targets for 3 outputs with loss mse" + Why,
                     Refused(Targets("mse", "t", "u"), Net(new Dense(3))));
        Assert.Equal(Prefix + "it names 2 targets for 2 outputs with loss bce" + Why,
                     Refused(Targets("bce", "t", "u"), Net(new Dense(2, Activation.Sigmoid))));
        Assert.Equal(Prefix + "a target has no name", Refused(Targets("mse", "t", " "), Net(new Dense(2))));
    }

    [Fact]
    public void AWindowOfOneIsKeptAndZeroRefused()
    {
        (Base with { Training = Base.Training with { Window = 1 } }).Check(Linear, File);
        Assert.Equal(Prefix + "'window' must be at least 1, not 0",
                     Refused(Base with { Training = Base.Training with { Window = 0 } }, Linear));
    }

    private static string ReadRefused(Dictionary<string, string> metadata) =>
        Assert.Throws<InputException>(() => ModelMetadata.Read(metadata, Linear, File)).Message;

    [Fact]
    public void AFileWithoutTheEntryIsRefused() =>
        Assert.Equal("m.safetensors: the model file has no 'data' entry: the demo does not know its input columns",
                     ReadRefused(new Dictionary<string, string> { ["other"] = "{}" }));

    [Fact]
    public void InvalidJsonIsPlacedByLineAndByteCountedFromOne()
    {
        // JSON null: no line or byte known, both shown as 1.
        Assert.Equal(Prefix + "not valid JSON (line 1, byte 1)",
                     ReadRefused(new Dictionary<string, string> { ["data"] = "null" }));
        // The x is on the second line after 14 bytes (2 spaces, "features" in quotes, a colon, a space).
        Assert.Equal(Prefix + "not valid JSON (line 2, byte 15)",
                     ReadRefused(new Dictionary<string, string> { ["data"] = "{\n  \"features\": x\n}" }));
        // A value of the wrong type is named instead, with the kind expected where .NET names the value's type.
        Assert.Equal(Prefix + "'normalisation.mean[0]' is null or of the wrong type (expected a number)",
                     ReadRefused(new Dictionary<string, string>
                     {
                         ["data"] = """{"normalisation":{"mean":[null],"sd":[1]}}""",
                     }));
        Assert.Equal(Prefix + "'steps' is null or of the wrong type",
                     ReadRefused(new Dictionary<string, string> { ["data"] = """{"steps":"8"}""" }));
    }

    [Theory]
    [InlineData("System.String[]", "$.features", "'features' is null or of the wrong type (expected a list)")]
    [InlineData("System.Collections.Generic.List`1[Demo.Data.EpochLoss]", "$.training.history",
                "'training.history' is null or of the wrong type (expected a list)")]
    [InlineData("System.Collections.Generic.Dictionary`2[System.String,System.String]", "$.imported",
                "'imported' is null or of the wrong type (expected an object of names and values)")]
    [InlineData("System.String", "$.training.loss", "'training.loss' is null or of the wrong type (expected text)")]
    [InlineData("System.Boolean", "$.x", "'x' is null or of the wrong type (expected true or false)")]
    [InlineData("System.Int32", "$.steps", "'steps' is null or of the wrong type (expected a whole number)")]
    [InlineData("System.UInt64", "$.training.seed",
                "'training.seed' is null or of the wrong type (expected a whole number)")]
    [InlineData("System.Single", "$.normalisation.mean[0]",
                "'normalisation.mean[0]' is null or of the wrong type (expected a number)")]
    [InlineData("System.Double", "$.y", "'y' is null or of the wrong type (expected a number)")]
    [InlineData("System.DateTime", "$.when", "'when' is null or of the wrong type")]
    [InlineData("Demo.Data.ConstantFeature[]", "$.constant", "'constant' is null or of the wrong type")]
    [InlineData("Demo.Data.Normalisation", "$.normalisation", "'normalisation' is null or of the wrong type")]
    public void AValueOfTheWrongTypeSaysWhatWasExpected(string type, string path, string problem)
    {
        var e = new JsonException($"The JSON value could not be converted to {type}. Path: {path} | LineNumber: 0 | " +
                                  "BytePositionInLine: 9.", path, 0, 9);
        Assert.Equal(problem, ModelMetadata.Problem(e));
    }

    [Fact]
    public void AnythingElseIsInvalidJsonAtItsLineAndByte()
    {
        // Line 3 and byte 7 counted from 0 are line 4 and byte 8 counted from 1.
        Assert.Equal("not valid JSON (line 4, byte 8)",
                     ModelMetadata.Problem(new JsonException("'x' is an invalid start of a value.", "$", 3, 7)));
        // A wrong type at the root ($): no value to name.
        Assert.Equal("not valid JSON (line 1, byte 3)",
                     ModelMetadata.Problem(new JsonException(
                         "The JSON value could not be converted to System.String. Path: $ | LineNumber: 0 | " +
                         "BytePositionInLine: 2.", "$", 0, 2)));
        Assert.Equal("not valid JSON (line 1, byte 1)", ModelMetadata.Problem(new JsonException("no place")));
    }
}
