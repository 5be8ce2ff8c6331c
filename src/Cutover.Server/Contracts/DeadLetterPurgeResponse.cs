namespace Cutover.Server.Contracts;

/// <summary>The answer to <c>POST /admin/dlq/purge</c>: how many dead letters were deleted, the cut-off time it used, and the audit event (null when none was deleted).</summary>
public sealed record DeadLetterPurgeResponse(long Purged, DateTimeOffset Before, HistoryEvent? Event);
