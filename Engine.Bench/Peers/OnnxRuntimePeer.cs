using Engine.Models;
using Microsoft.ML.OnnxRuntime;

namespace Engine.Bench.Peers;

/// <summary>
/// ONNX Runtime running a <see cref="Sequential"/> exported by <see cref="OnnxExport"/>: the .NET inference peer of W3
/// (batch 1) and W7 (batch 256). Input and output buffers are bound once (<see cref="OrtValue"/> over managed arrays),
/// so <see cref="Run"/> measures the runtime, not marshalling. <see cref="MaxDifference"/> checks that the peer
/// computes the same function as the engine before anything is timed.
/// </summary>
internal sealed class OnnxRuntimePeer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly OrtValue _input, _output;
    private readonly string[] _inputNames = ["x"], _outputNames = ["y"];
    private readonly OrtValue[] _inputs, _outputs;

    /// <summary>The output of the last <see cref="Run"/>: (batch, steps, units).</summary>
    public float[] Output { get; }

    public OnnxRuntimePeer(Sequential model, float[] input, int batch, int steps, int threads)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(OnnxExport.Write(model), options);
        Output = new float[batch * steps * model.OutputUnits];
        _input = OrtValue.CreateTensorValueFromMemory(input, [batch, steps, model.InputFeatures]);
        _output = OrtValue.CreateTensorValueFromMemory(Output, [batch, steps, model.OutputUnits]);
        _inputs = [_input];
        _outputs = [_output];
    }

    /// <summary>One inference into <see cref="Output"/>.</summary>
    public void Run() => _session.Run(_run, _inputNames, _inputs, _outputNames, _outputs);

    /// <summary>The largest |engine - ONNX Runtime| over the outputs of one forward pass of both.</summary>
    public static float MaxDifference(Sequential model, float[] input, int batch, int steps)
    {
        using var peer = new OnnxRuntimePeer(model, input, batch, steps, 1);
        peer.Run();
        var engine = new float[peer.Output.Length];
        model.Forward(engine, input, batch, steps);
        float max = 0;
        for (int i = 0; i < engine.Length; i++) max = Math.Max(max, Math.Abs(engine[i] - peer.Output[i]));
        return max;
    }

    /// <summary>Throws unless the peer agrees with the engine to 1e-4 (float32 roundoff over a 100-step
    /// recurrence stays far below it; a wrong gate order or transposed weight is far above it).</summary>
    public static void Check(Sequential model, float[] input, int batch, int steps)
    {
        float max = MaxDifference(model, input, batch, steps);
        if (!(max <= 1e-4f))
            throw new InvalidOperationException(
                $"ONNX Runtime peer differs from the engine by {max} (expected <= 1e-4)");
    }

    public void Dispose()
    {
        _input.Dispose();
        _output.Dispose();
        _run.Dispose();
        _session.Dispose();
    }
}
