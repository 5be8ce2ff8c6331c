namespace Cutover.Server.Contracts;

/// <summary><c>GET /admin/health</c>: the worst state of the checks, and every check.</summary>
public sealed record HealthResponse(string State, DateTimeOffset At, IReadOnlyList<HealthCheckView> Checks);
