namespace Cutover.Server.Configuration;

/// <summary><c>Routing:*</c>.</summary>
public sealed class RoutingOptions
{
    /// <summary>
    /// Mixed into every user's bucket hash. Changing it reshuffles every user between legacy and
    /// unified, so set it once, before the rollout, and never again.
    /// </summary>
    public string Salt { get; set; } = CutoverDefaults.Salt;
}
