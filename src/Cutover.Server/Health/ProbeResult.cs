namespace Cutover.Server.Health;

/// <summary>
/// The last probe of one upstream's <c>HealthUrl</c>: whether it answered 2xx, its status (0 without an answer), how
/// long it took, how many probes in a row failed, and when.
/// </summary>
internal sealed record ProbeResult(string Upstream, bool Ok, int StatusCode, double LatencyMs, int FailuresInARow, string Detail, DateTimeOffset At);
