using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Engine.Optimizers;
using Engine.Training;
using Xunit;

namespace Engine.Tests.Models;

/// <summary>Bad arguments raise ArgumentException / ArgumentOutOfRangeException whose messages name the
/// shapes.</summary>
public class ArgumentTests
{
    private static Sequential Model() => new(4, [new Lstm(3, returnSequences: true), new Dense(2)]);

    [Fact]
    public void ZeroOrNegativeUnitsAreRejected()
    {
        Assert.Contains("units must be positive, got 0",
                        Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm(0)).Message);
        Assert.Contains("got -3", Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(-3)).Message);
        Assert.Equal("inputFeatures",
                     Assert.Throws<ArgumentOutOfRangeException>(() => new Sequential(0, [new Dense(1)])).ParamName);
        Assert.Throws<ArgumentException>(() => new Sequential(2, []));
    }

    [Fact]
    public void LstmAfterANonSequenceLayerIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential(2, [new Lstm(3), new Lstm(2)]));
        Assert.Contains("layer 1 (LSTM) needs a sequence input", e.Message);
        Assert.Contains("returnSequences", e.Message);
        Assert.Throws<ArgumentException>(() => new Sequential(2, [new Lstm(3), new Dense(2), new Lstm(2)]));
        Assert.Contains("flatten",
                        Assert.Throws<ArgumentException>(() =>
                            new Sequential(2, [new Lstm(3)], flatten: true)).Message);
        var shared = new Dense(2);
        Assert.Throws<ArgumentException>(() => new Sequential(2, [shared, shared]));
    }

    [Fact]
    public void MismatchedModelShapesNameTheExpectedShape()
    {
        var model = Model();
        var e = Assert.Throws<ArgumentException>(() => model.Forward(new float[2 * 5 * 2], new float[2 * 5 * 3], 2, 5));
        Assert.Contains("(N=2, T=5, F=4) = 40 values, but has 30", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Forward(new float[7], new float[2 * 5 * 4], 2, 5));
        Assert.Contains("(N=2, 10) = 20 values, but has 7", e.Message);
        e = Assert.Throws<ArgumentException>(() =>
            model.ComputeGradients(new float[40], new float[3], 2, 5, new MeanSquaredError()));
        Assert.Contains("target must hold (N=2, 10) = 20 values, but has 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Predict(new float[5], new float[40], 2, 5));
        Assert.Contains("but has 5", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(new float[0], new float[0], -1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(new float[0], new float[0], 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            model.Predict(new float[20], new float[40], 2, 5, batchSize: 0));
        Assert.Contains("has no tensor 'weights'; it has kernel, recurrent_kernel, bias",
                        Assert.Throws<ArgumentException>(() => model.Tensor(0, "weights")).Message);
    }

    [Fact]
    public void BackwardChecksItsShapesAndNeedsAForwardPass()
    {
        var model = Model();
        Assert.Throws<InvalidOperationException>(() => model.Backward([], new float[20]));
        model.Forward(new float[20], new float[40], 2, 5);
        Assert.Contains("(N=2, 10)", Assert.Throws<ArgumentException>(() => model.Backward([], new float[19])).Message);
        Assert.Contains("(N=2, T=5, F=4) = 40",
                        Assert.Throws<ArgumentException>(() => model.Backward(new float[39], new float[20])).Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteInputIsRejected(float bad)
    {
        var model = Model();
        var x = new float[40];
        x[39] = bad; // the last element (a full vector or the scalar tail, by vector width)
        Assert.Contains("input[39]",
                        Assert.Throws<ArgumentException>(() => model.Forward(new float[20], x, 2, 5)).Message);
        x[17] = x[21] = bad; // the first bad index of a failing vector is named
        Assert.Contains($"input[17] is {bad}",
                        Assert.Throws<ArgumentException>(() => model.Forward(new float[20], x, 2, 5)).Message);
        Assert.Contains("input[17]",
                        Assert.Throws<ArgumentException>(() => model.Predict(new float[20], x, 2, 5)).Message);
        Assert.Contains("input[17]",
                        Assert.Throws<ArgumentException>(() =>
                            model.ComputeGradients(x, new float[20], 2, 5, new MeanSquaredError())).Message);
        Assert.Throws<ArgumentException>(() =>
            model.TrainStep(x, new float[20], 2, 5, new MeanSquaredError(), new Adam()));
    }

    [Fact]
    public void KernelsRejectNegativeSizesAndMismatchedShapes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            MatMul.Run(new float[0], new float[0], new float[0], -1, 2, 3));
        var e = Assert.Throws<ArgumentException>(() => MatMul.Run(new float[6], new float[6], new float[5], 2, 3, 3));
        Assert.Contains("b must be a (3, 3) matrix of 9 elements, but has 5", e.Message);
        Assert.Contains("(3, 2)",
                        Assert.Throws<ArgumentException>(() =>
                            MatMulTransposedA.Run(new float[5], new float[6], new float[4], 2, 3, 2)).Message);
        Assert.Contains("(2, 3)",
                        Assert.Throws<ArgumentException>(() =>
                            MatMulTransposedB.Run(new float[4], new float[6], new float[5], 2, 3, 2)).Message);
        Assert.Contains("x has length 3 but y has length 4",
                        Assert.Throws<ArgumentException>(() => Axpy.Run(1f, new float[3], new float[4])).Message);
        Assert.Throws<ArgumentException>(() => Dot.Run(new float[3], new float[2]));
        Assert.Contains("expected 4",
                        Assert.Throws<ArgumentException>(() => SumRows.Run(new float[3], new float[8], 2, 4)).Message);
        Assert.Throws<ArgumentException>(() => BroadcastRows.Run(new float[8], new float[3], 2, 4));
        Assert.Contains("(2, 3, 4) = 24",
                        Assert.Throws<ArgumentException>(() =>
                            TransposeBatchTime.Run(new float[24], new float[23], 2, 3, 4)).Message);
        Assert.Throws<ArgumentException>(() => Activations.Forward(Activation.Tanh, new float[3], new float[2]));
        Assert.Throws<ArgumentException>(() =>
            ActivationGradient.FromOutput(Activation.Tanh, new float[3], new float[3], new float[2]));
        Assert.Contains("expected 4 x 2 units", Assert.Throws<ArgumentException>(() =>
            LstmCell.Forward(new float[7], new float[2], new float[2], new float[2], new float[2], Activation.Tanh,
                             Activation.Sigmoid, 2)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            LstmCell.Forward(new float[0], new float[0], new float[0], new float[0], new float[0], Activation.Tanh,
                             Activation.Sigmoid, 0));
        Assert.Throws<ArgumentException>(() =>
            AdamUpdate.Run(new float[3], new float[3], new float[2], new float[3], 0.1f, 0.9f, 0.999f, 1e-7f));
    }

    [Fact]
    public void LossesAndActivationNamesRejectBadInput()
    {
        Assert.Contains("prediction has length 3 but target has length 2",
                        Assert.Throws<ArgumentException>(() =>
                            new BinaryCrossEntropy().Value(new float[3], new float[2])).Message);
        Assert.Throws<ArgumentException>(() =>
            new MeanSquaredError().Compute(new float[3], new float[3], new float[2]));
        Assert.Throws<ArgumentException>(() =>
            BinaryCrossEntropy.ComputeFromLogits(new float[3], new float[2], new float[3]));
        Assert.Contains("expected linear, relu, tanh, sigmoid, hard_sigmoid or hard_sigmoid_keras3",
                        Assert.Throws<ArgumentException>(() => ActivationNames.Parse("softmax")).Message);
    }

    [Fact]
    public void TrainingSetupMismatchesAreRejected()
    {
        var model = Model();
        var trainer = new Trainer(model, new MeanSquaredError(), new Adam());
        var wrongFeatures = new ArrayBatchSource(new float[2 * 5 * 3], new float[2 * 10], 2, 5, 3, 10, 2, 1);
        Assert.Contains("3 features but the model takes 4",
                        Assert.Throws<ArgumentException>(() => trainer.Fit(wrongFeatures, 1, 1)).Message);
        var wrongTargets = new ArrayBatchSource(new float[2 * 5 * 4], new float[2 * 5], 2, 5, 4, 5, 2, 1);
        Assert.Contains("5 targets per series but the model outputs 10",
                        Assert.Throws<ArgumentException>(() => trainer.Fit(wrongTargets, 1, 1)).Message);
        var ok = new ArrayBatchSource(new float[2 * 5 * 4], new float[2 * 10], 2, 5, 4, 10, 2, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(ok, 0, 1));
        Assert.Contains("(N=2, T=5, F=4)",
                        Assert.Throws<ArgumentException>(() =>
                            new ArrayBatchSource(new float[39], new float[20], 2, 5, 4, 10, 2, 1)).Message);
    }
}
