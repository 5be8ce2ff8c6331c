using System.Text.Json.Serialization;

namespace Cutover.Server.Contracts;

/// <summary>
/// The body of <c>POST /admin/rollback</c>: the percent to go back to (default 0), why, and whether the overrides that
/// send users of the scope to unified go too (default false: they stay, and the answer counts them).
/// </summary>
public sealed record RollbackRequest(
    decimal? To,
    string? Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? IncludeOverrides = null);
