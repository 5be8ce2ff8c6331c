using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Cutover.Core.Health;
using Microsoft.Data.Sqlite;

namespace Cutover.Store.Sqlite;

/// <summary>
/// What several instances share: leases, change notifications, conversation memory, the health verdict. A SQLite
/// file serves one process (the store holds it: see <see cref="SqliteStore"/>), so a lease is a lock within this
/// process and there are no notifications (stores on the same file in one process poll); conversations and health
/// are tables like any other.
/// </summary>
internal sealed partial class SqliteStore
{
    // One lock per file and lease name, shared by every store object of this process on that file.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Leases = new(StringComparer.Ordinal);

    public Task<IStoreSubscription> SubscribeAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IStoreSubscription>(new SilentSubscription());

    public async Task<IStoreLease?> TryAcquireLeaseAsync(string name, CancellationToken cancellationToken)
    {
        var gate = Leases.GetOrAdd($"{Path.GetFullPath(Location)}\n{name}", static _ => new SemaphoreSlim(1, 1));
        return await gate.WaitAsync(TimeSpan.Zero, cancellationToken) ? new ProcessLease(name, gate) : null;
    }

    public Task WriteConversationsAsync(IReadOnlyList<ConversationEntry> entries, CancellationToken cancellationToken) =>
        entries.Count == 0 ? Task.CompletedTask : WriteAsync(async connection =>
    {
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var upsert = Command(connection, transaction, """
            INSERT INTO cutover_conversations (user_key, domain, seen_at, instance, seq)
            VALUES ($user, $domain, $seen, $instance, (SELECT coalesce(max(seq), 0) + 1 FROM cutover_conversations))
            ON CONFLICT (user_key) DO UPDATE SET domain = excluded.domain, seen_at = excluded.seen_at,
                instance = excluded.instance, seq = excluded.seq
            WHERE excluded.seen_at >= cutover_conversations.seen_at
            """);
        var user = upsert.Parameters.Add("$user", SqliteType.Text);
        var domain = upsert.Parameters.Add("$domain", SqliteType.Text);
        var seen = upsert.Parameters.Add("$seen", SqliteType.Integer);
        var instance = upsert.Parameters.Add("$instance", SqliteType.Text);
        foreach (var entry in entries)
        {
            user.Value = entry.UserKey;
            domain.Value = entry.Domain;
            seen.Value = entry.SeenAt.ToUnixTimeMilliseconds();
            instance.Value = entry.Instance;
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }, cancellationToken);

    public async Task<IReadOnlyList<ConversationEntry>> ReadConversationsAsync(
        long afterSequence, DateTimeOffset seenSince, string exceptInstance, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var select = Command(connection, null, """
            SELECT user_key, domain, seen_at, instance, seq FROM cutover_conversations
            WHERE seq > $after AND seen_at >= $since AND instance <> $instance
            ORDER BY seq LIMIT $limit
            """);
        select.Parameters.AddWithValue("$after", afterSequence);
        select.Parameters.AddWithValue("$since", seenSince.ToUnixTimeMilliseconds());
        select.Parameters.AddWithValue("$instance", exceptInstance);
        select.Parameters.AddWithValue("$limit", Math.Clamp(limit, 1, 100_000));
        var entries = new List<ConversationEntry>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new ConversationEntry(reader.GetString(0), reader.GetString(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3), reader.GetInt64(4)));
        }

        return entries;
    }

    public Task<long> PurgeConversationsAsync(DateTimeOffset before, CancellationToken cancellationToken) => WriteAsync(async connection =>
    {
        return await DeleteInSlicesAsync(connection, """
            DELETE FROM cutover_conversations WHERE user_key IN (SELECT user_key FROM cutover_conversations WHERE seen_at < $before LIMIT 5000)
            """, before, cancellationToken);
    }, cancellationToken);

    public Task SaveHealthAsync(HealthSnapshot snapshot, CancellationToken cancellationToken) => WriteAsync(async connection =>
    {
        await using var upsert = Command(connection, null, """
            INSERT OR REPLACE INTO cutover_health (id, instance, evaluated_at, state, checks) VALUES (1, $instance, $at, $state, $checks)
            """);
        upsert.Parameters.AddWithValue("$instance", snapshot.Instance);
        upsert.Parameters.AddWithValue("$at", Iso(snapshot.Report.At));
        upsert.Parameters.AddWithValue("$state", snapshot.Report.State.ToName());
        upsert.Parameters.AddWithValue("$checks",
            StoredHealthCheck.ToJson(snapshot.Report));
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }, cancellationToken);

    public async Task<HealthSnapshot?> LatestHealthAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var select = Command(connection, null, "SELECT instance, evaluated_at, state, checks FROM cutover_health WHERE id = 1");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return StoredHealthCheck.ToSnapshot(reader.GetString(0), ParseIso(reader.GetString(1)), reader.GetString(2), reader.GetString(3));
    }

    private sealed class SilentSubscription : IStoreSubscription
    {
        private readonly Channel<string> _changes = Channel.CreateUnbounded<string>();

        public ChannelReader<string> Changes => _changes.Reader;

        public bool IsLive => false;

        public ValueTask DisposeAsync()
        {
            _changes.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ProcessLease(string name, SemaphoreSlim gate) : IStoreLease
    {
        private int _released;

        public string Name => name;

        public Task<bool> IsHeldAsync(CancellationToken cancellationToken) => Task.FromResult(Volatile.Read(ref _released) == 0);

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }

            return ValueTask.CompletedTask;
        }
    }
}
