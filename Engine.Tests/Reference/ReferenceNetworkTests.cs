using Engine.Kernels;
using Xunit;

namespace Engine.Tests.Reference;

/// <summary>The reference itself against numbers worked out from the equations (with Python's math module).</summary>
public class ReferenceNetworkTests
{
    // F = 1, H = 1, T = 2: W = (i 0.5, f -0.5, c 1, o 0.25), U = (0.1, 0.2, 0.3, 0.4), b = (0, 1, 0, 0), x = (1, 2);
    // then Dense(1, sigmoid) with K = 2, b = -1. Distinct values per gate pin the i, f, c, o column order.
    private static readonly double[] Parameters = [0.5, -0.5, 1.0, 0.25, 0.1, 0.2, 0.3, 0.4, 0, 1, 0, 0, 2, -1];

    [Fact]
    public void OneUnitLstmMatchesHandComputedSteps()
    {
        var net = new ReferenceNetwork(1, [new LstmSpec(1, Activation.Tanh, Activation.Sigmoid, true)], null);
        var h = net.Forward(Parameters[..12], [1.0, 2.0], 1, 2);
        Assert.Equal(0.24818686717764854, h[0], 12);
        Assert.Equal(0.4792555815312922, h[1], 12);
    }

    [Fact]
    public void DenseHeadAppliesToTheLastStep()
    {
        var net = new ReferenceNetwork(1, [new LstmSpec(1, Activation.Tanh, Activation.Sigmoid, false)],
                                       new DenseSpec(1, Activation.Sigmoid));
        Assert.Equal(14, net.ParameterCount);
        var y = net.Forward(Parameters, [1.0, 2.0], 1, 2);
        Assert.Equal(0.48962927833695746, Assert.Single(y), 12);
    }

    // GRU, F = 1, H = 1, T = 2: W = (z 0.5, r -0.5, h 1), U = (0.1, 0.2, 0.3), input bias b = (0, 1, 0.5), recurrent
    // bias
    // b' = (-0.2, 0.1, 0.4) (reset_after only), x = (1, 2), tanh / sigmoid; h_t worked out with Python's math module.
    private static readonly double[] GruKernels = [0.5, -0.5, 1.0, 0.1, 0.2, 0.3, 0, 1, 0.5];

    [Theory]
    [InlineData(true, 0.40100649089046597, 0.5793153459416226)]
    [InlineData(false, 0.3417302770425562, 0.5112188324711611)]
    public void OneUnitGruMatchesHandComputedSteps(bool resetAfter, double h1, double h2)
    {
        var net = new ReferenceNetwork(1, [new GruSpec(1, Activation.Tanh, Activation.Sigmoid, true, resetAfter)],
                                       null);
        double[] p = resetAfter ? [.. GruKernels, -0.2, 0.1, 0.4] : GruKernels;
        Assert.Equal(p.Length, net.ParameterCount);
        var h = net.Forward(p, [1.0, 2.0], 1, 2);
        Assert.Equal(h1, h[0], 12);
        Assert.Equal(h2, h[1], 12);
    }
}
