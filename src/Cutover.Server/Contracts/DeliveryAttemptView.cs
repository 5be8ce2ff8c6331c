namespace Cutover.Server.Contracts;

/// <summary>One attempt to deliver a dead letter: its number, when, where (upstream, route), the answer (0: none), the error and the latency.</summary>
public sealed record DeliveryAttemptView(int Number, DateTimeOffset At, string Upstream, string Route, int StatusCode, string? Error, double LatencyMs);
