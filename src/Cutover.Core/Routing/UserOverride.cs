namespace Cutover.Core.Routing;

/// <summary>
/// An operator's pin for one user: a route (force unified or legacy), a domain (skip classification),
/// or both. <see cref="Route"/> only applies where routing could move the user at all: it never sends a
/// protected domain to unified.
/// </summary>
public sealed record UserOverride(Route? Route, string? Domain, string Actor, string Reason, DateTimeOffset At);
