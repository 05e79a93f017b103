using Engine.Models;

namespace Engine.Importance;

/// <summary>
/// Trains a fresh model on the inputs <paramref name="features"/> (indices into the original features, ascending)
/// and returns it; the model must take <c>features.Length</c> inputs and give the same outputs as the original.
/// <paramref name="seed"/> seeds its weights and data order, so a retraining is reproducible. Called from several
/// threads at once for different subsets: it must not share mutable state between calls.
/// </summary>
public delegate Sequential Retrainer(int[] features, ulong seed);
