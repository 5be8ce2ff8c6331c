using Cutover.Core.Routing;

namespace Cutover.Server.Routing;

/// <summary>
/// What one operator's request did: the audit events as stored (none when the state already said so),
/// or the refusal of one of its changes, in which case none of them was applied.
/// </summary>
internal sealed record AppliedChanges(ChangeError Error, string? Message, IReadOnlyList<AuditEvent> Events)
{
    public bool Succeeded => Error == ChangeError.None;

    public static AppliedChanges Refused(ChangeOutcome refusal) => new(refusal.Error, refusal.Message, []);
}
