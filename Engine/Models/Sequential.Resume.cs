using Engine.Layers;

namespace Engine.Models;

// Forward passes resumed after a step: a perturbation that starts at step s leaves every layer's outputs and states
// before s unchanged, so a pass of the perturbed copy can start at s from the unperturbed pass's states.
public sealed partial class Sequential
{
    /// <summary>
    /// Whether a forward pass can resume after a step (<see cref="PredictFrom"/>): every layer that reads a sequence
    /// <see cref="Layer.ResumesForward"/> (the layers after the last step is taken run in full on one row per series).
    /// False for a model with a backward-in-time direction (Bidirectional) or a Flatten.
    /// </summary>
    internal bool CanResume
    {
        get
        {
            foreach (var layer in _layers)
                if (layer.InputIsSequence && !layer.ResumesForward) return false;
            return true;
        }
    }

    /// <summary>Floats of state per series after a step: the layers' <see cref="Layer.StateSize"/>.</summary>
    internal int StateSize
    {
        get
        {
            int size = 0;
            foreach (var layer in _layers) if (layer.InputIsSequence) size += layer.StateSize;
            return size;
        }
    }

    /// <summary>
    /// The latest step s ≤ <paramref name="start"/> at which a pass over <paramref name="batch"/> series of
    /// <paramref name="steps"/> steps resumes with every row computed as the full pass does (every sequence layer's
    /// <see cref="Layer.ResumesAt"/>); 0: none, run the full pass.
    /// </summary>
    internal int ResumeStep(int batch, int steps, int start)
    {
        if (!CanResume) return 0;
        for (int s = Math.Min(start, steps - 1); s > 0; s--)
        {
            bool all = true;
            foreach (var layer in _layers) all &= !layer.InputIsSequence || layer.ResumesAt(batch, steps, s);
            if (all) return s;
        }
        return 0;
    }

    /// <summary>
    /// <see cref="Predict"/>, and each batch's states after every step but the last into <paramref name="states"/>
    /// (the layers keep their states, <see cref="ForwardMode.Record"/>, and nothing for a backward pass),
    /// count x (T - 1) x <see cref="StateSize"/> floats: the batch of series [n0, n0 + b) at n0 (T - 1) S, step t's
    /// block (b S floats) at t b S within it, each layer's (b, its StateSize) in layer order within that.
    /// </summary>
    internal void PredictRecording(Span<float> output, Span<float> states, ReadOnlySpan<float> input, int count,
                                   int steps, int batchSize = 256)
    {
        int size = StateSize;
        if (!CanResume) throw new InvalidOperationException("this model cannot resume a forward pass");
        if (states.Length != (long)count * (steps - 1) * size)
            throw new ArgumentException($"states must hold {(long)count * (steps - 1) * size} values", nameof(states));
        int perIn = steps * InputFeatures, perOut = OutputsPerSeries(steps);
        for (int n0 = 0; n0 < count; n0 += batchSize)
        {
            int b = Math.Min(batchSize, count - n0);
            Pass(output.Slice(n0 * perOut, b * perOut), input.Slice(n0 * perIn, b * perIn), b, steps,
                 ForwardMode.Record);
            for (int t = 0; t + 1 < steps; t++)
            {
                var block = states.Slice((n0 * (steps - 1) + t * b) * size, b * size);
                foreach (var layer in _layers)
                {
                    if (!layer.InputIsSequence || layer.StateSize == 0) continue;
                    layer.State(block[..(b * layer.StateSize)], b, t);
                    block = block[(b * layer.StateSize)..];
                }
            }
        }
    }

