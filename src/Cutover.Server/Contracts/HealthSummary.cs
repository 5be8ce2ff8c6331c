namespace Cutover.Server.Contracts;

/// <summary>
/// <c>GET /</c>: a short summary for a load balancer or a person. <c>status</c> is the process (<c>ok</c> or
/// <c>starting</c>); <c>health</c> is unified's health as <c>/admin/health</c> judges it, and <c>findings</c> the
/// sentences of its checks that are not ok, then the insecure set-ups it runs with (<c>security: …</c>).
/// </summary>
public sealed record HealthSummary(
    string Status, bool Enabled, decimal Percent, long Version, long DecisionsDropped, string? Health = null, IReadOnlyList<string>? Findings = null);
