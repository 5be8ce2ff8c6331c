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
    /// Stores each user's latest domain (keeping the newer entry where one is already stored), giving each written
    /// entry a new, higher <see cref="ConversationEntry.Sequence"/>.
    /// </summary>
    Task WriteConversationsAsync(IReadOnlyList<ConversationEntry> entries, CancellationToken cancellationToken);

    /// <summary>
    /// Entries with a sequence above <paramref name="afterSequence"/>, seen at or after <paramref name="seenSince"/>, written
    /// by an instance other than <paramref name="exceptInstance"/>, in rising sequence order, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<ConversationEntry>> ReadConversationsAsync(
        long afterSequence, DateTimeOffset seenSince, string exceptInstance, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes entries seen before <paramref name="before"/>; returns how many.</summary>
    Task<long> PurgeConversationsAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
