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
    string ServerVersion,
    Dictionary<string, ProbeView>? Probes = null,
    InstanceStatus? Instance = null);
