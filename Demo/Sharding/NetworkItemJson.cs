namespace Demo.Sharding;

/// <summary>A finished network of <c>demo importance --networks K</c>: every method's run on it.</summary>
public sealed record NetworkItemJson(string SettingsHash, int Item, List<RunJson> Runs) : IWorkItem;
