using System.Runtime.CompilerServices;
using Engine.Models;

namespace Engine.Importance;

/// <summary>
/// A worker's private clone of a source model plus scratch buffers (perturbed inputs, predictions, gradients),
/// pooled per source model: the tasks of a method, the methods of a run and repeated runs reuse the clones'
/// workspaces instead of cloning and allocating per call. <see cref="Rent"/> copies the source's current parameters
/// into the clone and zeroes its gradients, so a rented worker computes exactly what a fresh
/// <see cref="Sequential.Clone"/> would (a pass writes every workspace value it reads). The pool keeps at most
/// <see cref="Environment.ProcessorCount"/> workers per model, alive as long as the model is.
/// </summary>
internal sealed class ModelWorker
{
    private static readonly ConditionalWeakTable<Sequential, Stack<ModelWorker>> Pools = new();

    private readonly Stack<ModelWorker> _pool;
    private float[] _inputs = [], _outputs = [], _composite = [],
    _setGradient = [], _prefixGradient = [], _batchOutput = [],
    _dOutput = [];
    private int[] _indices = [];
    private double[] _sums = [];

    private ModelWorker(Sequential source, Stack<ModelWorker> pool)
    {
        Model = source.Clone();
        _pool = pool;
    }

    /// <summary>The worker's clone; methods may change its parameters (the next rent restores them).</summary>
    public Sequential Model { get; }

    /// <summary>A worker whose clone holds <paramref name="source"/>'s current parameters; give it back with
    /// <see cref="Return"/>.</summary>
    public static ModelWorker Rent(Sequential source)
    {
        var pool = Pools.GetOrCreateValue(source);
        ModelWorker? worker;
        lock (pool) pool.TryPop(out worker);
        if (worker is null) return new ModelWorker(source, pool);
        source.Parameters.CopyTo(worker.Model.Parameters, 0);
        Array.Clear(worker.Model.Gradients);
        return worker;
    }

    /// <summary>The context model's predictions of the context's inputs (N, OutputsPerSeries(T)), by a rented
    /// worker.</summary>
    public static float[] Predictions(ImportanceContext ctx)
    {
        var worker = Rent(ctx.Model);
        var y = worker.Predict(ctx.Inputs, ctx.Count, ctx.Steps).ToArray();
        worker.Return();
        return y;
    }

    /// <summary>
    /// The context model's predictions of the context's inputs, and with <paramref name="record"/> that pass recorded
    /// for passes resumed after a step (null when not recorded or the model cannot resume).
    /// </summary>
    public static (float[] Predictions, RecordedPass? Recorded) Unperturbed(ImportanceContext ctx, bool record)
    {
        var recorded = record ? Record(ctx) : null;
        return (recorded?.Predictions ?? Predictions(ctx), recorded);
    }

    /// <summary>
    /// The context model's pass over the context's inputs, recorded by a rented worker for passes resumed after a
    /// step (<see cref="PredictFrom"/>); null when the model cannot resume (<see cref="RecordedPass.Record"/>).
    /// </summary>
    public static RecordedPass? Record(ImportanceContext ctx)
    {
        var worker = Rent(ctx.Model);
        var recorded = RecordedPass.Record(worker.Model, ctx.Inputs, ctx.Count, ctx.Steps);
        worker.Return();
        return recorded;
    }

    /// <summary>
    /// F_n = sum_p w_p y_{n,p} of each of <paramref name="count"/> series, <paramref name="outputWeights"/> one per
    /// output of a series (null: all ones), predicted by a rented worker.
    /// </summary>
    public static double[] OutputSums(Sequential model, ReadOnlySpan<float> inputs, int count, int steps,
                                      float[]? outputWeights)
    {
        var worker = Rent(model);
        var y = worker.Predict(inputs, count, steps);
        var f = new double[count];
        int per = y.Length / count;
        for (int j = 0; j < y.Length; j++) f[j / per] += (outputWeights?[j % per] ?? 1.0) * y[j];
        worker.Return();
        return f;
    }

    /// <summary>Back to the pool; the worker must not be used afterwards.</summary>
    public void Return()
    {
        lock (_pool) if (_pool.Count < Environment.ProcessorCount) _pool.Push(this);
    }

    /// <summary>The worker's input buffer holding a copy of <paramref name="source"/>, to perturb in place.</summary>
    public Span<float> CopyOf(ReadOnlySpan<float> source)
    {
        var x = Grow(ref _inputs, source.Length);
        source.CopyTo(x);
        return x;
    }

    /// <summary>The worker's input buffer, <paramref name="length"/> values, contents undefined: the caller writes
    /// all.</summary>
    public Span<float> Inputs(int length) => Grow(ref _inputs, length);

    /// <summary>A second output buffer (<see cref="FeatureGroups.Predict"/> assembles predictions in it),
    /// <paramref name="length"/> values, contents undefined.</summary>
    public Span<float> Composite(int length) => Grow(ref _composite, length);

