using Engine.Kernels;
using Xunit;

namespace Engine.Tests.Kernels;

[Trait("Category", "Kernels")]
public class SmokeTests
{
    [Fact]
    public void AxpyAddsScaledVector()
    {
        float[] y = [1, 2, 3];
        Axpy.Run(2f, [1, 1, 1], y);
        Assert.Equal([3f, 4f, 5f], y);
    }
}
