namespace Demo.Reports;

/// <summary>One importance method's result, as a report shows it.</summary>
/// <param name="Name">CLI name of the method.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Features">Per feature, in the model's feature order.</param>
/// <param name="Map">Optional (steps, features) map of importance over time.</param>
/// <param name="LagMap">Optional (lags, features) map by lag k = output step - input step.</param>
/// <param name="Curves">Optional profile curves (sensitivity analysis): per feature, x values (original units) and mean
/// output.</param>
/// <param name="Note">Optional one-line explanation of the score.</param>
/// <param name="Consensus">False for a sanity check (e.g. randomised weights), left out of the mean rank.</param>
/// <param name="Steps">For a stepwise search: per feature the step (1 = first) at which it entered or was removed;
/// the rank is this order and the score the loss change at that step.</param>
/// <param name="OrderWord">"entry" or "removal", with <paramref name="Steps"/>.</param>
public sealed record MethodOutcome(string Name, double Seconds, FeatureScore[] Features, double[,]? Map = null,
                                   double[,]? LagMap = null,
                                   IReadOnlyList<(string Feature, double[] X, double[] Y)>? Curves = null,
                                   string? Note = null, bool Consensus = true,
                                   int[]? Steps = null, string? OrderWord = null);
