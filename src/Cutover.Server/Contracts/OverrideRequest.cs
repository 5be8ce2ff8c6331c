namespace Cutover.Server.Contracts;

/// <summary><c>PUT /admin/overrides/{user}</c>: <c>route</c> unified or legacy, and/or <c>domain</c>; <c>reason</c> required.</summary>
public sealed record OverrideRequest(string? Route, string? Domain, string? Reason);
