namespace Cutover.Server.Contracts;

/// <summary>One upstream as queued delivery sees it on this instance: its circuit breaker's state and deliveries in flight.</summary>
public sealed record UpstreamQueueView(string Circuit, int InFlight);
