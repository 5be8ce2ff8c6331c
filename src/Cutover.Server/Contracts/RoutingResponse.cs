namespace Cutover.Server.Contracts;

/// <summary><c>GET /admin/routing</c>: the whole routing state, overrides included.</summary>
public sealed record RoutingResponse(
    bool Enabled,
    decimal Percent,
    Dictionary<string, decimal> DomainPercents,
    List<string> Routable,
    List<OverrideView> Overrides,
    long Version,
    DateTimeOffset UpdatedAt);
