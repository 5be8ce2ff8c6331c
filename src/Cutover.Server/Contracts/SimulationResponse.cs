namespace Cutover.Server.Contracts;

/// <summary>
/// <c>GET /admin/simulate</c>: what a change (<c>set</c>, or <c>rollback</c>) would do to the users the decision log
/// saw in the window, per domain and over all domains. <see cref="Percent"/> is null when the change makes
/// <see cref="Domain"/> follow the global percent again.
/// </summary>
public sealed record SimulationResponse(
    string Window,
    DateTimeOffset From,
    DateTimeOffset To,
    string Change,
    decimal? Percent,
    string? Domain,
    int? Step,
    bool? Routable,
    bool Enabled,
    IReadOnlyList<SimulatedDomainView> Domains,
    SimulatedDomainView Totals);
