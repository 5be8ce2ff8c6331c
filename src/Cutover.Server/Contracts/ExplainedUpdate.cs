namespace Cutover.Server.Contracts;

/// <summary>
/// What the router would do with one update, and why (<c>cutover explain --json</c>): <c>user_key</c> (the identifier
/// the update names first), <c>person</c> (the identifier the person was first seen by, whose bucket they keep),
/// <c>via</c> (the identifier that mapped the update to that person, when not <c>user_key</c> itself), <c>domain</c>,
/// <c>rule</c>, <c>bucket</c>, <c>route</c>, <c>upstream</c>, <c>reason</c>.
/// </summary>
public sealed record ExplainedUpdate(
    int Index,
    string Kind,
    string Field,
    string? MessageId,
    string? MessageType,
    string? UserKey,
    string? Person,
    string? Via,
    string Domain,
    string Rule,
    string? Evidence,
    int? Bucket,
    string Route,
    string Upstream,
    string Reason);
