namespace Cutover.Store;

/// <summary>
/// What instances on one store share to work as one: change notifications, leases (one instance at a time does a job),
/// and conversation memory. On SQLite, whose file serves one process, leases are locks within it and nothing notifies.
/// </summary>
public interface IClusterStore
{
    /// <summary>Listens for changes made elsewhere; see <see cref="IStoreSubscription"/>.</summary>
    Task<IStoreSubscription> SubscribeAsync(CancellationToken cancellationToken);

    /// <summary>Takes the named lease if no one holds it: the lease, or null when another holder has it.</summary>
    Task<IStoreLease?> TryAcquireLeaseAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Stores each user's latest domain and latest inbound route, each half keeping the newer where one is already stored
    /// (an empty <see cref="ConversationEntry.Domain"/> or a null <see cref="ConversationEntry.Inbound"/> leaves the stored
    /// one), giving each written entry a new, higher <see cref="ConversationEntry.Sequence"/>.
    /// </summary>
    Task WriteConversationsAsync(IReadOnlyList<ConversationEntry> entries, CancellationToken cancellationToken);

    /// <summary>
    /// Entries with a sequence above <paramref name="afterSequence"/>, seen (or routed inbound) at or after <paramref name="seenSince"/>, written
    /// by an instance other than <paramref name="exceptInstance"/>, in rising sequence order, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<ConversationEntry>> ReadConversationsAsync(
        long afterSequence, DateTimeOffset seenSince, string exceptInstance, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes entries seen and routed inbound (if at all) before <paramref name="before"/>; returns how many.</summary>
    Task<long> PurgeConversationsAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>
    /// Stores identifiers with their person. An identifier already stored takes the new person only when that person was
    /// first seen no later than the stored one (<see cref="IdentityEntry.FirstSeen"/>): the person seen first wins, as in
    /// the identity map, so two instances that briefly disagree (one learned a BSUID alone while the other linked it to a
    /// phone) converge whatever order their writes land in. Each written entry gets a new, higher
    /// <see cref="IdentityEntry.Sequence"/>.
    /// </summary>
    Task WriteIdentitiesAsync(IReadOnlyList<IdentityEntry> entries, CancellationToken cancellationToken);

    /// <summary>
    /// Entries with a sequence above <paramref name="afterSequence"/>, written by an instance other than
    /// <paramref name="exceptInstance"/> (null: by any), in rising sequence order, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<IdentityEntry>> ReadIdentitiesAsync(
        long afterSequence, string? exceptInstance, int limit, CancellationToken cancellationToken);

    /// <summary>The most recently written entries, at most <paramref name="limit"/>, oldest first (start-up).</summary>
    Task<IReadOnlyList<IdentityEntry>> ReadRecentIdentitiesAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The person <paramref name="identifier"/> (stored form) belongs to and every identifier of that person, first seen
    /// first; empty when the identifier is unknown.
    /// </summary>
    Task<IReadOnlyList<IdentityEntry>> FindPersonAsync(string identifier, CancellationToken cancellationToken);
}
