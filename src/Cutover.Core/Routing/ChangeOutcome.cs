namespace Cutover.Core.Routing;

/// <summary>
/// The result of applying a change: a new state and its audit event, "unchanged" (the state already
/// says that; nothing is written), or a refusal with a message that names the problem.
/// </summary>
public sealed record ChangeOutcome(ChangeError Error, string? Message, RoutingState? Next, AuditEvent? Event)
{
    public bool Succeeded => Error == ChangeError.None;

    public bool Changed => Event is not null;

    public static ChangeOutcome Refused(ChangeError error, string message) => new(error, message, null, null);

    public static ChangeOutcome Unchanged(RoutingState state) => new(ChangeError.None, null, state, null);
}
