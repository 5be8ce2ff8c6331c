namespace Cutover.Server.Configuration;

/// <summary><c>Routing:*</c>.</summary>
public sealed class RoutingOptions
{
    /// <summary>
    /// Mixed into every user's bucket hash. Changing it reshuffles every user between legacy and
    /// unified, so set it once, before the rollout, and never again. Any text but the empty one (" " included: a
    /// salt accepted before must stay accepted).
    /// </summary>
    [ConfigMinLength(1, Why = "it must be a fixed string, set once before the rollout")]
    public string Salt { get; set; } = CutoverDefaults.Salt;
}
