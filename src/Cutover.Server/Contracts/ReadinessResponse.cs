namespace Cutover.Server.Contracts;

/// <summary>
/// <c>GET /readyz</c> while the store is failing: <c>status</c> is <c>degraded</c> and each reason names a failing
/// component, since when, and the kind of failure (never a connection string). The answer is still 200: routing goes
/// on from memory, and a load balancer must not take every instance out because the database is down.
/// </summary>
public sealed record ReadinessResponse(string Status, IReadOnlyList<string> Reasons, string Instance);
