using Cutover.Core.Decisions;
using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;
using Cutover.Core.Stats;

namespace Cutover.Store;

/// <summary>
/// Where Cutover keeps what must outlive the process: the routing state and its audit trail, the
/// decision log, and the deployment's secrets. The request path never calls it; only admin changes,
/// the log writer and background services do.
/// </summary>
public interface ICutoverStore : IAsyncDisposable
{
    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    string Provider { get; }

    /// <summary>A description of where the data is, without credentials.</summary>
    string Location { get; }

    /// <summary>
    /// The full path of the database file, or null when the data is not in a local file (PostgreSQL, an in-memory
    /// SQLite database): where files that belong with the store, such as the hashing key, can be kept beside it.
    /// </summary>
    string? FilePath { get; }

    /// <summary>Applies every schema migration not yet applied. Safe to run again.</summary>
    Task<int> MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The highest applied migration; 0 for an empty database.</summary>
    Task<int> SchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>Checks that the store answers.</summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>Loads the routing state, storing <paramref name="initial"/> first if there is none.</summary>
    Task<RoutingState> LoadRoutingStateAsync(RoutingState initial, CancellationToken cancellationToken);

    /// <summary>The version of the stored routing state, to notice changes made elsewhere.</summary>
    Task<long> RoutingVersionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="next"/> and the audit events that led to it in one transaction if the stored
    /// version is still <paramref name="expectedVersion"/>: the events as stored (with their ids), or null
    /// (nothing written) when someone else changed the state first.
    /// </summary>
    Task<IReadOnlyList<AuditEvent>?> TryCommitRoutingAsync(
        long expectedVersion, RoutingState next, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken);

    /// <summary>The audit trail, newest first.</summary>
    Task<IReadOnlyList<AuditEvent>> HistoryAsync(HistoryQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Appends a batch of decisions and adds them to their rollups, in one transaction, so stats always agree with
    /// the log. User keys and message ids are already protected.
    /// </summary>
    Task WriteDecisionsAsync(IReadOnlyList<DecisionRecord> batch, CancellationToken cancellationToken);

    /// <summary>Reads decisions back, newest first.</summary>
    Task<IReadOnlyList<DecisionRecord>> QueryDecisionsAsync(DecisionQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// The users the decision log saw in [<paramref name="from"/>, <paramref name="to"/>): one row per stored user key
    /// and domain, with the bucket and the number of decisions. Only decisions a bucket can route are counted: those
    /// with a user key and a bucket, and not changes of other fields (rule <c>field</c>), which go where their field is
    /// configured to go whatever the bucket.
    /// </summary>
    Task<IReadOnlyList<UserActivity>> ReadUserActivityAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The rollup rows of periods of <paramref name="resolution"/> (a minute or an hour) starting in [from, to).</summary>
    Task<IReadOnlyList<RollupRow>> ReadRollupsAsync(TimeSpan resolution, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Deletes decisions and rollups older than the given times, in slices that never block the log writer for long.</summary>
    Task<PurgeResult> PurgeAsync(DateTimeOffset decisionsBefore, DateTimeOffset rollupsBefore, CancellationToken cancellationToken);

    /// <summary>The rollout's state; <see cref="RolloutState.Idle"/> at version 0 when none was ever stored.</summary>
    Task<RolloutState> LoadRolloutAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="next"/> (at version <paramref name="expectedVersion"/> + 1), the rollback if any, and the
    /// audit events, in one transaction if the stored version is still <paramref name="expectedVersion"/>: the events
    /// as stored, or null (nothing written) when someone else changed the rollout first.
    /// </summary>
    Task<IReadOnlyList<AuditEvent>?> TrySaveRolloutAsync(
        long expectedVersion, RolloutState next, IReadOnlyList<AuditEvent> events, RollbackRecord? rollback, CancellationToken cancellationToken);

    /// <summary>The rollbacks, newest first.</summary>
    Task<IReadOnlyList<RollbackRecord>> RollbacksAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Stores a baseline; returns it with its id.</summary>
    Task<Baseline> SaveBaselineAsync(Baseline baseline, CancellationToken cancellationToken);

    /// <summary>The newest baseline, or null when none was captured.</summary>
    Task<Baseline?> LatestBaselineAsync(CancellationToken cancellationToken);

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

    /// <summary>Replaces the stored health verdict with <paramref name="snapshot"/>.</summary>
    Task SaveHealthAsync(HealthSnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>The last stored health verdict, or null when no instance has stored one.</summary>
    Task<HealthSnapshot?> LatestHealthAsync(CancellationToken cancellationToken);

    /// <summary>A random secret of the deployment, made on first use and kept.</summary>
    Task<byte[]> GetOrCreateSecretAsync(string name, int length, CancellationToken cancellationToken);

    /// <summary>The stored secret of that name, or null when there is none (nothing is made).</summary>
    Task<byte[]?> ReadSecretAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the stored secret of that name, overwriting its bytes where the store can (SQLite): whether there was
    /// one. For a secret that must not stay beside the data it protects.
    /// </summary>
    Task<bool> DeleteSecretAsync(string name, CancellationToken cancellationToken);
}
