using System.Text.Json.Nodes;
using Engine.Kernels;
using Engine.Layers;
using Xunit;

namespace Engine.Tests.Layers;

/// <summary>
/// A saved layer configuration read back: every getter of <see cref="LayerConfig"/> at its range's ends and one past
/// them, absent keys with and without a fallback, and the one-line messages, written out in full; the registry's
/// refusals and its type list.
/// </summary>
public class LayerConfigTests
{
    private static LayerConfig Config(string json) => new(JsonNode.Parse(json)!.AsObject(), "layer 3 (Test)");

    private static string Refusal(Action read) => Assert.Throws<ArgumentException>(read).Message;

    [Fact]
    public void WholeNumbersKeepTheirRangesEndsAndNameTheRangeWhenOutside()
    {
        var c = Config("""{"lo": 2, "hi": 9, "below": 1, "above": 10, "half": 2.5, "text": "4", "nul": null}""");
        Assert.Equal(2, c.WholeNumber("lo", 2, 9));
        Assert.Equal(9, c.WholeNumber("hi", 2, 9));
        Assert.Equal(7, c.WholeNumber("absent", 2, 9, fallback: 7));
        Assert.Equal(7, c.WholeNumber("nul", 2, 9, fallback: 7)); // null reads as absent
        Assert.Equal("layer 3 (Test): 'below' must be a whole number from 2 to 9, not 1",
                     Refusal(() => c.WholeNumber("below", 2, 9)));
        Assert.Equal("layer 3 (Test): 'above' must be a whole number from 2 to 9, not 10",
                     Refusal(() => c.WholeNumber("above", 2, 9)));
        Assert.Equal("layer 3 (Test): 'half' must be a whole number from 2 to 9, not 2.5",
                     Refusal(() => c.WholeNumber("half", 2, 9)));
        Assert.Equal("layer 3 (Test): 'text' must be a whole number from 2 to 9, not \"4\"",
                     Refusal(() => c.WholeNumber("text", 2, 9)));
        Assert.Equal("layer 3 (Test): the configuration has no 'absent'",
                     Refusal(() => c.WholeNumber("absent", 2, 9)));
        Assert.Equal("layer 3 (Test): the configuration has no 'nul'", Refusal(() => c.WholeNumber("nul", 2, 9)));
    }

    [Fact]
    public void UnitsRunFromOneTo65536()
    {
        Assert.Equal(1, Config("""{"units": 1}""").Units());
        Assert.Equal(65536, Config("""{"units": 65536}""").Units());
        Assert.Equal("layer 3 (Test): 'units' must be a whole number from 1 to 65536, not 0",
                     Refusal(() => Config("""{"units": 0}""").Units()));
        Assert.Equal("layer 3 (Test): 'units' must be a whole number from 1 to 65536, not 65537",
                     Refusal(() => Config("""{"units": 65537}""").Units()));
    }

    [Fact]
    public void BoolsAreTrueOrFalseOnly()
    {
        var c = Config("""{"yes": true, "no": false, "one": 1}""");
        Assert.True(c.Bool("yes"));
        Assert.False(c.Bool("no"));
        Assert.True(c.Bool("absent", fallback: true));
        Assert.False(c.Bool("absent", fallback: false));
        Assert.Equal("layer 3 (Test): 'one' must be true or false, not 1", Refusal(() => c.Bool("one")));
        Assert.Equal("layer 3 (Test): the configuration has no 'absent'", Refusal(() => c.Bool("absent")));
    }

    [Fact]
    public void NumbersKeepTheirRangesEnds()
    {
        var c = Config("""{"lo": 0, "hi": 1, "below": -0.001, "above": 1.5, "text": "0.5"}""");
        Assert.Equal(0, c.Number("lo", 0, 1));
        Assert.Equal(1, c.Number("hi", 0, 1));
        Assert.Equal(0.25, c.Number("absent", 0, 1, fallback: 0.25));
        Assert.Equal("layer 3 (Test): 'below' must be a number from 0 to 1, not -0.001",
                     Refusal(() => c.Number("below", 0, 1)));
        Assert.Equal("layer 3 (Test): 'above' must be a number from 0.5 to 1.25, not 1.5",
                     Refusal(() => c.Number("above", 0.5, 1.25)));
        Assert.Equal("layer 3 (Test): 'text' must be a number from 0 to 1, not \"0.5\"",
                     Refusal(() => c.Number("text", 0, 1)));
        Assert.Equal("layer 3 (Test): the configuration has no 'absent'", Refusal(() => c.Number("absent", 0, 1)));
    }

    [Fact]
    public void TextIsAStringAndOneOfTheValuesWhenTheyAreGiven()
    {
        var c = Config("""{"mode": "sum", "number": 3}""");
        Assert.Equal("sum", c.Text("mode"));
        Assert.Equal("sum", c.Text("mode", null, "concat", "sum"));
        Assert.Equal("concat", c.Text("absent", "concat", "concat", "sum"));
        Assert.Equal("layer 3 (Test): 'mode' must be one of concat, ave, not \"sum\"",
                     Refusal(() => c.Text("mode", null, "concat", "ave")));
        Assert.Equal("layer 3 (Test): 'number' must be a string, not 3", Refusal(() => c.Text("number")));
        Assert.Equal("layer 3 (Test): the configuration has no 'absent'", Refusal(() => c.Text("absent")));
    }

