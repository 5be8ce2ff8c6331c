namespace Cutover.Store;

/// <summary>One attempt to deliver an update: which upstream on which route, what it answered (0: no answer) and how fast.</summary>
public sealed record DeliveryAttempt(int Number, DateTimeOffset At, string Upstream, string Route, int StatusCode, string? Error, double LatencyMs);
