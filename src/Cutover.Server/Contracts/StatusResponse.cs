using System.Text.Json.Serialization;

namespace Cutover.Server.Contracts;

/// <summary>
/// <c>GET /admin/status</c> and <c>cutover status --json</c>. <c>warnings</c>: the insecure set-ups the server runs
/// with, as sentences (empty when none). <c>queue</c>: queued delivery's queue (absent in direct delivery).
/// </summary>
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
    InstanceStatus? Instance = null,
    IReadOnlyList<string>? Warnings = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] QueueStatus? Queue = null);
