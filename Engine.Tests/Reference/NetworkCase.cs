using Engine.Kernels;
using Engine.Layers;
using Engine.Losses;
using Engine.Models;

namespace Engine.Tests.Reference;

/// <summary>
/// A small network with its weights, a batch of inputs and a loss: what the gradient properties check.
/// Parameters use the shared flat layout of <see cref="ReferenceNetwork"/> and <see cref="Sequential.Parameters"/>.
/// </summary>
public sealed record NetworkCase(
    int Batch, int Steps, int Features, RecurrentSpec[] Recurrent, DenseSpec? Head, bool Flatten,
    float[] Parameters, float[] Input, LossKind Loss, float[] Target, DenseSpec? First = null)
{
    public ReferenceNetwork Reference => new(Features, Recurrent, Head, First);

    /// <summary>The engine model with this case's layers and parameters.</summary>
    public Sequential BuildModel()
    {
        var layers = new List<Layer>();
        if (First is { } first) layers.Add(new Dense(first.Units, first.Activation));
        foreach (var l in Recurrent)
            layers.Add(l switch
            {
                GruSpec g => new Gru(g.Units, g.Activation, g.RecurrentActivation, g.ReturnSequences, g.ResetAfter),
                _ => new Lstm(l.Units, l.Activation, l.RecurrentActivation, l.ReturnSequences),
            });
        if (Head is { } d) layers.Add(new Dense(d.Units, d.Activation));
        var model = new Sequential(Features, layers, Flatten);
        Parameters.CopyTo(model.Parameters, 0);
        return model;
    }

    /// <summary>The largest |value| of a recurrent state (h, and the LSTM's c) of the reference forward
    /// pass.</summary>
    public double LargestState() => LargestState(Parameters);

    private double LargestState(float[] parameters)
    {
        var recorder = new KinkRecorder();
        Reference.Forward(GradientCheck.ToDouble(parameters), GradientCheck.ToDouble(Input), Batch, Steps, recorder);
        return recorder.LargestState;
    }

    /// <summary>This case with the weights below its Dense head <see cref="GradientCheck.Tame">tamed</see>; the head
    /// as drawn.</summary>
    public NetworkCase Tamed() => this with
    {
        Parameters = GradientCheck.Tame(
            Parameters, Reference.ParameterCount - (Head is { } d ? (Recurrent[^1].Units + 1) * d.Units : 0),
            LargestState),
    };

    /// <summary>The engine's loss for <see cref="Loss"/>; null for the weighted sum, which is not an engine
    /// loss.</summary>
    public ILoss? EngineLoss => Loss switch
    {
        LossKind.MeanSquaredError => new MeanSquaredError(),
        LossKind.BinaryCrossEntropy => new BinaryCrossEntropy(),
        _ => null,
    };

    private static string Name(RecurrentSpec l) =>
        l is GruSpec g ? (g.ResetAfter ? "GRU" : "GRU[reset_after=False]") : "LSTM";

    public override string ToString()
    {
        string layers = (First is { } f ? $"Dense({f.Units}, {f.Activation.Name()}) -> " : "")
            + string.Join(" -> ", Recurrent.Select(l =>
            $"{Name(l)}({l.Units}, {l.Activation.Name()}/{l.RecurrentActivation.Name()}{(l.ReturnSequences ? ", " +
            $"seq" : "")})"));
        if (Head is { } d) layers += $" -> Dense({d.Units}, {d.Activation.Name()})";
        return $"N={Batch} T={Steps} F={Features}: {layers}{(Flatten ? " -> Flatten" : "")}; loss {Loss}; " +
               $"params [{string.Join(", ", Parameters.Select(p => p.ToString("R")))}]; input [{string.Join(", " +
               $"", Input.Select(p => p.ToString("R")))}]";
    }
}
