namespace Cutover.Server.Contracts;

/// <summary><c>GET /</c>: a short summary for a load balancer or a person.</summary>
public sealed record HealthSummary(string Status, bool Enabled, decimal Percent, long Version, long DecisionsDropped);