    [Fact]
    public void ActivationsAreReadByName()
    {
        var c = Config("""{"a": "tanh", "b": "swish", "c": 2}""");
        Assert.Equal(Activation.Tanh, c.Activation("a"));
        Assert.Equal(Activation.Relu, c.Activation("absent", Activation.Relu));
        string accepted = ActivationNames.Accepted;
        Assert.Equal($"layer 3 (Test): 'b' must be an activation name ({accepted}), not \"swish\"",
                     Refusal(() => c.Activation("b")));
        Assert.Equal($"layer 3 (Test): 'c' must be an activation name ({accepted}), not 2",
                     Refusal(() => c.Activation("c")));
        Assert.Equal("layer 3 (Test): the configuration has no 'absent'", Refusal(() => c.Activation("absent")));
    }

    [Fact]
    public void NestedObjectsAreNamedByTheirPath()
    {
        var c = Config("""{"layer": {"units": 0}, "flat": [1]}""");
        var inner = c.Nested("layer");
        Assert.Equal("layer 3 (Test).layer", inner.Where);
        Assert.Equal("layer 3 (Test).layer: 'units' must be a whole number from 1 to 65536, not 0",
                     Refusal(() => inner.Units()));
        Assert.Equal("layer 3 (Test): 'flat' must be an object, not [1]", Refusal(() => c.Nested("flat")));
        Assert.Equal("layer 3 (Test): the configuration has no 'absent'", Refusal(() => c.Nested("absent")));
    }

    [Fact]
    public void ARefusedValueIsQuotedUpTo40Characters()
    {
        string forty = new('x', 38), fortyOne = new('y', 39); // quoted: 40 and 41 characters
        var c = Config($$"""{"a": "{{forty}}", "b": "{{fortyOne}}"}""");
        Assert.Equal($"layer 3 (Test): 'a' must be a whole number from 1 to 2, not \"{forty}\"",
                     Refusal(() => c.WholeNumber("a", 1, 2)));
        Assert.Equal($"layer 3 (Test): 'b' must be a whole number from 1 to 2, not \"{fortyOne}...",
                     Refusal(() => c.WholeNumber("b", 1, 2)));
    }

    [Fact]
    public void TheRegistryRefusesAMissingOrUnknownTypeInOneLine()
    {
        const string supported = "LSTM, Dense, GRU, Bidirectional, Dropout, SpatialDropout1D, LastStep, Flatten";
        Assert.Equal(supported.Split(", "), LayerRegistry.Types);
        Assert.Equal($"layer 1: the configuration has no 'type' (one of {supported})",
                     Refusal(() => LayerRegistry.Create(new JsonObject { ["units"] = 2 }, "layer 1")));
        Assert.Equal($"layer 1: the configuration has no 'type' (one of {supported})",
                     Refusal(() => LayerRegistry.Create(new JsonObject { ["type"] = 4 }, "layer 1")));
        Assert.Equal($"layer 1: the configuration has no 'type' (one of {supported})",
                     Refusal(() => LayerRegistry.Create(new JsonObject { ["type"] = new JsonArray() }, "layer 1")));
        Assert.Equal($"layer 1: layer type 'lstm' is not supported; supported: {supported}",
                     Refusal(() => LayerRegistry.Create(new JsonObject { ["type"] = "lstm" }, "layer 1")));
        string forty = new('A', 40), longer = new('B', 41);
        Assert.Equal($"layer 1: layer type '{forty}' is not supported; supported: {supported}",
                     Refusal(() => LayerRegistry.Create(new JsonObject { ["type"] = forty }, "layer 1")));
        Assert.Equal($"layer 1: layer type '{longer[..40]}...' is not supported; supported: {supported}",
                     Refusal(() => LayerRegistry.Create(new JsonObject { ["type"] = longer }, "layer 1")));
    }

    [Fact]
    public void EveryTypeRoundTripsThroughItsConfiguration()
    {
        Layer[] layers = [new Lstm(3, Activation.Relu, Activation.HardSigmoid, returnSequences: true),
                          new Dense(2, Activation.Sigmoid), new Gru(4, returnSequences: true, resetAfter: false),
                          new Bidirectional(new Lstm(2), MergeMode.Sum), new Dropout(0.125),
                          new SpatialDropout1D(0.5), new LastStep(), new Flatten(6)];
        Assert.Equal(LayerRegistry.Types, layers.Select(l => l.TypeName));
        foreach (var layer in layers)
        {
            var config = LayerRegistry.Config(layer);
            Assert.Equal(layer.TypeName, config["type"]!.GetValue<string>());
            var copy = LayerRegistry.Create(config, "layer 0");
            Assert.Equal(layer.GetType(), copy.GetType());
            Assert.Equal(config.ToJsonString(), LayerRegistry.Config(copy).ToJsonString());
        }
    }

    [Fact]
    public void ATensorsLengthIsTheProductOfItsShape()
    {
        Assert.Equal(24, new ParameterTensor("kernel", 0, [2, 3, 4]).Length);
        Assert.Equal(5, new ParameterTensor("bias", 7, [5]).Length);
        Assert.Equal(1, new ParameterTensor("scalar", 0, []).Length);
    }
}
