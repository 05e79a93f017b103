using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Optimizers;
using Engine.Random;

namespace Engine.Models;

/// <summary>
/// A stack of layers over series of shape (N, T, F), batch-major as users hold them. One flat parameter
/// buffer and one flat gradient buffer hold every layer's tensors as named slices, so the optimizer,
/// model files and the connection-weight methods all read the same memory.
/// Output per series: (T, O) when the last layer outputs a sequence, (O) otherwise; with
/// <see cref="Flatten"/> the (T, O) output is reported as T x O values, as Keras' Flatten does.
/// A model instance is not thread-safe (layers keep workspaces); use <see cref="Clone"/> per thread.
/// </summary>
public sealed partial class Sequential
{
    private readonly Layer[] _layers;
    private float[] _inputTime = [], _targetTime = [], _outputGrad = [], _gradA = [], _gradB = [];
    private float[][] _activations;
    // each layer's slice of the flat buffers, cached (Layer.Tensors builds a list)
    private readonly int[] _offsets, _counts;
    private int _lastBatch, _lastSteps;

    /// <summary>The largest model this engine builds, in parameters (1 GiB of floats in each flat buffer).</summary>
    internal const int MaxParameters = 1 << 28;

    /// <summary>Builds the model and binds every layer's slice; call <see cref="Initialize"/> before
    /// training.</summary>
    public Sequential(int inputFeatures, IEnumerable<Layer> layers, bool flatten = false)
    {
        _layers = layers.ToArray();
        int count = Bind(inputFeatures, _layers, flatten);
        InputFeatures = inputFeatures;
        Flatten = flatten;
        OutputsSequence = _layers[^1].OutputIsSequence;
        _offsets = _layers.Select(l => l.ParameterOffset).ToArray();
        _counts = _layers.Select(l => l.ParameterCount).ToArray();
        Parameters = new float[count];
        Gradients = new float[count];
        _activations = new float[_layers.Length][];
        for (int k = 0; k < _layers.Length; k++) _activations[k] = [];
    }

