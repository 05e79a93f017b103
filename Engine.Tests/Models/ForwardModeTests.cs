using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using Engine.Random;
using Engine.Tests.Threading;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace Engine.Tests.Models;

/// <summary>
/// A pass that keeps nothing (<see cref="ForwardMode.Predict"/>: <see cref="Sequential.Predict"/>) or only the states
/// (<see cref="ForwardMode.Record"/>: <see cref="Sequential.PredictRecording"/>) must give, bit for bit, the outputs
/// and states of a pass that keeps everything for backward (<see cref="ForwardMode.KeepForBackward"/>:
/// <see cref="Sequential.Forward"/>, the layouts every pass used before the modes), for every layer and LSTM/GRU path,
/// on one thread and two (the LSTM's split by units); a later backward pass must not see the difference. Runs alone
/// (the two-thread cases check that the shared team split the units).
/// </summary>
[Collection(nameof(WorkerTeamTests))]
public class ForwardModeTests
{
    /// <summary>A model kind, its size, the batch, and the threads a kernel call may use.</summary>
    public sealed record ModeCase(int Kind, int Units, int Count, int Steps, int Features, int Threads, int Seed)
    {
        public override string ToString() =>
            $"kind {Kind} ({Kinds[Kind]}), units {Units}, N {Count}, T {Steps}, F {Features}, {Threads} thread(s), " +
            $"seed {Seed}";
    }

    private static readonly string[] Kinds =
    [
        "LSTM general path, sequence -> Dense(2) tanh", "LSTM general path, last step -> Dense(3) sigmoid",
        "LSTM small path, sequence -> Dense(1)", "LSTM of one unit (batch in lanes), sequence",
        "GRU reset_after, sequence -> Dense(1)", "GRU reset_before, last step",
        "Bidirectional LSTM concat, sequence -> Dense softmax(3)", "Bidirectional GRU sum, last step",
        "LSTM -> Dropout -> LastStep -> Dense(1)", "LSTM general -> LSTM small -> Dense(1) sigmoid, flattened (W6)",
        "LSTM 65+ units split by units (LstmUnitSplit with 2 threads), sequence -> LSTM 65+ last step",
    ];

    public static class Cases
    {
        public static Arbitrary<ModeCase> ModeCase() =>
            (from kind in Gen.Choose(0, Kinds.Length - 1)
             from units in Gen.Choose(1, 20)
             from count in Gen.Choose(1, 24)
             from steps in Gen.Choose(1, 9)
             from features in Gen.Choose(1, 5)
             from threads in Gen.Choose(1, 2)
             from seed in Gen.Choose(0, 1000)
             select new ModeCase(kind, units, kind == 10 ? Math.Max(2, count) : count, steps, features, threads,
                                 seed)).ToArbitrary();
    }

    private static Sequential Build(ModeCase c)
    {
        int small = Math.Min(c.Units, 16), general = 16 + c.Units, split = 64 + c.Units;
        Layer[] layers = c.Kind switch
        {
            0 => [
                new Lstm(c.Units, returnSequences: true) { UseSequenceKernel = false }, new Dense(2, Activation.Tanh),
            ],
            1 => [new Lstm(c.Units) { UseSequenceKernel = false }, new Dense(3, Activation.Sigmoid)],
            2 => [new Lstm(Math.Max(2, small), Activation.Tanh, returnSequences: true), new Dense(1)],
            3 => [new Lstm(1, returnSequences: true)],
            4 => [new Gru(c.Units, returnSequences: true), new Dense(1)],
            5 => [new Gru(c.Units, resetAfter: false)],
            6 => [new Bidirectional(new Lstm(c.Units, returnSequences: true)), Dense.WithSoftmax(3)],
            7 => [new Bidirectional(new Gru(c.Units), MergeMode.Sum)],
            8 => [new Lstm(c.Units, returnSequences: true), new Dropout(0.3), new LastStep(), new Dense(1)],
            9 => [new Lstm(general, returnSequences: true), new Lstm(small, returnSequences: true),
                  new Dense(1, Activation.Sigmoid)],
            _ => [new Lstm(split, returnSequences: true), new Lstm(split)],
        };
        var model = new Sequential(c.Features, layers, flatten: c.Kind == 9);
        model.Initialize((ulong)c.Seed);
        return model;
    }

    private static float[] Draw(int length, ulong seed, float low = 0f, float high = 1f)
    {
        var v = new float[length];
        new RandomSource(seed).FillUniform(v, low, high);
        return v;
    }

    // The states PredictRecording records, from a pass that keeps everything: layer by layer, Layer.State of each step.
    private static float[] StatesAfterForward(Sequential model, float[] x, int count, int steps)
    {
        var states = new float[count * (steps - 1) * model.StateSize];
        model.Forward(new float[count * model.OutputsPerSeries(steps)], x, count, steps);
        for (int t = 0; t + 1 < steps; t++)
        {
            var block = states.AsSpan(t * count * model.StateSize, count * model.StateSize);
            foreach (var layer in model.Layers)
            {
                if (!layer.InputIsSequence || layer.StateSize == 0) continue;
                layer.State(block[..(count * layer.StateSize)], count, t);
                block = block[(count * layer.StateSize)..];
            }
        }
        return states;
    }

