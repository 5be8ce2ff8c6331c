namespace Cutover.Store;

/// <summary>
/// One update leased to a worker for delivery: update <see cref="UpdateIndex"/> of the <see cref="UpdateCount"/> in
/// the stored <see cref="Body"/> (-1 for a whole body replayed from the dead letters), the attempts made so far, the
/// person it is ordered by, and the target a replay forced (null: route as usual).
/// </summary>
public sealed record ClaimedDelivery(
    long Id,
    long InboxId,
    int UpdateIndex,
    int UpdateCount,
    byte[] Body,
    string? Signature,
    string CorrelationId,
    DateTimeOffset AcceptedAt,
    int Attempts,
    string? PersonKey,
    string? Target);
