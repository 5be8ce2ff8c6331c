namespace Cutover.Server.Contracts;

/// <summary>The body of <c>POST /admin/baseline</c>: the window to capture over (default 24h) and why.</summary>
public sealed record BaselineRequest(string? Window, string? Reason);
