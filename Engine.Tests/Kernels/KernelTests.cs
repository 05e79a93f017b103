using Engine.Kernels;
using Engine.Random;
using Engine.Tests.Reference;
using Xunit;

namespace Engine.Tests.Kernels;

/// <summary>
/// Every kernel's vector path against its scalar twin or a plain loop, on lengths that hit every branch of the
/// 512/256/128-bit ladder and its remainders. build.sh reruns this category with 256-bit vectors and with no
/// intrinsics. Elementwise kernels must agree exactly; reductions, whose summation order may differ, to a
/// relative 1e-5 of the sum of the magnitudes of their terms.
/// </summary>
[Trait("Category", "Kernels")]
public class KernelTests
{
    public static readonly int[] Lengths = [1, 7, 8, 15, 16, 17, 33, 65];

    private static float[] Random(int length, ulong seed, float low = -2f, float high = 2f)
    {
        var v = new float[length];
        new RandomSource(seed).FillUniform(v, low, high);
        return v;
    }

    // |actual - expected| <= 1e-5 * magnitude, where magnitude bounds the sum of |terms|.
    private static void Close(float expected, float actual, double magnitude, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-5 * magnitude, $"{what}: vector {actual:R}, scalar {expected:R}");

    private static void Close(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                        $"{what} [{i}]: vector {actual[i]:R}, scalar {expected[i]:R}");
    }

    [Fact]
    public void AxpyMatchesScalarExactly()
    {
        foreach (int n in Lengths)
        {
            var x = Random(n, 1);
            var y = Random(n, 2);
            var expected = (float[])y.Clone();
            Axpy.Scalar(-1.7f, x, expected);
            Axpy.Run(-1.7f, x, y);
            Assert.Equal(expected, y);
        }
    }

    [Fact]
    public void DotMatchesScalar()
    {
        foreach (int n in Lengths)
        {
            var x = Random(n, 3);
            var y = Random(n, 4);
            double magnitude = 0;
            for (int i = 0; i < n; i++) magnitude += Math.Abs(x[i] * y[i]);
            Close(Dot.Scalar(x, y), Dot.Run(x, y), magnitude, $"dot n={n}");
        }
    }

    private delegate void Product(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int k, int n);

    // Entries are at most 2 in magnitude, so |C| + 4 x (terms per element) bounds each element's sum of magnitudes.
    private static void CheckProduct(Product run, Product scalar, int aLength, int bLength, int cLength, int m, int k,
                                     int n, int terms, string name)
    {
        var a = Random(aLength, 5);
        var b = Random(bLength, 6);
        var c = Random(cLength, 7);
        var expected = (float[])c.Clone();
        scalar(expected, a, b, m, k, n);
        run(c, a, b, m, k, n);
        for (int i = 0; i < c.Length; i++) Close(expected[i], c[i], 2 + 4.0 * terms, $"{name} m={m} k={k} n={n} [{i}]");
    }

    [Fact]
    public void MatMulMatchesScalar()
    {
        foreach (int m in Lengths) foreach (int k in Lengths) foreach (int n in Lengths)
            CheckProduct(MatMul.Run, MatMul.Scalar, m * k, k * n, m * n, m, k, n, k, "C += AB");
    }

    [Fact]
    public void MatMulTransposedAMatchesScalar()
    {
        foreach (int m in Lengths) foreach (int k in Lengths) foreach (int n in Lengths)
            CheckProduct(MatMulTransposedA.Run, MatMulTransposedA.Scalar, m * k, m * n, k * n, m, k, n, m, "C += AᵀB");
    }

    [Fact]
    public void MatMulTransposedBMatchesScalar()
    {
        foreach (int m in Lengths) foreach (int k in Lengths) foreach (int n in Lengths)
            CheckProduct(MatMulTransposedB.Run, MatMulTransposedB.Scalar, m * k, n * k, m * n, m, k, n, k, "C += ABᵀ");
    }

    [Fact]
    public void ProductsAgreeWithATextbookLoopInDouble()
    {
        // The scalar twins could share a bug with their kernels; a plain double loop cannot.
        const int m = 7, k = 17, n = 8;
        var a = Random(m * k, 8);
        var b = Random(k * n, 9);
        var bt = Random(m * n, 10);
        float[] ab = new float[m * n], atb = new float[k * n], aat = new float[m * m];
        MatMul.Run(ab, a, b, m, k, n);
        MatMulTransposedA.Run(atb, a, bt, m, k, n);
        MatMulTransposedB.Run(aat, a, a, m, k, m);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)a[i * k + p] * b[p * n + j];
                Close((float)s, ab[i * n + j], 4.0 * k, $"AB [{i},{j}]");
            }
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int i = 0; i < m; i++) s += (double)a[i * k + p] * bt[i * n + j];
                Close((float)s, atb[p * n + j], 4.0 * m, $"AᵀB [{p},{j}]");
            }
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)a[i * k + p] * a[j * k + p];
                Close((float)s, aat[i * m + j], 4.0 * k, $"AAᵀ [{i},{j}]");
            }
    }

    [Fact]
    public void SumRowsMatchesScalar()
    {
        foreach (int m in Lengths) foreach (int n in Lengths)
        {
            var a = Random(m * n, 11);
            var acc = Random(n, 12);
            var expected = (float[])acc.Clone();
            SumRows.Scalar(expected, a, m, n);
            SumRows.Run(acc, a, m, n);
            for (int j = 0; j < n; j++) Close(expected[j], acc[j], 2.0 * (m + 1), $"sum rows m={m} n={n} [{j}]");
        }
    }

    [Fact]
    public void BroadcastRowsCopiesTheVectorIntoEveryRow()
    {
        foreach (int m in Lengths) foreach (int n in Lengths)
        {
            var v = Random(n, 13);
            var a = Random(m * n, 14);
            BroadcastRows.Run(a, v, m, n);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) Assert.Equal(v[j], a[i * n + j]);
        }
    }

    [Fact]
    public void TransposeBatchTimeSwapsTheFirstTwoAxes()
    {
        foreach (int a in Lengths[..5]) foreach (int b in Lengths[..5]) foreach (int w in Lengths)
        {
            var src = Random(a * b * w, 15);
            var dst = new float[src.Length];
            TransposeBatchTime.Run(dst, src, a, b, w);
            for (int i = 0; i < a; i++)
                for (int j = 0; j < b; j++)
                    for (int k = 0; k < w; k++) Assert.Equal(src[(i * b + j) * w + k], dst[(j * a + i) * w + k]);
            var back = new float[src.Length];
            TransposeBatchTime.Run(back, dst, b, a, w);
            Assert.Equal(src, back);
        }
    }

    public static TheoryData<Activation> AllActivations() => [.. Generators.AllActivations];

    // Random arguments plus the points where the activations change branch or saturate.
    private static float[] ActivationInputs(int n, ulong seed)
    {
        var x = Random(n, seed, -6f, 6f);
        float[] special = [0f, -0f, 2.5f, -2.5f, 30f, -30f, 1e-3f, -1e-3f, 100f, -100f, 3f, -3f];
        for (int i = 0; i < Math.Min(n, special.Length); i++) x[i * 7 % n] = special[i];
        return x;
    }

    [Theory]
    [MemberData(nameof(AllActivations))]
    public void ActivationsForwardMatchesScalar(Activation f)
    {
        foreach (int n in Lengths)
        {
            var x = ActivationInputs(n, 16);
            var expected = new float[n];
            var y = new float[n];
            Activations.ForwardScalar(f, x, expected);
            Activations.Forward(f, x, y);
            // The piecewise-linear ones are exact (the same operations on every width, hard_sigmoid's multiply-add
            // fused everywhere); sigmoid and tanh run TensorPrimitives' exp against MathF.Exp.
            double tolerance = f is Activation.Sigmoid or Activation.Tanh ? 1e-6 : 0;
            Close(expected, y, tolerance, $"{f.Name()} n={n}");
            Activations.Forward(f, x, x); // in place
            Assert.Equal(y, x);
        }
    }

    [Theory]
    [MemberData(nameof(AllActivations))]
    public void ActivationGradientFromOutputMatchesScalar(Activation f)
    {
        foreach (int n in Lengths)
        {
            var y = ActivationInputs(n, 17);
            Activations.ForwardScalar(f, y, y); // a valid forward output
            var dy = Random(n, 18);
            var expected = new float[n];
            var dx = new float[n];
            ActivationGradient.FromOutputScalar(f, y, dy, expected);
            ActivationGradient.FromOutput(f, y, dy, dx);
            Close(expected, dx, f is Activation.Tanh or Activation.Sigmoid ? 1e-6 : 0, $"{f.Name()}' n={n}");
            ActivationGradient.FromOutput(f, y, dy, dy); // dx may alias dy
            Assert.Equal(dx, dy);
        }
    }

    [Fact]
    public void ActivationGradientIsTheDerivative()
    {
        // f'(x) through y = f(x) against central differences of the double definitions, away from kinks.
        // 2.75 lies past Keras 2's hard_sigmoid kink (2.5) and before Keras 3's (3).
        float[] x = [-3.5f, -1f, 0.5f, 2.75f, 3.5f];
        foreach (var f in Enum.GetValues<Activation>())
        {
            var y = new float[x.Length];
            Activations.ForwardScalar(f, x, y);
            var dx = new float[x.Length];
            ActivationGradient.FromOutput(f, y, [1f, 1f, 1f, 1f, 1f], dx);
            for (int i = 0; i < x.Length; i++)
            {
                double h = 1e-4,
                fd = (ReferenceNetwork.Activate(f, x[i] + h) - ReferenceNetwork.Activate(f, x[i] - h)) / (2 * h);
                Assert.True(Math.Abs(dx[i] - fd) < 1e-5, $"{f.Name()}'({x[i]}): {dx[i]} vs {fd}");
            }
        }
    }

    public static TheoryData<Activation, Activation> ActivationPairs() =>
        Models.GradientPropertyTests.ActivationPairs();

    [Theory]
    [MemberData(nameof(ActivationPairs))]
    public void LstmCellForwardAndBackwardMatchScalar(Activation activation, Activation recurrent)
    {
        foreach (int h in Lengths)
        {
            var z = Random(4 * h, 19, -4f, 4f);
            var cPrev = Random(h, 20);
            float[] gates = (float[])z.Clone(), c = new float[h], s = new float[h], hOut = new float[h];
            float[] gatesS = (float[])z.Clone(), cS = new float[h], sS = new float[h], hS = new float[h];
            LstmCell.ForwardScalar(gatesS, cS, sS, hS, cPrev, activation, recurrent, h);
            LstmCell.Forward(gates, c, s, hOut, cPrev, activation, recurrent, h);
            string what = $"{activation.Name()}/{recurrent.Name()} H={h}";
            Close(gatesS, gates, 1e-6, "gates " + what);
            Close(cS, c, 1e-6, "c " + what);
            Close(sS, s, 1e-6, "a(c) " + what);
            Close(hS, hOut, 1e-6, "h " + what);

            var dh = Random(h, 21);
            var dcNext = Random(h, 22);
            float[] dz = new float[4 * h], dc = (float[])dcNext.Clone(), dzS = new float[4 * h],
            dcS = (float[])dcNext.Clone();
            LstmCell.BackwardScalar(dzS, dcS, dh, gatesS, cPrev, sS, activation, recurrent, h);
            LstmCell.Backward(dz, dc, dh, gatesS, cPrev, sS, activation, recurrent, h);
            Close(dzS, dz, 1e-5, "dz " + what);
            Close(dcS, dc, 1e-5, "dc_prev " + what);
        }
    }

    [Fact]
    public void AdamUpdateMatchesScalar()
    {
        foreach (int n in Lengths)
        {
            var g = Random(n, 23);
            var p = Random(n, 24);
            var m = Random(n, 25, -0.1f, 0.1f);
            var v = Random(n, 26, 0f, 0.1f);
            // Moments about to decay below the flush threshold, on lanes of every path.
            for (int i = 0; i < n; i += 5) { g[i] = 0f; m[i] = 1e-31f; v[i] = 1e-31f; }
            float[] pS = (float[])p.Clone(), mS = (float[])m.Clone(), vS = (float[])v.Clone();
            AdamUpdate.Scalar(pS, mS, vS, g, 0.01f, 0.9f, 0.999f, 1e-7f);
            AdamUpdate.Run(p, m, v, g, 0.01f, 0.9f, 0.999f, 1e-7f);
            Close(mS, m, 1e-6, $"adam m n={n}");
            Close(vS, v, 1e-6, $"adam v n={n}");
            Close(pS, p, 1e-6, $"adam p n={n}");
            for (int i = 0; i < n; i += 5) Assert.Equal((0f, 0f), (m[i], v[i]));
        }
    }
}
