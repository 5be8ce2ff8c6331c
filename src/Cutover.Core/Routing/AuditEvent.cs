namespace Cutover.Core.Routing;

/// <summary>
/// One entry of the audit trail: who changed what, when, from what to what, and why.
/// <see cref="Before"/> and <see cref="After"/> are small JSON objects holding only what changed.
/// </summary>
public sealed record AuditEvent(
    long Id,
    DateTimeOffset At,
    string Kind,
    string Actor,
    string Reason,
    string? Before,
    string? After);
