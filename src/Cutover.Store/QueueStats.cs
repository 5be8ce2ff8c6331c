namespace Cutover.Store;

/// <summary>
/// The delivery queue at a glance: updates waiting (including those waiting to be retried), leased to a worker, dead,
/// and delivered (until purged); and when the oldest update not yet delivered nor dead was accepted (null: none).
/// </summary>
public sealed record QueueStats(long Pending, long InFlight, long Dead, DateTimeOffset? OldestUndelivered, long Delivered);
