using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Cutover.Core.Health;
using Npgsql;
using NpgsqlTypes;

namespace Cutover.Store.Postgres;

/// <summary>
/// What several instances share: leases (session advisory locks), change notifications (LISTEN/NOTIFY),
/// conversation memory and the last health verdict.
/// </summary>
internal sealed partial class PostgresStore
{
    /// <summary>The channel the triggers notify on; payloads are <see cref="StoreChannels"/> values.</summary>
    internal const string NotifyChannel = "cutover_changes";

    // Serializes conversation writers for the length of their transaction, so sequence numbers become visible in
    // the order they were taken: a reader that saw seq 10 can never later find a 9 committed behind it.
    private const long ConversationsLockKey = 0x636F6E76_65727361;

    public async Task<IStoreSubscription> SubscribeAsync(CancellationToken cancellationToken)
    {
        var subscription = new PostgresSubscription(_dataSource, NotifyChannel, _time);
        await subscription.StartAsync(cancellationToken);
        return subscription;
    }

    public async Task<IStoreLease?> TryAcquireLeaseAsync(string name, CancellationToken cancellationToken)
    {
        // A dedicated connection, not the pool's: the lock lives exactly as long as this connection.
        var connection = await OpenAsync(cancellationToken);
        try
        {
            await using var command = Command(connection, null, "SELECT pg_try_advisory_lock(@key)");
            command.Parameters.AddWithValue("key", LeaseKey(name));
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
            {
                var lease = new PostgresLease(name, LeaseKey(name), connection);
                connection = null;
                return lease;
            }

            return null;
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>A lease's advisory lock key: a stable 64-bit hash of its name (never string.GetHashCode, which varies per process).</summary>
    internal static long LeaseKey(string name) => (long)XxHash64.HashToUInt64(Encoding.UTF8.GetBytes("cutover-lease:" + name));

    public async Task WriteConversationsAsync(IReadOnlyList<ConversationEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        // The newest entry per user, in key order: one row per key for ON CONFLICT, and a lock order every writer shares.
        var latest = entries
            .GroupBy(static e => e.UserKey, StringComparer.Ordinal)
            .Select(static g => g.MaxBy(static e => e.SeenAt)!)
            .OrderBy(static e => e.UserKey, StringComparer.Ordinal)
            .ToList();
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({ConversationsLockKey})", cancellationToken);
        await using var upsert = Command(connection, transaction, """
            INSERT INTO cutover_conversations AS c (user_key, domain, seen_at, instance, seq)
            SELECT u.user_key, u.domain, u.seen_at, u.instance, nextval('cutover_conversations_seq')
            FROM unnest(@users, @domains, @seen, @instances) WITH ORDINALITY AS u(user_key, domain, seen_at, instance, n)
            ORDER BY u.n
            ON CONFLICT (user_key) DO UPDATE SET domain = excluded.domain, seen_at = excluded.seen_at,
                instance = excluded.instance, seq = excluded.seq
            WHERE excluded.seen_at >= c.seen_at
            """);
        upsert.Parameters.AddWithValue("users", NpgsqlDbType.Array | NpgsqlDbType.Text, latest.Select(static e => e.UserKey).ToArray());
        upsert.Parameters.AddWithValue("domains", NpgsqlDbType.Array | NpgsqlDbType.Text, latest.Select(static e => e.Domain).ToArray());
        upsert.Parameters.AddWithValue("seen", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
            latest.Select(static e => e.SeenAt.UtcDateTime).ToArray());
        upsert.Parameters.AddWithValue("instances", NpgsqlDbType.Array | NpgsqlDbType.Text, latest.Select(static e => e.Instance).ToArray());
        await upsert.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ConversationEntry>> ReadConversationsAsync(
        long afterSequence, DateTimeOffset seenSince, string exceptInstance, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var select = Command(connection, null, """
            SELECT user_key, domain, seen_at, instance, seq FROM cutover_conversations
            WHERE seq > @after AND seen_at >= @since AND instance <> @instance
            ORDER BY seq LIMIT @limit
            """);
        select.Parameters.AddWithValue("after", afterSequence);
        select.Parameters.AddWithValue("since", seenSince.ToUniversalTime());
        select.Parameters.AddWithValue("instance", exceptInstance);
        select.Parameters.AddWithValue("limit", Math.Clamp(limit, 1, 100_000));
        var entries = new List<ConversationEntry>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new ConversationEntry(reader.GetString(0), reader.GetString(1),
                reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3), reader.GetInt64(4)));
        }

        return entries;
    }

    public async Task<long> PurgeConversationsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await DeleteInSlicesAsync(connection, """
            DELETE FROM cutover_conversations WHERE user_key IN (SELECT user_key FROM cutover_conversations WHERE seen_at < @before LIMIT 5000)
            """, before, cancellationToken);
    }

    public async Task SaveHealthAsync(HealthSnapshot snapshot, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var upsert = Command(connection, null, """
            INSERT INTO cutover_health (id, instance, evaluated_at, state, checks) VALUES (1, @instance, @at, @state, @checks)
            ON CONFLICT (id) DO UPDATE SET instance = excluded.instance, evaluated_at = excluded.evaluated_at,
                state = excluded.state, checks = excluded.checks
            """);
        upsert.Parameters.AddWithValue("instance", snapshot.Instance);
        upsert.Parameters.AddWithValue("at", snapshot.Report.At.ToUniversalTime());
        upsert.Parameters.AddWithValue("state", snapshot.Report.State.ToName());
        upsert.Parameters.AddWithValue("checks", NpgsqlDbType.Jsonb,
            StoredHealthCheck.ToJson(snapshot.Report));
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<HealthSnapshot?> LatestHealthAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var select = Command(connection, null, "SELECT instance, evaluated_at, state, checks::text FROM cutover_health WHERE id = 1");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return StoredHealthCheck.ToSnapshot(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3));
    }
}
