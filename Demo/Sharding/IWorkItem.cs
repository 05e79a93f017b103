namespace Demo.Sharding;

/// <summary>What every work item file holds besides its payload: the settings it was computed with and its
/// index.</summary>
public interface IWorkItem
{
    /// <summary>The hash of the settings the item was computed with
    /// (<see cref="WorkManifest.SettingsHash"/>).</summary>
    string SettingsHash { get; }

    /// <summary>The item's index (a replicate, a network).</summary>
    int Item { get; }
}
