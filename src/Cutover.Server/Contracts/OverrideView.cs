namespace Cutover.Server.Contracts;

/// <summary>One user's override.</summary>
public sealed record OverrideView(string User, string? Route, string? Domain, string Actor, string Reason, DateTimeOffset At);
