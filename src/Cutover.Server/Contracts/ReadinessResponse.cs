namespace Cutover.Server.Contracts;

/// <summary>
/// <c>GET /readyz</c> when there is something to say (with nothing to say it is the plain text <c>ready</c>). While the
/// store is failing, <c>status</c> is <c>degraded</c> and each reason names a failing component, since when, and the
/// kind of failure (never a connection string). <c>warnings</c> are the insecure set-ups it runs with (unsigned
/// webhooks, an admin API without tokens), with <c>status</c> <c>ready</c> when nothing else is wrong. The answer is
/// still 200: routing goes on from memory, and a load balancer must not take every instance out because the database
/// is down or a secret is missing.
/// </summary>
public sealed record ReadinessResponse(string Status, IReadOnlyList<string> Reasons, string Instance, IReadOnlyList<string>? Warnings = null);
