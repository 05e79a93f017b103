using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Models;

/// <summary>
/// An input-gradient pass (<see cref="Sequential.BackwardInputs"/>, <see cref="Sequential.BackwardPrefix"/> without
/// parameter gradients) skips every layer's weight gradients: its dInput must be the full backward pass's bit for bit,
/// and it must leave <see cref="Sequential.Gradients"/> untouched.
/// </summary>
public class InputGradientPassTests
{
    public static TheoryData<string> Models => new()
    {
        "lstm32-lstm16-dense", "lstm4-lstm1-dense", "gru-after", "gru-before", "bidirectional", "lstm-last-dense2",
    };

    private static Sequential Build(string name, int features) => name switch
    {
        // LSTM 32: the GEMM path; LSTM 16 and 4: the small path's row layouts; LSTM 1: its batch-in-lanes layout
        "lstm32-lstm16-dense" => new Sequential(features, [
            new Lstm(32, returnSequences: true), new Lstm(16, returnSequences: true), new Dense(1, Activation.Sigmoid),
        ]),
        "lstm4-lstm1-dense" => new Sequential(features, [
            new Lstm(4, Activation.Relu, returnSequences: true), new Lstm(1, returnSequences: true),
            new Dense(1, Activation.Sigmoid),
        ]),
        "gru-after" => new Sequential(features, [new Gru(6, returnSequences: true), new Dense(2)]),
        "gru-before" => new Sequential(features, [
            new Gru(5, returnSequences: true, resetAfter: false), new Dense(1, Activation.Sigmoid),
        ]),
        "bidirectional" => new Sequential(features, [
            new Bidirectional(new Lstm(3, returnSequences: true)), new Dense(1),
        ]),
        _ => new Sequential(features, [new Lstm(7), new Dense(2, Activation.Tanh)]),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void InputGradientPassEqualsTheFullBackwardsDInputAndLeavesTheGradients(string name)
    {
        const int batch = 16, steps = 5, features = 3;
        var model = Build(name, features);
        model.Initialize(11);
        var x = new float[batch * steps * features];
        new RandomSource(4).FillUniform(x);
        int outputs = batch * model.OutputsPerSeries(steps);
        var y = new float[outputs];
        var dOutput = new float[outputs];
        new RandomSource(5).FillUniform(dOutput);
        var full = new float[x.Length];
        model.Forward(y, x, batch, steps);
        Array.Clear(model.Gradients);
        model.Backward(full, dOutput);
        Assert.Contains(model.Gradients, g => g != 0f); // the full pass does write them

        var sentinel = new float[model.Gradients.Length];
        new RandomSource(6).FillUniform(sentinel);
        sentinel.CopyTo(model.Gradients, 0);
        var inputsOnly = new float[x.Length];
        model.Forward(y, x, batch, steps);
        model.BackwardInputs(inputsOnly, dOutput);
        Assert.Equal(full, inputsOnly);
        Assert.Equal(sentinel, model.Gradients);
    }

    [Fact]
    public void PrefixInputGradientPassEqualsThePrefixPassWithGradients()
    {
        const int batch = 16, steps = 6, features = 4, prefix = 3;
        var model = Build("lstm32-lstm16-dense", features);
        model.Initialize(2);
        var x = new float[batch * steps * features];
        new RandomSource(8).FillUniform(x);
        var y = new float[batch * steps];
        var dOutput = new float[batch * prefix];
        new RandomSource(9).FillUniform(dOutput);
        model.Forward(y, x, batch, steps);
        var withGradients = new float[batch * prefix * features];
        model.BackwardPrefix(withGradients, dOutput, prefix);
        var sentinel = (float[])model.Gradients.Clone();
        var inputsOnly = new float[withGradients.Length];
        model.BackwardPrefix(inputsOnly, dOutput, prefix, parameterGradients: false);
        Assert.Equal(withGradients, inputsOnly);
        Assert.Equal(sentinel, model.Gradients);
    }
}