    /// <summary>A buffer of double sums, at least <paramref name="length"/> values, contents undefined.</summary>
    public double[] Sums(int length)
    {
        if (_sums.Length < length) _sums = new double[length];
        return _sums;
    }

    /// <summary>An index buffer, <paramref name="length"/> values, contents undefined.</summary>
    public Span<int> Indices(int length) => Grow(ref _indices, length);

    /// <summary>The clone's predictions (N, OutputsPerSeries(T)) of <paramref name="inputs"/>, valid until the next
    /// call.</summary>
    public ReadOnlySpan<float> Predict(ReadOnlySpan<float> inputs, int count, int steps)
    {
        var output = Grow(ref _outputs, count * Model.OutputsPerSeries(steps));
        Model.Predict(output, inputs, count, steps);
        return output;
    }

    /// <summary>
    /// <see cref="Predict"/> of <paramref name="inputs"/>, which equal the recorded pass's inputs before step
    /// <paramref name="start"/>: resumed there from <paramref name="recorded"/> (bit for bit the same values), or a
    /// full pass when <paramref name="recorded"/> is null.
    /// </summary>
    public ReadOnlySpan<float> PredictFrom(ReadOnlySpan<float> inputs, int count, int steps, RecordedPass? recorded,
                                           int start)
    {
        if (recorded is null) return Predict(inputs, count, steps);
        var output = Grow(ref _outputs, count * Model.OutputsPerSeries(steps));
        Model.PredictFrom(output, inputs, recorded, start);
        return output;
    }

    /// <summary>
    /// Input gradients of several weighted output sums, sharing each forward pass: for each batch of up to
    /// <paramref name="batchSize"/> series (in series order) one forward pass, then for each weight set j (row j of
    /// <paramref name="outputWeights"/>, (sets, OutputsPerSeries), the same for every series) one backward pass giving
    /// dInput (b, T, F) = d(sum_p w_jp y_{n,p}) / dx_{n,t,i}, handed to <paramref name="visit"/>(j, first series, b,
    /// dInput) before the next set (the sets in an order of their own). A set's gradients do not depend on the other
    /// sets: backward only reads the forward's saved state. When the model is causal
    /// (<see cref="Sequential.CanBackwardPrefix"/> for the batch) a set whose last nonzero weight is on step tau runs
    /// backward over steps 0..tau only (the same numbers; the later steps' gradients are zero). The backward passes
    /// compute no parameter gradients (<see cref="Sequential.BackwardInputs"/>).
    /// </summary>
    public void InputGradients(ReadOnlySpan<float> inputs, int count, int steps, ReadOnlySpan<float> outputWeights,
                               GradientVisitor visit,
                               int batchSize = 256)
    {
        int features = Model.InputFeatures, perIn = steps * features, perOut = Model.OutputsPerSeries(steps),
        sets = outputWeights.Length / perOut;
        int units = Model.OutputUnits, largest = Math.Min(batchSize, count);
        var output = Grow(ref _batchOutput, largest * perOut);
        var dOutput = Grow(ref _dOutput, largest * perOut);
        var dInput = Grow(ref _setGradient, largest * perIn);
        var dPrefix = Grow(ref _prefixGradient, largest * perIn);
        // Steps each set's backward pass needs (a causal model's gradients of outputs up to step tau stop at tau); the
        // sets run longest first, so the layers' workspaces grow once, not step by step.
        var used = new int[sets];
        for (int j = 0; j < sets; j++)
        {
            int last = outputWeights.Slice(j * perOut, perOut).LastIndexOfAnyExcept(0f);
            used[j] = last < 0 ? 0 : last / units + 1;
        }
        var order = Enumerable.Range(0, sets).OrderByDescending(j => used[j]).ToArray();
        for (int start = 0; start < count; start += batchSize)
        {
            int b = Math.Min(batchSize, count - start);
            bool stop = Model.CanBackwardPrefix(b);
            Model.Forward(output[..(b * perOut)], inputs.Slice(start * perIn, b * perIn), b, steps);
            foreach (int j in order)
            {
                var weights = outputWeights.Slice(j * perOut, perOut);
                int prefix = stop && used[j] > 0 ? used[j] : steps, perUsed = prefix == steps ? perOut : prefix * units;
                for (int n = 0; n < b; n++) weights[..perUsed].CopyTo(dOutput.Slice(n * perUsed, perUsed));
                if (prefix == steps) Model.BackwardInputs(dInput[..(b * perIn)], dOutput[..(b * perOut)]);
                else
                {
                    int rows = prefix * features;
                    Model.BackwardPrefix(dPrefix[..(b * rows)], dOutput[..(b * perUsed)], prefix,
                                         parameterGradients: false);
                    for (int n = 0; n < b; n++)
                    {
                        dPrefix.Slice(n * rows, rows).CopyTo(dInput.Slice(n * perIn, rows));
                        dInput.Slice(n * perIn + rows, perIn - rows).Clear();
                    }
                }
                visit(j, start, b, dInput[..(b * perIn)]);
            }
        }
    }

    private static Span<T> Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[length];
        return buffer.AsSpan(0, length);
    }
}
