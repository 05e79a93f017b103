using System.Runtime.Intrinsics;

namespace Engine.Kernels;

/// <summary>
/// The widest vectors the kernels use on this machine and runtime setting: 512, 256 or 128 bits, or 0 (scalars).
/// Every kernel picks its path with the same ladder (Vector512, then Vector256, then Vector128 IsHardwareAccelerated);
/// <c>DOTNET_PreferredVectorBitWidth=256</c> or <c>128</c> caps it (the runtime then reports the wider types as not
/// accelerated, though the instruction sets stay available), <c>DOTNET_EnableHWIntrinsic=0</c> turns it off.
/// The kernel tests read it to know which path they are testing.
/// </summary>
internal static class VectorPath
{
    /// <summary>512, 256, 128 or 0.</summary>
    public static int Width =>
        Vector512.IsHardwareAccelerated ? 512 :
        Vector256.IsHardwareAccelerated ? 256 :
        Vector128.IsHardwareAccelerated ? 128 : 0;
}
