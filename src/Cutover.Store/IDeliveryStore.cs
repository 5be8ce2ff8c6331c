namespace Cutover.Store;

/// <summary>
/// Queued delivery (<c>Delivery:Mode = queued</c>): the inbox of accepted webhooks, the queue of their updates with
/// leases, retries and per-person order, the dead letters and their replay, and deduplication. At least once: an
/// update leased and not finished before its lease ends is claimed again, so a worker may deliver it twice.
/// </summary>
/// <remarks>
/// Every update moves through <c>pending</c> → <c>inflight</c> (leased to one owner) → <c>delivered</c> or
/// <c>dead</c>, or back to <c>pending</c> (a retry, or a release that sent nothing). The methods that finish a lease
/// return false, and change nothing, when the row is no longer leased to the caller: its lease ran out and another
/// owner took it (or it was already finished).
/// </remarks>
public interface IDeliveryStore
{
    /// <summary>
    /// Stores a group of webhooks in one transaction, durable when this returns (SQLite: <c>synchronous = FULL</c>
    /// for this commit; PostgreSQL: a synchronous commit), one result per webhook in order. An update whose
    /// <see cref="InboxUpdate.DedupKey"/> was accepted before (or earlier in the group) is a duplicate: counted, not
    /// queued. A webhook with a new update stores its body once and queues each new update (pending, due at once,
    /// ids rising in acceptance order); an unparseable one is stored and dead-lettered at once (reason
    /// <c>unparseable</c>, update index -1).
    /// </summary>
    Task<IReadOnlyList<AcceptResult>> AcceptAsync(IReadOnlyList<InboxWebhook> webhooks, CancellationToken cancellationToken);

    /// <summary>
    /// Leases to <paramref name="owner"/> until <paramref name="now"/> + <paramref name="lease"/> up to
    /// <paramref name="limit"/> updates that are due (pending and due by <paramref name="now"/>, or leased by an owner
    /// whose lease ran out), oldest first. Per-person order: an update is never claimed while an earlier update of
    /// the same person is not yet delivered or dead, nor while another of the person's updates is leased, so each
    /// person's updates go one at a time in acceptance order, across instances.
    /// </summary>
    Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(string owner, int limit, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Records how the turns of leased updates ended, all in one transaction, one result per outcome in order: false,
    /// with that row unchanged, when its lease is no longer the outcome's owner's. Not a durable commit (SQLite
    /// <c>synchronous = NORMAL</c>, PostgreSQL <c>synchronous_commit = off</c>): one lost to a power cut leaves its row
    /// leased, to be claimed again when the lease ends, so the update is delivered again, not lost.
    /// </summary>
    Task<IReadOnlyList<bool>> FinishAsync(IReadOnlyList<LeaseOutcome> outcomes, CancellationToken cancellationToken);

    /// <summary>Marks a leased update delivered, recording the attempt that did it.</summary>
    Task<bool> CompleteAsync(long id, string owner, DeliveryAttempt attempt, CancellationToken cancellationToken);

    /// <summary>Puts a leased update back to wait until <paramref name="nextAttemptAt"/>, counting and recording the attempt.</summary>
    Task<bool> RetryLaterAsync(long id, string owner, DeliveryAttempt attempt, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>Puts a leased update back to wait until <paramref name="nextAttemptAt"/> without counting an attempt: nothing was sent (a circuit open).</summary>
    Task<bool> ReleaseAsync(long id, string owner, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>
    /// Gives up on a leased update: a dead letter with its reason, error, and the domain and route it was going to,
    /// recording (and counting) <paramref name="attempt"/> when one was made.
    /// </summary>
    Task<bool> DeadLetterAsync(
        long id, string owner, DeliveryAttempt? attempt, string reason, string? error, string? domain, string? route, CancellationToken cancellationToken);

    /// <summary>How many updates are in each state, and how old the oldest undelivered one is.</summary>
    Task<QueueStats> QueueStatsAsync(CancellationToken cancellationToken);

    /// <summary>How many dead letters <paramref name="query"/> matches, whatever its limit.</summary>
    Task<long> CountDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken);

    /// <summary>Dead letters, newest first.</summary>
    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken);

    /// <summary>One dead letter with its body and every attempt; null when <paramref name="id"/> is not a dead letter.</summary>
    Task<DeadLetterDetail?> GetDeadLetterAsync(long id, CancellationToken cancellationToken);

    /// <summary>
    /// Queues dead letters again, due at <paramref name="now"/>, with their attempts counted from 0 (their history
    /// kept) and sent to <paramref name="target"/> (null: routed as usual). Ids that are not dead letters are
    /// ignored; returns the ids that moved, in ascending order.
    /// </summary>
    Task<IReadOnlyList<long>> ReplayAsync(IReadOnlyList<long> ids, string? target, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes dead letters that died before <paramref name="before"/> (with their history, and webhooks left with no update); returns how many.</summary>
    Task<long> PurgeDeadLettersAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Deletes updates delivered before <paramref name="before"/> (with their history, and webhooks left with no update); returns how many.</summary>
    Task<long> PurgeDeliveredAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Forgets deduplication keys accepted before <paramref name="before"/>: an update sent again after that is delivered again.</summary>
    Task<long> PurgeDedupAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
