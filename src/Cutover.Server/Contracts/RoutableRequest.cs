namespace Cutover.Server.Contracts;

/// <summary>
/// A <c>PUT /admin/routing</c> body that changes only whether a domain is routable: what <c>cutover set --domain D
/// --routable on|off</c> sends without a percent (the same endpoint reads it as a <see cref="RoutingRequest"/> whose
/// <c>percent</c> is absent).
/// </summary>
public sealed record RoutableRequest(string Domain, bool Routable, string? Reason);
