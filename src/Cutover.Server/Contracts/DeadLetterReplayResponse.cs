namespace Cutover.Server.Contracts;

/// <summary>
/// The answer to <c>POST /admin/dlq/replay</c>: how many dead letters were queued again, their ids (at most 1,000;
/// <c>ids_truncated</c> says when there were more), the ids asked for that were not dead letters (already replayed,
/// purged, or never dead), where they go (<c>to</c>, null: routed as usual), and the audit event (null when nothing moved).
/// </summary>
public sealed record DeadLetterReplayResponse(int Replayed, List<long> Ids, bool IdsTruncated, List<long> NotReplayed, string? To, HistoryEvent? Event);
