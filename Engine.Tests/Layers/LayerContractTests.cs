using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Layers;

/// <summary>
/// What every layer shares (<see cref="Layer"/>): binding and its refusals, the workspaces, the gate blocks of a
/// kernel read by hand, and Keras' initialisation of each parameterised layer (bounds and structure computed here).
/// </summary>
public class LayerContractTests
{
    [Fact]
    public void BindingRefusesANonSequenceInputAndAnOversizedLayerInOneLine()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential(2, [new Lstm(3), new Gru(2)]));
        Assert.Equal("layer 1 (GRU) needs a sequence input, but the layer before it returns only the last step: set "
                     + "return_sequences (returnSequences) on it (Parameter 'layers')", e.Message);
        // 65 536 x 65 536 + 65 536 = 4 295 032 832 parameters: counted, not allocated.
        e = Assert.Throws<ArgumentException>(() => new Sequential(65536, [new Dense(65536)]));
        Assert.Equal("layer 0 (Dense) would have 4295032832 parameters, more than an array holds (Parameter 'layers')",
                     e.Message);
        Assert.Equal("units", Assert.Throws<ArgumentOutOfRangeException>(() => new Gru(0)).ParamName);
    }

    [Fact]
    public void AWorkspaceGrowsToTheLargestRequestAndIsReused()
    {
        float[] buffer = [];
        Assert.Equal(5, Layer.Workspace(ref buffer, 5).Length);
        var first = buffer;
        Assert.Equal(5, first.Length);
        Assert.Equal(3, Layer.Workspace(ref buffer, 3).Length);
        Assert.Same(first, buffer);
        Assert.Equal(5, Layer.Workspace(ref buffer, 5).Length);
        Assert.Same(first, buffer);
        Assert.Equal(6, Layer.Workspace(ref buffer, 6).Length);
        Assert.NotSame(first, buffer);
        long tooMany = Array.MaxLength + 1L;
        Assert.Equal($"a workspace of {tooMany} floats is too large",
                     Assert.Throws<ArgumentException>(() => Layer.Workspace(ref buffer, tooMany).Length).Message);
    }

    [Fact]
    public void KernelBlocksAreTheGatesColumnsSignedOrAbsolute()
    {
        // GRU(2) on 2 inputs: kernel (2, 6), gate blocks z, r, h of 2 columns each.
        var model = new Sequential(2, [new Gru(2)]);
        float[] kernel = [1, -2, 3, -4, 5, -6,
                          7, -8, 9, -10, 11, -12];
        kernel.CopyTo(model.Tensor(0, "kernel"));
        var gru = model.Layers[0];
        var parameters = model.LayerParameters(0);
        Assert.Equal(new double[,] { { 3, -4 }, { 9, -10 } }, gru.InputWeights(parameters, 1, absolute: false));
        Assert.Equal(new double[,] { { 5, 6 }, { 11, 12 } }, gru.InputWeights(parameters, 2, absolute: true));
        Assert.Equal(new double[,] { { 1, -2 }, { 7, -8 } }, gru.InputWeights(parameters, 0, absolute: false));
        foreach (int gate in new[] { -1, 3 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => gru.InputWeights(model.LayerParameters(0), gate,
                                                                                      false));
            Assert.Equal("gate", e.ParamName);
            Assert.StartsWith("the kernel has 3 gate blocks", e.Message);
        }
        var dropout = new Sequential(2, [new Dropout(0.1)]).Layers[0];
        Assert.StartsWith("Dropout has one block, the identity",
                          Assert.Throws<ArgumentOutOfRangeException>(() => dropout.InputWeights([], 1, false)).Message);
    }

    [Fact]
    public void OnlyADenseSigmoidOrSoftmaxHeadHasPreActivations()
    {
        var model = new Sequential(2, [new Lstm(2, returnSequences: true), new Dense(3, Activation.Sigmoid),
                                       Dense.WithSoftmax(3), new Dense(3, Activation.Tanh)]);
        var (lstm, sigmoid, softmax, tanh) = (model.Layers[0], model.Layers[1], model.Layers[2], model.Layers[3]);
        Assert.True(sigmoid.HasSigmoidLogits);
        Assert.False(sigmoid.HasSoftmaxLogits);
        Assert.True(softmax.HasSoftmaxLogits);
        Assert.False(softmax.HasSigmoidLogits);
        Assert.False(tanh.HasSigmoidLogits || tanh.HasSoftmaxLogits);
        Assert.False(lstm.HasSigmoidLogits || lstm.HasSoftmaxLogits);
        Assert.Equal("LSTM has no pre-activations",
                     Assert.Throws<NotSupportedException>(() => lstm.PreActivation(1).Length).Message);
        Assert.Equal("LSTM has no pre-activations",
                     Assert.Throws<NotSupportedException>(() =>
                         lstm.BackwardFromPreActivation([], [], [], [], [], 1)).Message);
    }

    /// <summary>A Dense layer's backward reads only a prefix's rows when each input gradient is one product: one
    /// unit, no softmax.</summary>
    [Fact]
    public void ADenseBacksOverAPrefixWithOneUnitOnly()
    {
        var model = new Sequential(2, [new Dense(1), new Dense(2), Dense.WithSoftmax(2), new Dense(1)]);
        Assert.True(model.Layers[0].BackwardOverPrefix(3));
        Assert.False(model.Layers[1].BackwardOverPrefix(3));
        Assert.False(model.Layers[2].BackwardOverPrefix(3));
        Assert.True(model.Layers[3].BackwardOverPrefix(8));
    }

    private static void AssertGlorot(ReadOnlySpan<float> kernel, int fanIn, int fanOut)
    {
        double limit = Math.Sqrt(6.0 / (fanIn + fanOut)), largest = 0;
        foreach (float w in kernel) largest = Math.Max(largest, Math.Abs(w));
        Assert.InRange(largest, 0.5 * limit, limit); // U(-l, l): the largest of many draws is near l
    }

    // Rows of U (H, G H) orthonormal: U Uᵀ = I.
    private static void AssertOrthonormalRows(ReadOnlySpan<float> u, int h, int columns)
    {
        for (int a = 0; a < h; a++)
            for (int b = 0; b < h; b++)
            {
                double dot = 0;
                for (int c = 0; c < columns; c++) dot += (double)u[a * columns + c] * u[b * columns + c];
                Assert.True(Math.Abs(dot - (a == b ? 1 : 0)) < 1e-5, $"row {a} . row {b} = {dot}");
            }
    }

    [Fact]
    public void InitialisationIsKerasDefaultForEveryParameterisedLayer()
    {
        const int f = 5, h = 4;
        var model = new Sequential(f, [new Lstm(h, returnSequences: true), new Gru(h, returnSequences: true),
                                       new Gru(h, returnSequences: true, resetAfter: false), new Dense(3)]);
        Array.Fill(model.Parameters, 7f); // whatever was there is overwritten
        model.Initialize(11);
        AssertGlorot(model.Tensor(0, "kernel"), f, 4 * h);
        AssertOrthonormalRows(model.Tensor(0, "recurrent_kernel"), h, 4 * h);
        // LSTM bias: Keras' unit_forget_bias, ones in block f, zeros elsewhere.
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0], model.Tensor(0, "bias").ToArray());
        for (int k = 1; k <= 2; k++)
        {
            AssertGlorot(model.Tensor(k, "kernel"), h, 3 * h);
            AssertOrthonormalRows(model.Tensor(k, "recurrent_kernel"), h, 3 * h);
            Assert.All(model.Tensor(k, "bias").ToArray(), b => Assert.Equal(0f, b));
        }
        Assert.Equal(2 * 3 * h, model.Tensor(1, "bias").Length);
        Assert.Equal(3 * h, model.Tensor(2, "bias").Length);
        AssertGlorot(model.Tensor(3, "kernel"), h, 3);
        Assert.All(model.Tensor(3, "bias").ToArray(), b => Assert.Equal(0f, b));
    }

    /// <summary>A pass's output does not depend on the passes before it: the workspaces (h_0 = 0 and c_0 = 0 among
    /// them) are reused, not trusted. A longer pass of one series first, then two series of fewer steps in the same
    /// buffers, against a fresh copy.</summary>
    [Fact]
    public void APassDoesNotDependOnTheOneBefore()
    {
        const int f = 2;
        Layer[] Layers() => [new Lstm(17, returnSequences: true), new Lstm(3, returnSequences: true),
                             new Gru(3, returnSequences: true), new Gru(3, returnSequences: true, resetAfter: false),
                             new Bidirectional(new Lstm(2)), new Dense(2)];
        var used = new Sequential(f, Layers());
        used.Initialize(3);
        var fresh = used.Clone();
        var rng = new RandomSource(8);
        var longer = new float[1 * 9 * f];
        rng.FillUniform(longer, -1, 1);
        used.Forward(new float[2], longer, 1, 9);
        var x = new float[2 * 3 * f];
        rng.FillUniform(x, -1, 1);
        float[] expected = new float[4], actual = new float[4];
        fresh.Forward(expected, x, 2, 3);
        used.Forward(actual, x, 2, 3);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void ACloneKeepsEveryLayersConfiguration()
    {
        var model = new Sequential(2, [new Lstm(2, returnSequences: true), Dense.WithSoftmax(3)]);
        model.Initialize(4);
        var clone = model.Clone();
        Assert.True(((Dense)clone.Layers[1]).Softmax);
        var x = new float[2 * 2 * 2];
        new RandomSource(2).FillUniform(x, -1, 1);
        float[] expected = new float[12], actual = new float[12];
        model.Forward(expected, x, 2, 2);
        clone.Forward(actual, x, 2, 2);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void AnLstmBackwardNeedsAForwardFirst()
    {
        var model = new Sequential(2, [new Lstm(2)]);
        Assert.Equal("Backward needs a Forward pass first",
                     Assert.Throws<InvalidOperationException>(() =>
                         model.Layers[0].Backward([], [], new float[2], new float[4], model.LayerParameters(0), 1,
                                                  2)).Message);
        var config = LayerRegistry.Config(LayerRegistry.Create(
            new System.Text.Json.Nodes.JsonObject { ["type"] = "LSTM", ["units"] = 2 }, "layer 0"));
        Assert.Equal("""{"type":"LSTM","units":2,"activation":"tanh","recurrent_activation":"sigmoid",""" +
                     "\"return_sequences\":false}", config.ToJsonString());
    }

    /// <summary>Bidirectional(LSTM(2)) on one input, concat: gate c's block is [W_f^c | W_b^c] (1, 4), and both copies
    /// are initialised (Keras' forget bias of ones in each).</summary>
    [Fact]
    public void ABidirectionalLayerConcatenatesItsCopiesBlocksAndInitialisesBoth()
    {
        var model = new Sequential(1, [new Bidirectional(new Lstm(2))]);
        Array.Fill(model.Parameters, 7f);
        model.Initialize(5);
        Assert.Equal([0, 0, 1, 1, 0, 0, 0, 0], model.Tensor(0, "forward.bias").ToArray());
        Assert.Equal([0, 0, 1, 1, 0, 0, 0, 0], model.Tensor(0, "backward.bias").ToArray());
        AssertGlorot(model.Tensor(0, "backward.kernel"), 1, 8);
        float[] forward = [1, 2, 3, 4, 5, -6, 7, 8], backward = [9, 10, 11, 12, -13, 14, 15, 16];
        forward.CopyTo(model.Tensor(0, "forward.kernel"));
        backward.CopyTo(model.Tensor(0, "backward.kernel"));
        var layer = model.Layers[0];
        Assert.Equal(new double[,] { { 5, -6, -13, 14 } }, layer.InputWeights(model.LayerParameters(0), 2, false));
        Assert.Equal(new double[,] { { 3, 4, 11, 12 } }, layer.InputWeights(model.LayerParameters(0), 1, true));
    }
}
