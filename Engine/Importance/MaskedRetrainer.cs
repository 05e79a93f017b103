using Engine.Models;

namespace Engine.Importance;

/// <summary>
/// Trains a fresh model on every input feature with the cells <paramref name="removed"/> set to 0 in every training
/// series and returns it: (i, a..b) zeroes feature i at steps T-1-b..T-1-a, lags a..b before the last step (the step
/// a last-step model predicts), so the model never sees them. A zero cell adds nothing to the first layer's
/// pre-activations and gives its input weights no gradient there: it is how a column left out of a
/// <see cref="Retrainer"/>'s subset is absent, cell by cell. The model takes the original F inputs and gives the same
/// outputs as the original; <paramref name="seed"/> seeds its weights and data order; called from several threads at
/// once, it must not share mutable state between calls. The stepwise methods' retrainer for lag windows
/// (<see cref="FeatureGroups.Lags"/>).
/// </summary>
public delegate Sequential MaskedRetrainer(IReadOnlyList<(int Feature, LagWindow Lags)> removed, ulong seed);
