namespace Cutover.Server.Contracts;

/// <summary>The body of <c>POST /admin/rollback</c>: the percent to go back to (default 0) and why.</summary>
public sealed record RollbackRequest(decimal? To, string? Reason);
