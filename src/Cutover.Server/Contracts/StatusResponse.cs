namespace Cutover.Server.Contracts;

/// <summary><c>GET /admin/status</c> and <c>cutover status --json</c>.</summary>
public sealed record StatusResponse(
    bool Enabled,
    decimal Percent,
    long Version,
    DateTimeOffset UpdatedAt,
    Dictionary<string, DomainStatus> Domains,
    int Overrides,
    DecisionLogStatus DecisionLog,
    StoreStatus Store,
    string Delivery,
    string UserKeys,
    DateTimeOffset StartedAt,
    string ServerVersion);

/// <summary>
/// One domain in the status. <see cref="Percent"/> is the share of its users that goes to unified when
/// routing is enabled (0 for a protected or non-routable domain); <see cref="OwnPercent"/> is its own
/// setting, null when it follows the global percentage.
/// </summary>
public sealed record DomainStatus(decimal Percent, decimal? OwnPercent, bool Routable, bool Protected, string Upstream);

/// <summary>The decision log's queue and counters.</summary>
public sealed record DecisionLogStatus(int Queued, int Capacity, long Written, long Dropped, long Failed);

/// <summary>Which store the server uses.</summary>
public sealed record StoreStatus(string Provider, string Location);
