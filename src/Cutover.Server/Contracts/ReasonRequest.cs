namespace Cutover.Server.Contracts;

/// <summary><c>POST /admin/enable</c>, <c>POST /admin/disable</c>, <c>DELETE /admin/overrides/{user}</c>.</summary>
public sealed record ReasonRequest(string? Reason);
