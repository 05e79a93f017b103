using Engine.Layers;
using Engine.Losses;
using Engine.Models;

namespace Engine.Importance;

/// <summary>
/// Importance of one output of a model with several (a class of a softmax head, one of k regression targets): the
/// context's model gets a <see cref="SelectOutput"/> layer that keeps output j of each row, so every method scores
/// that output alone, unchanged. The error-based methods then measure a loss on output j against column j of the
/// targets: binary cross-entropy of the class probability p_j against the one-vs-rest target y_j when the model was
/// trained with categorical cross-entropy, the model's own loss otherwise. Retrained networks (stepwise,
/// connection-weights-test) are trained as before, on every output, and scored on output j. The weight-based methods
/// (connection weights, Garson) follow output j's weights only (the selection's input block is the column e_j).
/// </summary>
public static class OutputSelection
{
    /// <summary>A copy of <paramref name="model"/> whose only output (per row) is output <paramref name="index"/> of
    /// <paramref name="model"/>'s; the same parameters, its own workspaces.</summary>
    public static Sequential Select(Sequential model, int index)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (index < 0 || index >= model.OutputUnits)
            throw new ArgumentOutOfRangeException(nameof(index), index,
                                                  $"the model has {model.OutputUnits} outputs per row");
        var selected = new Sequential(model.InputFeatures,
                                      [.. model.Layers.Select(l => l.CloneUnbound()), new SelectOutput(index)],
                                      model.Flatten);
        model.Parameters.CopyTo(selected.Parameters, 0);
        return selected;
    }

    /// <summary>
    /// The context for output <paramref name="index"/> of the context's model: the model
    /// <see cref="Select"/>ed, the targets' column, the loss for one output (binary cross-entropy for a categorical
    /// model), and retrainers whose networks are selected the same way.
    /// </summary>
    public static ImportanceContext ForOutput(ImportanceContext context, int index)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Validate();
        var model = Select(context.Model, index);
        int width = context.Model.OutputUnits;
        float[]? targets = null;
        if (context.Targets is { } y)
        {
            targets = new float[y.Length / width];
            for (int r = 0; r < targets.Length; r++) targets[r] = y[r * width + index];
        }
        Retrainer? Selected(Retrainer? retrain) =>
            retrain is null ? null : (subset, seed) => Select(retrain(subset, seed), index);
        return context with
        {
            Model = model,
            Targets = targets,
            Loss = context.Loss is CategoricalCrossEntropy ? new BinaryCrossEntropy() : context.Loss,
            Retrain = Selected(context.Retrain),
            RetrainPermuted = Selected(context.RetrainPermuted),
            RetrainMasked = context.RetrainMasked is { } masked
                ? (removed, seed) => Select(masked(removed, seed), index) : null,
        };
    }
}
