using Engine.Kernels;
using Engine.Layers;
using Engine.Random;
using Xunit;

namespace Engine.Tests.Kernels;

/// <summary>
/// The whole-time-loop kernel for small layers (<see cref="LstmSequence"/>) against its twin, the general path
/// (GemmPacked products and the fused gate kernels, themselves tested against the scalar twins): forward output,
/// parameter gradients and dL/dx, for every input width of the remainder lengths and unit counts up to 16.
/// Under forced 256-bit or scalar runs both layers take the general path.
/// </summary>
[Trait("Category", "Kernels")]
public class LstmSequenceTests
{
    public static readonly TheoryData<int> Lengths = [1, 7, 8, 15, 16, 17, 33, 65];

    private static readonly (Activation A, Activation R)[] Pairs =
        [(Activation.Relu, Activation.Sigmoid), (Activation.Tanh, Activation.HardSigmoid),
         (Activation.Sigmoid, Activation.Sigmoid), (Activation.Linear, Activation.Tanh)];

    private static float[] Random(int n, RandomSource rng, float scale)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rng.Uniform(-scale, scale);
        return a;
    }

    // Relative to the largest value: the two paths sum in different orders, and with a linear cell activation the
    // values grow large enough that a small gradient entry is a difference of large terms.
    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        float scale = 1 + expected.Max(MathF.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 5e-5f * scale,
                        $"{what}[{i}]: expected {expected[i]}, got {actual[i]} (scale {scale})");
    }

    // The small path needs 512-bit vectors: where the runtime has them (the default run on this machine) it must be the
    // one taken; under DOTNET_PreferredVectorBitWidth=256 or without intrinsics the layer must fall back to the general
    // path.
    private static void AssertSmallPathTaken(Lstm layer) =>
        Assert.IsType(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated
                          ? typeof(LstmSmallPath) : typeof(LstmGemmPath), layer.LastPath);

    [Theory, MemberData(nameof(Lengths))]
    public void MatchesTheGeneralPath(int inputs)
    {
        // every layout: batch in lanes, rows of 1, 2 (i f o packed or not) and 4 vectors (likewise)
        foreach (int units in new[] { 1, 3, 5, 8, 10, 16 })
        {
            // one stream per shape: adding a shape leaves the others' draws
            var rng = new RandomSource((ulong)(100 * inputs + units));
            foreach (var (a, r) in Pairs)
                foreach (bool sequences in new[] { true, false })
                    // one unit: blocks of 4, 8 and 16 rows, the last one partial
                    foreach (int batch in new[] { 1, 3, 5, 18 })
                    {
                        int steps = batch < 5 ? 3 : 4; // T N odd and even (rows go two at a time, then one)
                        var general = new Lstm(units, a, r, sequences) { UseSequenceKernel = false };
                        var small = new Lstm(units, a, r, sequences);
                        general.Bind(inputs, true, 0);
                        small.Bind(inputs, true, 0);
                        var parameters = Random(general.ParameterCount, rng, 0.6f);
                        var x = Random(steps * batch * inputs, rng, 1.5f);
                        int outLength = (sequences ? steps : 1) * batch * units;
                        float[] y0 = new float[outLength], y1 = new float[outLength];
                        general.Forward(y0, x, parameters, batch, steps, ForwardMode.KeepForBackward);
                        small.Forward(y1, x, parameters, batch, steps, ForwardMode.KeepForBackward);
                        // the comparison means nothing unless each path ran
                        Assert.IsType<LstmGemmPath>(general.LastPath);
                        AssertSmallPathTaken(small);
                        string what = $"F={inputs} H={units} {a}/{r} seq={sequences} N={batch}";
                        AssertClose(y0, y1, $"y {what}");

                        var dy = Random(outLength, rng, 1f);
                        var start = Random(parameters.Length, rng, 1f); // gradients are added to what is there
                        float[] g0 = (float[])start.Clone(), g1 = (float[])start.Clone();
                        float[] dx0 = new float[x.Length], dx1 = Random(x.Length, rng, 9f); // dx is overwritten
                        general.Backward(dx0, g0, dy, x, parameters, batch, steps);
                        small.Backward(dx1, g1, dy, x, parameters, batch, steps);
                        AssertClose(g0, g1, $"gradients {what}");
                        AssertClose(dx0, dx1, $"dx {what}");

                        float[] g2 = (float[])start.Clone();
                        small.Backward([], g2, dy, x, parameters, batch, steps); // no dx wanted: same gradients
                        AssertClose(g0, g2, $"gradients without dx {what}");
                    }
        }
    }

    [Fact]
    public void ALayerBoundAgainMatchesTheGeneralPath()
    {
        // The padded and transposed weight copies are laid out once per input width and reused: a layer bound again to
        // another width
        // (smaller workspaces reused, larger ones grown) must still match the general path.
        var rng = new RandomSource(11);
        var small = new Lstm(10, Activation.Relu, Activation.Sigmoid, returnSequences: true);
        foreach (int inputs in new[] { 17, 5 })
        {
            var general = new Lstm(10, Activation.Relu, Activation.Sigmoid,
                                   returnSequences: true)
            { UseSequenceKernel = false };
            general.Bind(inputs, true, 0);
            small.Bind(inputs, true, 0);
            var parameters = Random(general.ParameterCount, rng, 0.6f);
            var x = Random(3 * 2 * inputs, rng, 1f);
            var dy = Random(3 * 2 * 10, rng, 1f);
            float[] y0 = new float[dy.Length], y1 = new float[dy.Length], g0 = new float[parameters.Length],
            g1 = new float[parameters.Length];
            float[] dx0 = new float[x.Length], dx1 = new float[x.Length];
            general.Forward(y0, x, parameters, 2, 3, ForwardMode.KeepForBackward);
            small.Forward(y1, x, parameters, 2, 3, ForwardMode.KeepForBackward);
            Assert.IsType<LstmGemmPath>(general.LastPath);
            AssertSmallPathTaken(small);
            general.Backward(dx0, g0, dy, x, parameters, 2, 3);
            small.Backward(dx1, g1, dy, x, parameters, 2, 3);
            AssertClose(g0, g1, $"gradients, F={inputs}");
            AssertClose(dx0, dx1, $"dx, F={inputs}");
        }
    }

    [Fact]
    public void ParametersChangedBetweenCallsAreSeen()
    {
        // Importance methods edit weights in place (e.g. zero a kernel row) and predict again: the padded copies must
        // follow.
        var layer = new Lstm(10, Activation.Relu, Activation.Sigmoid, returnSequences: true);
        var reference = new Lstm(10, Activation.Relu, Activation.Sigmoid,
                                 returnSequences: true)
        { UseSequenceKernel = false };
        layer.Bind(3, true, 0);
        reference.Bind(3, true, 0);
        var rng = new RandomSource(3);
        var parameters = Random(layer.ParameterCount, rng, 0.6f);
        var x = Random(10 * 2 * 3, rng, 1f);
        float[] y0 = new float[10 * 2 * 10], y1 = new float[y0.Length];
        layer.Forward(y1, x, parameters, 2, 10, ForwardMode.KeepForBackward);
        parameters.AsSpan(40, 40).Clear(); // kernel row of input 1
        reference.Forward(y0, x, parameters, 2, 10, ForwardMode.KeepForBackward);
        layer.Forward(y1, x, parameters, 2, 10, ForwardMode.KeepForBackward);
        AssertSmallPathTaken(layer);
        Assert.IsType<LstmGemmPath>(reference.LastPath);
        AssertClose(y0, y1, "y after zeroing a kernel row");
    }
}
