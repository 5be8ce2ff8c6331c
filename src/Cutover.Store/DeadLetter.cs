namespace Cutover.Store;

/// <summary>
/// An update Cutover gave up on (<see cref="Reason"/>: attempts or age exhausted, <c>unparseable</c>, …), kept until it
/// is replayed or purged. <see cref="Id"/> is its delivery's id, the one <c>dlq show</c> and <c>dlq replay</c> take.
/// </summary>
public sealed record DeadLetter(
    long Id,
    long InboxId,
    int UpdateIndex,
    DateTimeOffset AcceptedAt,
    DateTimeOffset DeadAt,
    string Reason,
    string? Error,
    int Attempts,
    string? LastUpstream,
    string? Domain,
    string? Route);
