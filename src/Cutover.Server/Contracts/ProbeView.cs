namespace Cutover.Server.Contracts;

/// <summary>The last probe of one upstream's <c>HealthUrl</c> in <c>/admin/status</c>.</summary>
public sealed record ProbeView(bool Ok, int StatusCode, double LatencyMs, int FailuresInARow, string Detail, DateTimeOffset At);