    [Property(Arbitrary = [typeof(Cases)], MaxTest = 200)]
    public void EveryModeComputesTheOutputsAndStatesOfAPassThatKeepsEverything(ModeCase c) =>
        ThreadSetting.With(c.Threads, () =>
        {
            var model = Build(c);
            var x = Draw(c.Count * c.Steps * c.Features, (ulong)c.Seed + 1);
            int outputs = c.Count * model.OutputsPerSeries(c.Steps);
            var kept = new float[outputs];
            model.Forward(kept, x, c.Count, c.Steps);
            var predicted = new float[outputs];
            model.Predict(predicted, x, c.Count, c.Steps);
            Assert.Equal(kept, predicted);
            Assert.Throws<InvalidOperationException>(() => model.Backward([], new float[outputs]));
            if (c.Kind == 10 && c.Threads == 2)
                foreach (var layer in model.Layers) // the units were split (both layers are large enough)
                    Assert.Equal(2, ((LstmGemmPath)((Lstm)layer).LastPath!).Parts.Length);
            if (model.CanResume && c.Steps > 1)
            {
                var recorded = new float[outputs];
                var states = new float[c.Count * (c.Steps - 1) * model.StateSize];
                model.PredictRecording(recorded, states, x, c.Count, c.Steps);
                Assert.Equal(kept, recorded);
                Assert.Equal(StatesAfterForward(model, x, c.Count, c.Steps), states);
                Assert.Contains(states, v => v != 0); // not vacuous: states were recorded
            }
            // A backward pass after passes that kept less: the gradients of a model that ran only Forward.
            var dy = Draw(outputs, (ulong)c.Seed + 2, -1f, 1f);
            var fresh = Build(c); // not Clone: a clone takes the LSTM's default path (UseSequenceKernel)
            fresh.Forward(new float[outputs], x, c.Count, c.Steps);
            var dxFresh = new float[x.Length];
            fresh.Backward(dxFresh, dy);
            model.Predict(predicted, x, c.Count, c.Steps);
            model.Forward(kept, x, c.Count, c.Steps);
            var dx = new float[x.Length];
            model.Backward(dx, dy);
            Assert.Equal(dxFresh, dx);
            Assert.Equal(fresh.Gradients, model.Gradients);
            return 0;
        });

    [Fact]
    public void APredictionKeepsOneStepOfScratchAndARecordingOnlyTheStates()
    {
        // LSTM 32 over 16 series (steps of x W + b one at a time) of 10 steps: Forward keeps every step's gates, c,
        // a(c) and h; Record only c and h; Predict one step's gates and a(c), two blocks of c and the initial h (every
        // h_t goes into the output).
        const int count = 16, steps = 10, h = 32;
        var model = new Sequential(3, [new Lstm(h, returnSequences: true) { UseSequenceKernel = false }]);
        model.Initialize(4);
        var x = Draw(count * steps * 3, 5);
        var y = new float[count * steps * h];
        model.Predict(y, x, count, steps);
        var path = (LstmGemmPath)((Lstm)model.Layers[0]).LastPath!;
        Assert.Equal((count * 4 * h, 2 * count * h, count * h, count * h),
                     (path.Gates.Length, path.Cells.Length, path.Hidden.Length, path.CellAct.Length));
        Assert.Throws<InvalidOperationException>(() => model.Layers[0].State(new float[2 * count * h], count, 0));
        model.PredictRecording(y, new float[count * (steps - 1) * 2 * h], x, count, steps);
        Assert.Equal(((steps + 1) * count * h, (steps + 1) * count * h),
                     (path.Cells.Length, path.Hidden.Length));
        Assert.Equal((count * 4 * h, count * h), (path.Gates.Length, path.CellAct.Length));
        model.Forward(y, x, count, steps);
        Assert.Equal((steps * count * 4 * h, steps * count * h), (path.Gates.Length, path.CellAct.Length));
    }

    [Fact]
    public void AGruPredictionKeepsNothingForStateOrBackward()
    {
        const int count = 8, steps = 6, h = 5;
        var gru = new Gru(h, returnSequences: true);
        var model = new Sequential(2, [gru]);
        model.Initialize(6);
        var x = Draw(count * steps * 2, 7);
        var kept = new float[count * steps * h];
        model.Forward(kept, x, count, steps);
        var predicted = new float[kept.Length];
        model.Predict(predicted, x, count, steps);
        Assert.Equal(kept, predicted);
        Assert.Throws<InvalidOperationException>(() => gru.State(new float[count * h], count, 0));
        Assert.Throws<InvalidOperationException>(() =>
            gru.Backward(new float[x.Length], [], kept, x, model.Parameters, count, steps));
    }
}
