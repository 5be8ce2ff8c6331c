namespace Cutover.Server.Contracts;

/// <summary>
/// Queued delivery in <c>/admin/status</c> (<c>queue</c>; absent in direct delivery), as last read from the store (every
/// 2 s, at <see cref="ReadAt"/>; null before the first reading): updates waiting (retries included), leased to a worker,
/// dead, delivered and not yet purged; the age of the oldest undelivered update; the unified route's dead letters in
/// the health's recent window. And this instance's own: workers busy of <see cref="Workers"/>, and per upstream its
/// circuit (<c>closed</c>, <c>open</c>, <c>half_open</c>) and deliveries in flight.
/// </summary>
public sealed record QueueStatus(
    DateTimeOffset? ReadAt,
    long Pending,
    long InFlight,
    long Dead,
    long Delivered,
    double OldestUndeliveredAgeSeconds,
    int UnifiedDeadLettersRecent,
    int WorkersBusy,
    int Workers,
    Dictionary<string, UpstreamQueueView> Upstreams);