    /// <summary>
    /// Binds <paramref name="layers"/> in order to an input of <paramref name="inputFeatures"/> features per step and
    /// to
    /// consecutive slices of the flat buffers, without allocating them; returns the parameter count. Throws
    /// <see cref="ArgumentException"/> naming the layer that does not fit (a recurrent layer after one that returns
    /// only
    /// the last step, a model over <see cref="MaxParameters"/>, flatten without a sequence output).
    /// </summary>
    internal static int Bind(int inputFeatures, IReadOnlyList<Layer> layers, bool flatten)
    {
        Check.Positive(inputFeatures, nameof(inputFeatures));
        if (layers.Count == 0) throw new ArgumentException("a model needs at least one layer", nameof(layers));
        if (layers.Distinct().Count() != layers.Count)
            throw new ArgumentException("a layer instance may appear only once", nameof(layers));
        int width = inputFeatures;
        long offset = 0;
        bool sequence = true;
        for (int k = 0; k < layers.Count; k++)
        {
            try { layers[k].Bind(width, sequence, (int)offset); }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"layer {k} ({layers[k].TypeName}) {e.Message}",
                                                                      nameof(layers));
            }
            offset += layers[k].ParameterCount;
            if (offset > MaxParameters)
                throw new ArgumentException($"the model has over {MaxParameters} parameters, more than this engine " +
                                            $"builds", nameof(layers));
            width = layers[k].OutputSize;
            sequence = layers[k].OutputIsSequence;
        }
        if (flatten && !sequence)
            throw new ArgumentException("flatten applies to a sequence output; the last layer returns only the last " +
                                        "step", nameof(flatten));
        return (int)offset;
    }

    /// <summary>F, the number of input features per step.</summary>
    public int InputFeatures { get; }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>Whether the model has one output row per step.</summary>
    public bool OutputsSequence { get; }

    /// <summary>Whether a sequence output is shown flattened to (N, T x O).</summary>
    public bool Flatten { get; }

    /// <summary>O, the values per output row of the last layer.</summary>
    public int OutputUnits => _layers[^1].OutputSize;

    /// <summary>All parameters, layer after layer, each layer's tensors in <see cref="Layer.Tensors"/> order.</summary>
    public float[] Parameters { get; }

    /// <summary>dL/d(parameters), same layout as <see cref="Parameters"/>; backward adds into it.</summary>
    public float[] Gradients { get; }

    /// <summary>Total number of parameters.</summary>
    public int ParameterCount => Parameters.Length;

    /// <summary>Values the model outputs per series of <paramref name="steps"/> steps.</summary>
    public int OutputsPerSeries(int steps) => (OutputsSequence ? steps : 1) * OutputUnits;

    /// <summary>Layer k's slice of <see cref="Parameters"/>.</summary>
    internal Span<float> LayerParameters(int k) => Parameters.AsSpan(_offsets[k], _counts[k]);

    /// <summary>Layer k's slice of <see cref="Gradients"/>.</summary>
    internal Span<float> LayerGradients(int k) => Gradients.AsSpan(_offsets[k], _counts[k]);

    /// <summary>A named tensor of layer k (kernel, recurrent_kernel, bias).</summary>
    public Span<float> Tensor(int k, string name)
    {
        var t = _layers[k].Tensors.FirstOrDefault(t => t.Name == name)
                ?? throw new ArgumentException($"layer {k} ({_layers[k].TypeName}) has no tensor '{name}'; it has " +
                                               $"{string.Join(", ", _layers[k].Tensors.Select(t => t.Name))}",
                                               nameof(name));
        return LayerParameters(k).Slice(t.Offset, t.Length);
    }

    /// <summary>Keras' default initialisation of every layer, from one seed.</summary>
    public void Initialize(ulong seed)
    {
        var rng = new RandomSource(seed);
        for (int k = 0; k < _layers.Length; k++) _layers[k].Initialize(LayerParameters(k), rng);
    }

    /// <summary>A copy with the same architecture and parameters and its own workspaces.</summary>
    public Sequential Clone()
    {
        var copy = new Sequential(InputFeatures, _layers.Select(l => l.CloneUnbound()), Flatten);
        Parameters.CopyTo(copy.Parameters, 0);
        return copy;
    }

    /// <summary>A fresh, uninitialised model of the same layers over <paramref name="inputFeatures"/> inputs per
    /// step.</summary>
    internal Sequential WithInputs(int inputFeatures) =>
        new(inputFeatures, _layers.Select(l => l.CloneUnbound()), Flatten);

    /// <summary>Forward pass: input (N, T, F) batch-major, output (N, OutputsPerSeries(T)). Keeps what backward
    /// needs (<see cref="Predict"/> computes the same outputs and keeps nothing).</summary>
    public void Forward(Span<float> output, ReadOnlySpan<float> input, int batch, int steps) =>
        Pass(output, input, batch, steps, ForwardMode.KeepForBackward);

    // One batch's pass, the layers keeping what the mode says (Backward may follow only a mode that keeps for it).
    private void Pass(Span<float> output, ReadOnlySpan<float> input, int batch, int steps, ForwardMode mode)
    {
        CheckBatch(input, batch, steps);
        if (output.Length != batch * OutputsPerSeries(steps))
            throw new ArgumentException($"output must hold (N={batch}, {OutputsPerSeries(steps)}) = " +
                                        $"{batch * OutputsPerSeries(steps)} values, but has {output.Length}",
                                        nameof(output));
        ForwardTimeMajor(ToTimeMajor(input, batch, steps), batch, steps, mode);
        FromTimeMajor(output, LastActivation(batch, steps), batch, steps);
    }

    /// <summary>
    /// Backward pass after <see cref="Forward"/>: from dL/d(output) (N, OutputsPerSeries(T)) adds the parameter
    /// gradients into <see cref="Gradients"/> and writes dL/d(input) (N, T, F) into <paramref name="dInput"/>
    /// (pass an empty span to skip it).
    /// </summary>
    public void Backward(Span<float> dInput, ReadOnlySpan<float> dOutput) => BackwardCore(dInput, dOutput, true);

    /// <summary>
    /// <see cref="Backward"/> for dL/d(input) only: no layer computes its parameter gradients (<see cref="Gradients"/>
    /// is left as it was). dInput is bit for bit that of <see cref="Backward"/>: the weight gradients are products
    /// after each layer's loop over steps, which dInput never reads.
    /// </summary>
    internal void BackwardInputs(Span<float> dInput, ReadOnlySpan<float> dOutput) =>
        BackwardCore(dInput, dOutput, false);

    private void BackwardCore(Span<float> dInput, ReadOnlySpan<float> dOutput, bool parameterGradients)
    {
        int batch = _lastBatch, steps = _lastSteps;
        if (batch == 0) throw new InvalidOperationException("Backward needs a Forward pass first");
        if (dOutput.Length != batch * OutputsPerSeries(steps))
            throw new ArgumentException($"dOutput must hold (N={batch}, {OutputsPerSeries(steps)}) values as the " +
                                        $"last Forward output did, but has {dOutput.Length}", nameof(dOutput));
        if (!dInput.IsEmpty && dInput.Length != batch * steps * InputFeatures)
            throw new ArgumentException($"dInput must hold (N={batch}, T={steps}, F={InputFeatures}) = " +
                                        $"{batch * steps * InputFeatures} values, but has {dInput.Length}",
                                        nameof(dInput));
        var dOutTime = Grow(ref _outputGrad, dOutput.Length);
        if (OutputsSequence) TransposeBatchTime.Unchecked(dOutTime, dOutput, batch, steps, OutputUnits);
        else dOutput.CopyTo(dOutTime);
        var dx = BackwardFrom(_layers.Length - 1, dOutTime, batch, steps, needInputGradient: true,
                              parameterGradients);
        if (!dInput.IsEmpty) TransposeBatchTime.Unchecked(dInput, dx, steps, batch, InputFeatures);
    }

    /// <summary>
    /// Whether <see cref="BackwardPrefix"/> may stop a backward pass over <paramref name="batch"/> series early: a
    /// sequence output and every layer <see cref="Layer.BackwardOverPrefix"/>.
    /// </summary>
    internal bool CanBackwardPrefix(int batch)
    {
        if (!OutputsSequence) return false;
        foreach (var layer in _layers)
            if (!layer.BackwardOverPrefix(batch)) return false;
        return true;
    }

    /// <summary>
    /// <see cref="Backward"/> over the first <paramref name="steps"/> steps of the last forward pass only, for a
    /// dOutput
    /// that is zero after them: dOutput (N, steps x O) holds the gradients of those steps' outputs, dInput (N, steps,
    /// F)
    /// gets dL/dx for those steps (the later steps' are zero: the model is causal). Bit for bit the first steps of the
    /// full pass (when <see cref="CanBackwardPrefix"/>). Parameter gradients get only those steps' terms; with
    /// <paramref name="parameterGradients"/> false none are computed, as in <see cref="BackwardInputs"/>.
    /// </summary>
    internal void BackwardPrefix(Span<float> dInput, ReadOnlySpan<float> dOutput, int steps,
                                 bool parameterGradients = true)
    {
        int batch = _lastBatch;
        if (batch == 0) throw new InvalidOperationException("Backward needs a Forward pass first");
        if (steps == _lastSteps) { BackwardCore(dInput, dOutput, parameterGradients); return; }
        if (!CanBackwardPrefix(batch))
            throw new InvalidOperationException($"this model cannot stop a backward pass over {batch} series early");
        if (steps <= 0 || steps > _lastSteps)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps must be in [1, {_lastSteps}]");
        if (dOutput.Length != batch * steps * OutputUnits || dInput.Length != batch * steps * InputFeatures)
            throw new ArgumentException($"dOutput must hold (N={batch}, {steps} x {OutputUnits}) values and dInput " +
                                        $"(N={batch}, {steps}, {InputFeatures})");
        var dOutTime = Grow(ref _outputGrad, dOutput.Length);
        TransposeBatchTime.Unchecked(dOutTime, dOutput, batch, steps, OutputUnits);
        var dx = BackwardFrom(_layers.Length - 1, dOutTime, batch, steps, needInputGradient: true,
                              parameterGradients);
        TransposeBatchTime.Unchecked(dInput, dx, steps, batch, InputFeatures);
    }

    /// <summary>
    /// One training step on a batch: zero the gradients, forward, loss, backward, optimizer update.
    /// Targets are (N, OutputsPerSeries(T)). Returns the batch's mean loss. A sigmoid Dense output with
    /// binary cross-entropy, or a softmax Dense output with categorical cross-entropy, uses the fused, stable loss on
    /// logits. Allocates nothing once warmed up.
    /// </summary>
    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> target, int batch, int steps, ILoss loss,
                           Adam optimizer)
    {
        float value = ComputeGradients(input, target, batch, steps, loss);
        optimizer.Step(Parameters, Gradients);
        return value;
    }

    /// <summary>Zeroes <see cref="Gradients"/>, then forward, loss and backward on one batch; returns the mean
    /// loss.</summary>
    public float ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> target, int batch, int steps,
                                  ILoss loss)
    {
        CheckBatch(input, batch, steps);
        int outputs = batch * OutputsPerSeries(steps);
        if (target.Length != outputs)
            throw new ArgumentException($"target must hold (N={batch}, {OutputsPerSeries(steps)}) = {outputs} " +
                                        $"values, but has {target.Length}", nameof(target));
        Array.Clear(Gradients);
        ForwardTimeMajor(ToTimeMajor(input, batch, steps), batch, steps, ForwardMode.Training);
        var targetTime = Grow(ref _targetTime, outputs);
        if (OutputsSequence) TransposeBatchTime.Unchecked(targetTime, target, batch, steps, OutputUnits);
        else target.CopyTo(targetTime);
        var dOut = Grow(ref _outputGrad, outputs);
        float value;
        int k = _layers.Length - 1;
        var head = _layers[k];
        int rows = outputs / OutputUnits;
        if (head.HasSigmoidLogits && loss.TryComputeFromLogits(head.PreActivation(rows), targetTime, dOut, out value)
            || head.HasSoftmaxLogits && loss.TryComputeFromSoftmaxLogits(head.PreActivation(rows), targetTime, dOut,
                                                                         head.OutputSize, out value))
        {
            var dx = Grow(ref _gradA, rows * head.InputSize);
            var headInput = (k == 0 ? _inputTime : _activations[k - 1]).AsSpan(0, rows * head.InputSize);
            head.BackwardFromPreActivation(k == 0 ? [] : dx, LayerGradients(k), dOut, headInput, LayerParameters(k),
                                           rows);
            BackwardFrom(k - 1, dx, batch, steps, needInputGradient: false);
        }
        else
        {
            value = loss.Compute(LastActivation(batch, steps), targetTime, dOut);
            BackwardFrom(k, dOut, batch, steps, needInputGradient: false);
        }
        return value;
    }

    /// <summary>
    /// Copies the predictions and targets of the last <see cref="ComputeGradients"/> (or <see cref="TrainStep"/>, whose
    /// predictions come before its update) into the first batch x OutputsPerSeries(T) elements of each span, in the
    /// same (time-major) order: the batch's pairs, for metrics. Call it before any other forward pass.
    /// </summary>
    internal void CopyLastStep(Span<float> predictions, Span<float> targets)
    {
        var p = LastActivation(_lastBatch, _lastSteps);
        p.CopyTo(predictions);
        _targetTime.AsSpan(0, p.Length).CopyTo(targets);
    }

    /// <summary>Predicts (N, OutputsPerSeries(T)) for many series, <paramref name="batchSize"/> series at a time: the
    /// values <see cref="Forward"/> gives, bit for bit, with nothing kept for a backward pass (the layers work through
    /// a step or two of scratch; <see cref="Backward"/> cannot follow).</summary>
    public void Predict(Span<float> output, ReadOnlySpan<float> input, int count, int steps, int batchSize = 256)
    {
        CheckBatch(input, count, steps);
        Check.Positive(batchSize, nameof(batchSize));
        int perIn = steps * InputFeatures, perOut = OutputsPerSeries(steps);
        if (output.Length != count * perOut)
            throw new ArgumentException($"output must hold (N={count}, {perOut}) = {count * perOut} values, but has " +
                                        $"{output.Length}", nameof(output));
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            Pass(output.Slice(start * perOut, n * perOut), input.Slice(start * perIn, n * perIn), n, steps,
                 ForwardMode.Predict);
        }
    }

    /// <summary>Mean loss over many series, predicted in batches.</summary>
    public float Evaluate(ReadOnlySpan<float> input, ReadOnlySpan<float> target, int count, int steps, ILoss loss,
                          int batchSize = 256)
    {
        var prediction = new float[count * OutputsPerSeries(steps)];
        Predict(prediction, input, count, steps, batchSize);
        return loss.Value(prediction, target);
    }

    /// <summary>The model's layers, output shapes and parameter counts, for T steps (0 or less: a dynamic time axis,
    /// shown as None in the shapes, as Keras does).</summary>
    public ModelSummary Summary(int steps) => ModelSummary.Of(this, steps);

    // ---- time-major internals ----

    private ReadOnlySpan<float> ToTimeMajor(ReadOnlySpan<float> input, int batch, int steps)
    {
        var x = Grow(ref _inputTime, input.Length);
        TransposeBatchTime.Unchecked(x, input, batch, steps, InputFeatures);
        return x;
    }

    private void FromTimeMajor(Span<float> output, ReadOnlySpan<float> outTime, int batch, int steps)
    {
        if (OutputsSequence) TransposeBatchTime.Unchecked(output, outTime, steps, batch, OutputUnits);
        else outTime.CopyTo(output);
    }

    private int Rows(int k, int batch, int steps) => _layers[k].InputIsSequence ? steps * batch : batch;

    private int OutputLength(int k, int batch, int steps) =>
        (_layers[k].OutputIsSequence ? steps * batch : batch) * _layers[k].OutputSize;

    private ReadOnlySpan<float> LastActivation(int batch, int steps) =>
        _activations[^1].AsSpan(0, OutputLength(_layers.Length - 1, batch, steps));

    private void ForwardTimeMajor(ReadOnlySpan<float> x, int batch, int steps, ForwardMode mode)
    {
        ReadOnlySpan<float> current = x;
        for (int k = 0; k < _layers.Length; k++)
        {
            var output = Grow(ref _activations[k], OutputLength(k, batch, steps));
            _layers[k].Forward(output, current, LayerParameters(k), batch, steps, mode);
            current = output;
        }
        _lastBatch = mode.KeepsBackward() ? batch : 0; // 0: no backward pass from here
        _lastSteps = steps;
    }

    // Backward through layers k, k-1, ..., 0 given dL/d(output of layer k); returns dL/dx time-major
    // (empty when !needInputGradient: a training step skips the first layer's dX product). Without
    // parameterGradients the layers get an empty gradient slice and skip their weight gradients.
    private ReadOnlySpan<float> BackwardFrom(int k, ReadOnlySpan<float> dOut, int batch, int steps,
                                             bool needInputGradient, bool parameterGradients = true)
    {
        for (; k >= 0; k--)
        {
            int rows = Rows(k, batch, steps);
            int length = rows * _layers[k].InputSize;
            var dIn = k == 0
                && !needInputGradient ? [] : dOut.Overlaps(_gradA) ? Grow(ref _gradB,
                                                                          length) : Grow(ref _gradA, length);
            ReadOnlySpan<float> input = k == 0 ? _inputTime.AsSpan(0,
                rows * InputFeatures) : _activations[k - 1].AsSpan(0, rows * _layers[k].InputSize);
            _layers[k].Backward(dIn, parameterGradients ? LayerGradients(k) : [], dOut, input, LayerParameters(k),
                                batch, steps);
            dOut = dIn;
        }
        return dOut;
    }

    private void CheckBatch(ReadOnlySpan<float> input, int batch, int steps)
    {
        Check.Positive(batch, nameof(batch));
        Check.Positive(steps, nameof(steps));
        if ((long)batch * steps * InputFeatures != input.Length)
            throw new ArgumentException($"input must hold (N={batch}, T={steps}, F={InputFeatures}) = " +
                                        $"{(long)batch * steps * InputFeatures} values, but has {input.Length}",
                                        nameof(input));
        Check.Finite(input, nameof(input));
    }

    private static Span<float> Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer.AsSpan(0, length);
    }
}
