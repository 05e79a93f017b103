using Engine.Importance;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary><see cref="OutputSelection"/>: its refusals, and the retrainers it selects (only those given).</summary>
public class OutputSelectionGuardsTests
{
    // Dense(3) on F = 2 inputs, one step: y_j = K[0, j] x_0 + K[1, j] x_1 + b_j with K = [[1, 2, 3], [4, 5, 6]] and
    // b = (0.1, 0.2, 0.3).
    private static Sequential Three()
    {
        var model = new Sequential(2, [new Dense(3)]);
        new[] { 1f, 2f, 3f, 4f, 5f, 6f }.CopyTo(model.Tensor(0, "kernel"));
        new[] { 0.1f, 0.2f, 0.3f }.CopyTo(model.Tensor(0, "bias"));
        return model;
    }

    private static ImportanceContext Context(float[] inputs) =>
        new() { Model = Three(), Inputs = inputs, Count = 1, Steps = 1, Loss = new MeanSquaredError() };

    [Fact]
    public void Null_arguments_are_refused_by_name()
    {
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => OutputSelection.Select(null!, 0)).ParamName);
        Assert.Equal("context",
                     Assert.Throws<ArgumentNullException>(() => OutputSelection.ForOutput(null!, 0)).ParamName);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void An_output_the_model_does_not_have_is_refused_naming_its_outputs(int index)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => OutputSelection.Select(Three(), index));
        Assert.Equal(("index", (object?)index), (e.ParamName, e.ActualValue));
        Assert.StartsWith("the model has 3 outputs per row (Parameter 'index')", e.Message);
    }

    [Fact]
    public void An_invalid_context_is_refused_before_it_is_selected()
    {
        // One series of one step needs F = 2 inputs; 3 are given (the selection itself would not notice).
        var e = Assert.Throws<ArgumentException>(() => OutputSelection.ForOutput(Context([1f, -1f, 0f]), 1));
        Assert.Equal("Inputs", e.ParamName);
        Assert.StartsWith("inputs must hold (N=1, T=1, F=2) = 2 values, but has 3", e.Message);
    }

    [Fact]
    public void A_retrainer_is_selected_when_given_and_stays_absent_when_not()
    {
        // The retrainer hands back Three() (and records what it was asked); selected, its network predicts output 1:
        // at x = (1, -1), y_1 = 2 (1) + 5 (-1) + 0.2 = -2.8.
        var calls = new List<string>();
        Retrainer retrain = (subset, seed) => { calls.Add($"{string.Join(",", subset)}/{seed}"); return Three(); };
        float[] x = [1f, -1f];
        var plain = OutputSelection.ForOutput(Context(x) with { Retrain = retrain }, 1);
        Assert.Null(plain.RetrainPermuted);
        Assert.Null(plain.RetrainMasked);
        var permuted = OutputSelection.ForOutput(Context(x) with { RetrainPermuted = retrain }, 1);
        Assert.Null(permuted.Retrain);
        foreach (var selected in new[] { plain.Retrain!, permuted.RetrainPermuted! })
        {
            var network = selected([0, 1], 7);
            Assert.Equal(1, network.OutputUnits);
            var y = new float[1];
            network.Predict(y, x, 1, 1);
            Assert.Equal(-2.8, y[0], 1e-6);
        }
        Assert.Equal(["0,1/7", "0,1/7"], calls);
    }
}
