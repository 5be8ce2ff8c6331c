namespace Cutover.Server.Contracts;

/// <summary>
/// The answer to a change: whether anything changed (asking for what is already so changes nothing
/// and writes no audit event), the events written, and the status after.
/// </summary>
public sealed record ChangeResponse(bool Changed, List<HistoryEvent> Events, StatusResponse Status);
