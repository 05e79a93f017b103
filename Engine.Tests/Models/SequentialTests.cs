using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Models;

/// <summary>The model's batch handling: Predict in batches, workspaces across batch sizes, clones, gradient
/// accumulation.</summary>
public class SequentialTests
{
    private const int Steps = 6, Features = 3;

    private static Sequential Model(ulong seed = 1)
    {
        var model = new Sequential(Features,
                                   [new Lstm(5, Activation.Relu, returnSequences: true),
                                    new Lstm(4, returnSequences: true), new Dense(2, Activation.Sigmoid)],
                                    flatten: true);
        model.Initialize(seed);
        return model;
    }

    private static float[] Inputs(int count, ulong seed = 2)
    {
        var x = new float[count * Steps * Features];
        new RandomSource(seed).FillUniform(x, -1f, 1f);
        return x;
    }

    private static void Close(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6, $"[{i}]: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void PredictInBatchesEqualsOneForwardPassAndEachSeriesAlone()
    {
        var model = Model();
        const int count = 10;
        var x = Inputs(count);
        int per = model.OutputsPerSeries(Steps);
        Assert.Equal(Steps * 2, per);
        var whole = new float[count * per];
        model.Forward(whole, x, count, Steps);
        var batched = new float[count * per];
        model.Predict(batched, x, count, Steps, batchSize: 3);
        Close(whole, batched);
        // Series are independent: one series alone gives its row of the batch (workspaces shrink back correctly).
        var single = new float[per];
        model.Forward(single, x.AsSpan(7 * Steps * Features, Steps * Features), 1, Steps);
        Close(whole[(7 * per)..(8 * per)], single);
    }

    [Fact]
    public void SummaryRowsNameShapesParametersAndSettings()
    {
        var model = new Sequential(Features, [
            new Bidirectional(new Gru(4, returnSequences: true)), new Dropout(0.2), new Lstm(3, Activation.Relu),
            new Dense(2, Activation.Sigmoid)]);
        var rows = model.Summary(Steps).Rows;
        Assert.Equal(["bidirectional", "dropout", "lstm", "dense"], rows.Select(r => r.Name));
        Assert.Equal(["(None, 6, 8)", "(None, 6, 8)", "(None, 3)", "(None, 2)"], rows.Select(r => r.OutputShape));
        // GRU with reset_after: 2 x (F 3H + H 3H + 2 x 3H) = 2 x (36 + 48 + 24); LSTM: 8 x 12 + 3 x 12 + 12; Dense: 3 x
        // 2 + 2.
        Assert.Equal([216, 0, 144, 8], rows.Select(r => r.Parameters));
        Assert.Equal("merge_mode=concat, layer=GRU 4 (tanh / sigmoid, return_sequences, reset_after)", rows[0].Details);
        Assert.Equal("rate=0.2", rows[1].Details);
        Assert.Equal("relu / sigmoid", rows[2].Details);
        Assert.Equal("sigmoid", rows[3].Details);
        var flattened = new Sequential(Features,
                                       [new Lstm(2, returnSequences: true), new Flatten(Steps),
                                        new Dense(1)]).Summary(Steps).Rows;
        Assert.Equal("steps=6", flattened[1].Details); // a whole-number setting (a JSON int, not a double)
        Assert.Equal("(None, 12)", flattened[1].OutputShape);
    }

    [Fact]
    public void SummaryOfAnUnknownStepCountShowsNoneForTheSteps()
    {
        // An imported model whose time axis is dynamic has no step count: its sequence outputs are (None, None, H)
        // as Keras prints them, not (None, 1, H).
        var model = new Sequential(Features, [new Gru(4, returnSequences: true), new Dense(2)]);
        Assert.Equal(["(None, None, 4)", "(None, None, 2)"], model.Summary(0).Rows.Select(r => r.OutputShape));
        var last = new Sequential(Features, [new Lstm(3), new Dense(1)]);
        Assert.Equal(["(None, 3)", "(None, 1)"], last.Summary(0).Rows.Select(r => r.OutputShape));
        var flat = new Sequential(Features, [new Lstm(2, returnSequences: true)], flatten: true);
        Assert.Equal(["(None, None, 2)", "(None, None)"], flat.Summary(0).Rows.Select(r => r.OutputShape));
        Assert.Equal(["(None, 6, 2)", "(None, 12)"], flat.Summary(Steps).Rows.Select(r => r.OutputShape));
    }

    [Fact]
    public void EvaluateIsTheLossOfThePredictions()
    {
        var model = Model();
        const int count = 9;
        var x = Inputs(count);
        var y = new float[count * model.OutputsPerSeries(Steps)];
        new RandomSource(3).FillUniform(y);
        var prediction = new float[y.Length];
        model.Predict(prediction, x, count, Steps);
        var loss = new BinaryCrossEntropy();
        Assert.Equal(loss.Value(prediction, y), model.Evaluate(x, y, count, Steps, loss, batchSize: 4), 1e-6);
    }

    [Fact]
    public void ClonesShareNothingAndAgreeAcrossThreads()
    {
        var model = Model();
        const int count = 8;
        var x = Inputs(count);
        var expected = new float[count * model.OutputsPerSeries(Steps)];
        model.Forward(expected, x, count, Steps);

        var results = new float[4][];
        Parallel.For(0, 4, k =>
        {
            var clone = model.Clone();
            results[k] = new float[expected.Length];
            for (int repeat = 0; repeat < 20; repeat++) clone.Predict(results[k], x, count, Steps, batchSize: 1 + k);
        });
        foreach (var r in results) Close(expected, r);

        var copy = model.Clone();
        copy.Parameters[0] += 1f;
        Assert.NotEqual(copy.Parameters[0], model.Parameters[0]);
    }

    [Fact]
    public void BackwardAddsIntoTheGradients()
    {
        var model = Model();
        const int count = 3;
        var x = Inputs(count);
        var dOutput = new float[count * model.OutputsPerSeries(Steps)];
        new RandomSource(4).FillUniform(dOutput, -1f, 1f);
        model.Forward(new float[dOutput.Length], x, count, Steps);
        model.Backward([], dOutput);
        var once = (float[])model.Gradients.Clone();
        Assert.Contains(once, g => g != 0f);
        model.Backward([], dOutput);
        for (int k = 0; k < once.Length; k++)
            Assert.Equal(2 * once[k], model.Gradients[k], 1e-6 * (1 + Math.Abs(once[k])));
        // ComputeGradients starts from zero.
        var y = new float[dOutput.Length];
        model.ComputeGradients(x, y, count, Steps, new MeanSquaredError());
        var first = (float[])model.Gradients.Clone();
        model.ComputeGradients(x, y, count, Steps, new MeanSquaredError());
        Assert.Equal(first, model.Gradients);
    }

    [Fact]
    public void NamedTensorsAreSlicesOfTheFlatBuffer()
    {
        var model = Model();
        Assert.Equal(3 * 20, model.Tensor(0, "kernel").Length);
        Assert.Equal(5 * 20, model.Tensor(0, "recurrent_kernel").Length);
        Assert.Equal(20, model.Tensor(0, "bias").Length);
        Assert.Equal((3 + 5 + 1) * 20, model.Layers[1].ParameterOffset);
        model.Tensor(2, "bias")[1] = 42f;
        Assert.Equal(42f, model.Parameters[^1]);
        Assert.Equal(model.ParameterCount, model.Layers.Sum(l => l.ParameterCount));
    }
}