    /// <summary>
    /// The predictions (N, OutputsPerSeries(T)) of <paramref name="input"/>, an input equal to the recorded one
    /// before step <paramref name="start"/>, from <paramref name="recorded"/> (<see cref="PredictRecording"/> of the
    /// same model and parameters), in its batches: each batch resumes at <see cref="ResumeStep"/> from the recorded
    /// states after the step before, with the recorded outputs of the steps before; a batch that cannot resume runs the
    /// full pass. The same values as <see cref="Predict"/>, bit for bit. Leaves no pass to run backward from.
    /// </summary>
    internal void PredictFrom(Span<float> output, ReadOnlySpan<float> input, RecordedPass recorded, int start)
    {
        int count = recorded.Count, steps = recorded.Steps, size = StateSize, batchSize = recorded.BatchSize;
        CheckBatch(input, count, steps);
        int perIn = steps * InputFeatures, perOut = OutputsPerSeries(steps);
        for (int n0 = 0; n0 < count; n0 += batchSize)
        {
            int b = Math.Min(batchSize, count - n0), s = ResumeStep(b, steps, start);
            var y = output.Slice(n0 * perOut, b * perOut);
            var x = input.Slice(n0 * perIn, b * perIn);
            if (s == 0) { Pass(y, x, b, steps, ForwardMode.Predict); continue; }
            var state = recorded.States.AsSpan((n0 * (steps - 1) + (s - 1) * b) * size, b * size);
            ForwardFrom(y, x, state, recorded.Predictions.AsSpan(n0 * perOut, b * perOut), b, steps, s);
        }
    }

    // One batch resumed at step s: the input's steps s.. time-major, each sequence layer from its state, the layers
    // after the last step in full; the output's steps before s are the recorded ones.
    private void ForwardFrom(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> state,
                             ReadOnlySpan<float> recorded, int batch, int steps, int s)
    {
        int f = InputFeatures, rest = steps - s;
        var x = Grow(ref _inputTime, rest * batch * f);
        for (int n = 0; n < batch; n++)
            for (int t = s; t < steps; t++)
                input.Slice((n * steps + t) * f, f).CopyTo(x.Slice(((t - s) * batch + n) * f, f));
        ReadOnlySpan<float> current = x;
        for (int k = 0; k < _layers.Length; k++)
        {
            var layer = _layers[k];
            var y = Grow(ref _activations[k], (layer.OutputIsSequence ? rest * batch : batch) * layer.OutputSize);
            if (!layer.InputIsSequence)
                layer.Forward(y, current, LayerParameters(k), batch, steps, ForwardMode.Predict);
            else
            {
                int width = batch * layer.StateSize;
                layer.ForwardFrom(y, current, state[..width], LayerParameters(k), batch, steps, s);
                state = state[width..];
            }
            current = y;
        }
        _lastBatch = 0; // layers hold only the resumed steps: no backward pass from here
        if (!OutputsSequence) { current.CopyTo(output); return; }
        int o = OutputUnits, perOut = steps * o;
        for (int n = 0; n < batch; n++)
        {
            recorded.Slice(n * perOut, s * o).CopyTo(output.Slice(n * perOut, s * o));
            for (int t = s; t < steps; t++)
                current.Slice(((t - s) * batch + n) * o, o).CopyTo(output.Slice(n * perOut + t * o, o));
        }
    }
}

/// <summary>
/// A full pass recorded for resumed passes (<see cref="Sequential.PredictRecording"/>): the predictions
/// (N, OutputsPerSeries(T)) and every batch's states after each step but the last.
/// </summary>
internal sealed class RecordedPass
{
    private RecordedPass(float[] predictions, float[] states, int count, int steps, int batchSize)
    {
        Predictions = predictions;
        States = states;
        Count = count;
        Steps = steps;
        BatchSize = batchSize;
    }

    /// <summary>Whether <see cref="Record"/> records (false: every caller runs full passes; tests and the bench
    /// compare the two).</summary>
    internal static bool Enabled { get; set; } = true;

    public float[] Predictions { get; }
    public float[] States { get; }
    public int Count { get; }
    public int Steps { get; }
    /// <summary>Series per batch of the pass (<see cref="Sequential.Predict"/>'s batch size).</summary>
    public int BatchSize { get; }

    /// <summary>The pass of <paramref name="model"/> over <paramref name="input"/> (N, T, F), recorded; null when the
    /// model cannot resume (<see cref="Sequential.CanResume"/>), has one step, or its states would not fit in an
    /// array.</summary>
    public static RecordedPass? Record(Sequential model, ReadOnlySpan<float> input, int count, int steps,
                                       int batchSize = 256)
    {
        long length = (long)count * (steps - 1) * model.StateSize;
        if (!Enabled || !model.CanResume || steps < 2 || length > Array.MaxLength) return null;
        var predictions = new float[count * model.OutputsPerSeries(steps)];
        var states = new float[length];
        model.PredictRecording(predictions, states, input, count, steps, batchSize);
        return new RecordedPass(predictions, states, count, steps, batchSize);
    }
}
