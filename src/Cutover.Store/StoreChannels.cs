namespace Cutover.Store;

/// <summary>The kinds of change an <see cref="IStoreSubscription"/> reports.</summary>
public static class StoreChannels
{
    /// <summary>The routing state (percent, kill switch, routable domains, overrides) changed.</summary>
    public const string Routing = "routing";

    /// <summary>The rollout's state changed.</summary>
    public const string Rollout = "rollout";

    /// <summary>Notifications may have been missed (the listener reconnected): re-read everything.</summary>
    public const string Resync = "resync";
}
