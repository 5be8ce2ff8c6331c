namespace Cutover.Store;

/// <summary>Where a person's last inbound message went (its domain, route name, upstream) and when.</summary>
public sealed record InboundEntry(string Domain, string Route, string Upstream, DateTimeOffset At);
