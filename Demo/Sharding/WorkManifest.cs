namespace Demo.Sharding;

/// <summary>
/// <c>manifest.json</c> of a work directory: the kind of run, its item count, the hash of the settings every item
/// must carry, and the command line that made it (without <c>--shard</c>, <c>--work-dir</c> and the output options;
/// input paths made absolute), which <c>demo merge</c> runs again over the finished items.
/// </summary>
public sealed record WorkManifest(string Format, string Kind, int Items, string SettingsHash, string[] Command);
