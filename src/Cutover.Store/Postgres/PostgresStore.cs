using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;
using Npgsql;
using NpgsqlTypes;

namespace Cutover.Store.Postgres;

/// <summary>
/// The shared store for many instances: one PostgreSQL database, reached through one pooled
/// <see cref="NpgsqlDataSource"/>. Instances coordinate through the database itself: row locks and version checks for
/// the routing state and the rollout, advisory locks for migrations and leases, LISTEN/NOTIFY for changes.
/// </summary>
internal sealed partial class PostgresStore : ICutoverStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;

    public PostgresStore(string connectionString, TimeProvider time)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            // No inner exception: what the parser complains about may quote a part of the string, password included.
            throw new StoreException(
                $"Store:ConnectionString is not a PostgreSQL connection string: {Redact(ex.Message, connectionString)} " +
                "(use 'Host=db;Port=5432;Database=cutover;Username=cutover;Password=…', and Store:ConnectionString = env:NAME to keep the whole string out of the file)");
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new StoreException("Store:ConnectionString names no host: add 'Host=db.example' (and Database, Username)");
        }

        Location = $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username ?? "(default database)"}";
        try
        {
            _dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or InvalidOperationException)
        {
            throw new StoreException($"Store:ConnectionString for {Location} cannot be used: {Redact(ex.Message, connectionString)}");
        }

        _time = time;
    }

    public string Provider => StoreFactory.Postgres;

    public string Location { get; }

    public string? FilePath => null;

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // Session lock, held through every migration's own transaction: instances starting together queue here,
        // and each then sees the versions the first one applied.
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({PostgresMigrations.MigrationLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     integer PRIMARY KEY,
                    description text        NOT NULL,
                    applied_at  timestamptz NOT NULL
                )
                """, cancellationToken);
            var current = await SchemaVersionAsync(connection, cancellationToken);
            var applied = 0;
            foreach (var (version, description, sql) in PostgresMigrations.All)
            {
                if (version <= current)
                {
                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, transaction, sql, cancellationToken);
                await using (var record = Command(connection, transaction,
                    "INSERT INTO schema_migrations (version, description, applied_at) VALUES (@v, @d, @at)"))
                {
                    record.Parameters.AddWithValue("v", version);
                    record.Parameters.AddWithValue("d", description);
                    record.Parameters.AddWithValue("at", _time.GetUtcNow());
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                applied++;
            }

            return applied;
        }
        finally
        {
            // The connection goes back to the pool: the lock must not go with it. If the connection broke, the
            // server has released the lock already, and the exception that matters is the one already thrown.
            try
            {
                await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({PostgresMigrations.MigrationLockKey})", CancellationToken.None);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // Nothing held any more.
            }
        }
    }

    public async Task<int> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await SchemaVersionAsync(connection, cancellationToken);
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "SELECT 1", cancellationToken);
    }

    public async Task<RoutingState> LoadRoutingStateAsync(RoutingState initial, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var state = await ReadStateAsync(connection, null, lockRow: false, cancellationToken);
        if (state is not null)
        {
            return state;
        }

        // Two instances may start on an empty database at once: the one-row index lets one insert win.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = Command(connection, transaction, """
            INSERT INTO webhook_routing_config (version, enabled, percentage, domains, domain_percentages, created_at, updated_at)
            VALUES (@version, @enabled, @percent, @domains, @domainPercents, @updatedAt, @updatedAt)
            ON CONFLICT DO NOTHING
            """))
        {
            BindState(insert, initial);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                await WriteOverridesAsync(connection, transaction, initial, cancellationToken);
            }
        }

        state = await ReadStateAsync(connection, transaction, lockRow: false, cancellationToken)
            ?? throw new StoreException($"the routing state of {Location} vanished while it was being stored");
        await transaction.CommitAsync(cancellationToken);
        return state;
    }

    public async Task<long> RoutingVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT version FROM webhook_routing_config");
        return await command.ExecuteScalarAsync(cancellationToken) is long version ? version : 0;
    }

    public async Task<IReadOnlyList<AuditEvent>?> TryCommitRoutingAsync(
        long expectedVersion, RoutingState next, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // FOR UPDATE: a concurrent commit (or a SQL function) waits for this one, then sees the new version.
        await using (var check = Command(connection, transaction, "SELECT version FROM webhook_routing_config FOR UPDATE"))
        {
            if (await check.ExecuteScalarAsync(cancellationToken) is not long version || version != expectedVersion)
            {
                return null;
            }
        }

        await using (var update = Command(connection, transaction, """
            UPDATE webhook_routing_config SET version = @version, enabled = @enabled, percentage = @percent, domains = @domains,
                domain_percentages = @domainPercents, updated_at = @updatedAt
            """))
        {
            BindState(update, next);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await ExecuteAsync(connection, transaction, "DELETE FROM webhook_routing_overrides", cancellationToken);
        await WriteOverridesAsync(connection, transaction, next, cancellationToken);
        var stored = await InsertAuditAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return stored;
    }

    public async Task<IReadOnlyList<AuditEvent>> HistoryAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, """
            SELECT id, at, kind, actor, reason, before, after FROM webhook_routing_audit
            WHERE (@since::timestamptz IS NULL OR at >= @since) AND (@kind::text IS NULL OR kind = @kind)
            ORDER BY id DESC LIMIT @limit
            """);
        command.Parameters.Add(new NpgsqlParameter("since", NpgsqlDbType.TimestampTz) { Value = query.Since is { } since ? since.ToUniversalTime() : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("kind", NpgsqlDbType.Text) { Value = (object?)query.Kind ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", Math.Clamp(query.Limit, 1, 10_000));
        var events = new List<AuditEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new AuditEvent(
                reader.GetInt64(0),
                reader.GetFieldValue<DateTimeOffset>(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return events;
    }

    public async Task<RolloutState> LoadRolloutAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await PostgresRollout.ReadAsync(connection, null, cancellationToken) ?? RolloutState.Idle(_time.GetUtcNow());
    }

    public async Task<IReadOnlyList<AuditEvent>?> TrySaveRolloutAsync(
        long expectedVersion, RolloutState next, IReadOnlyList<AuditEvent> events, RollbackRecord? rollback, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await PostgresRollout.TryWriteAsync(connection, transaction, expectedVersion, next with { Version = expectedVersion + 1 }, cancellationToken))
        {
            return null;
        }

        if (rollback is not null)
        {
            await PostgresRollout.InsertRollbackAsync(connection, transaction, rollback, cancellationToken);
        }

        var stored = await InsertAuditAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return stored;
    }

    public async Task<IReadOnlyList<RollbackRecord>> RollbacksAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await PostgresRollout.ReadRollbacksAsync(connection, Math.Clamp(limit, 1, 10_000), cancellationToken);
    }

    public async Task<Baseline> SaveBaselineAsync(Baseline baseline, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var insert = Command(connection, null, """
            INSERT INTO cutover_baselines (captured_at, window_seconds, actor, reason, domains, total)
            VALUES (@at, @window, @actor, @reason, @domains, @total)
            RETURNING id
            """);
        insert.Parameters.AddWithValue("at", baseline.CapturedAt.ToUniversalTime());
        insert.Parameters.AddWithValue("window", (long)baseline.Window.TotalSeconds);
        insert.Parameters.AddWithValue("actor", baseline.Actor);
        insert.Parameters.AddWithValue("reason", baseline.Reason);
        insert.Parameters.AddWithValue("domains", NpgsqlDbType.Jsonb, JsonSerializer.Serialize([.. baseline.Domains], StoreJson.Default.ListBaselineDomain));
        insert.Parameters.AddWithValue("total", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(baseline.Total, StoreJson.Default.BaselineDomain));
        return baseline with { Id = (long)(await insert.ExecuteScalarAsync(cancellationToken))! };
    }

    public async Task<Baseline?> LatestBaselineAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var select = Command(connection, null, """
            SELECT id, captured_at, window_seconds, actor, reason, domains::text, total::text FROM cutover_baselines ORDER BY id DESC LIMIT 1
            """);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new Baseline(
            reader.GetInt64(0),
            reader.GetFieldValue<DateTimeOffset>(1),
            TimeSpan.FromSeconds(reader.GetInt64(2)),
            reader.GetString(3),
            reader.GetString(4),
            JsonSerializer.Deserialize(reader.GetString(5), StoreJson.Default.ListBaselineDomain) ?? [],
            JsonSerializer.Deserialize(reader.GetString(6), StoreJson.Default.BaselineDomain)
                ?? throw new StoreException("a stored baseline has no total"));
    }

    public async Task<byte[]> GetOrCreateSecretAsync(string name, int length, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // One statement: of two instances creating the same secret at once, both read the winner's value.
        await using var upsert = Command(connection, null, """
            WITH inserted AS (
                INSERT INTO cutover_secrets (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING RETURNING value
            )
            SELECT value FROM inserted UNION ALL SELECT value FROM cutover_secrets WHERE name = @name LIMIT 1
            """);
        upsert.Parameters.AddWithValue("name", name);
        upsert.Parameters.AddWithValue("value", RandomNumberGenerator.GetBytes(length));
        if (await upsert.ExecuteScalarAsync(cancellationToken) is byte[] value)
        {
            return value;
        }

        // The row was inserted by a transaction not yet visible to this statement's snapshot: read again.
        await using var select = Command(connection, null, "SELECT value FROM cutover_secrets WHERE name = @name");
        select.Parameters.AddWithValue("name", name);
        return (byte[])(await select.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<byte[]?> ReadSecretAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var select = Command(connection, null, "SELECT value FROM cutover_secrets WHERE name = @name");
        select.Parameters.AddWithValue("name", name);
        return await select.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    public async Task<bool> DeleteSecretAsync(string name, CancellationToken cancellationToken)
    {
        // The dead row stays in its page until vacuumed and in the WAL and its archives: backups taken before keep it.
        await using var connection = await OpenAsync(cancellationToken);
        await using var delete = Command(connection, null, "DELETE FROM cutover_secrets WHERE name = @name");
        delete.Parameters.AddWithValue("name", name);
        return await delete.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async ValueTask DisposeAsync() => await _dataSource.DisposeAsync();

    internal async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            throw new StoreException($"cannot open the PostgreSQL store {Location}: {ex.Message}", ex);
        }
    }

    private static async Task<int> SchemaVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var exists = Command(connection, null, "SELECT to_regclass('schema_migrations') IS NOT NULL");
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
        {
            return 0;
        }

        await using var command = Command(connection, null, "SELECT coalesce(max(version), 0) FROM schema_migrations");
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<RoutingState?> ReadStateAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, bool lockRow, CancellationToken cancellationToken)
    {
        bool enabled;
        decimal percent;
        ImmutableSortedSet<string> routable;
        ImmutableSortedDictionary<string, decimal> domainPercents;
        long version;
        DateTimeOffset updatedAt;
        await using (var command = Command(connection, transaction,
            "SELECT enabled, percentage, domains, domain_percentages::text, version, updated_at FROM webhook_routing_config" +
            (lockRow ? " FOR UPDATE" : string.Empty)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            enabled = reader.GetBoolean(0);
            percent = reader.GetDecimal(1);
            routable = ImmutableSortedSet.CreateRange(StringComparer.Ordinal, reader.GetFieldValue<string[]>(2));
            domainPercents = (JsonSerializer.Deserialize(reader.GetString(3), StoreJson.Default.DictionaryStringDecimal) ?? [])
                .ToImmutableSortedDictionary(StringComparer.Ordinal);
            version = reader.GetInt64(4);
            updatedAt = reader.GetFieldValue<DateTimeOffset>(5);
        }

        var overrides = ImmutableSortedDictionary.CreateBuilder<string, UserOverride>(StringComparer.Ordinal);
        await using (var command = Command(connection, transaction,
            "SELECT user_key, route, domain, actor, reason, created_at FROM webhook_routing_overrides"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                Route? route = reader.IsDBNull(1) ? null : RouteNames.TryParse(reader.GetString(1), out var r) ? r : null;
                overrides[reader.GetString(0)] = new UserOverride(
                    route, reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.GetFieldValue<DateTimeOffset>(5));
            }
        }

        return new RoutingState(enabled, percent, domainPercents, routable, overrides.ToImmutable(), version, updatedAt);
    }

    private static void BindState(NpgsqlCommand command, RoutingState state)
    {
        command.Parameters.AddWithValue("version", state.Version);
        command.Parameters.AddWithValue("enabled", state.Enabled);
        command.Parameters.AddWithValue("percent", state.Percent);
        command.Parameters.AddWithValue("domains", state.Routable.ToArray());
        command.Parameters.AddWithValue("domainPercents", NpgsqlDbType.Jsonb,
            JsonSerializer.Serialize(state.DomainPercents.ToDictionary(), StoreJson.Default.DictionaryStringDecimal));
        command.Parameters.AddWithValue("updatedAt", state.UpdatedAt.ToUniversalTime());
    }

    private static async Task WriteOverridesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, RoutingState state, CancellationToken cancellationToken)
    {
        // Overrides are few (pinned test users): one row at a time keeps it simple.
        foreach (var (user, pin) in state.Overrides)
        {
            await using var command = Command(connection, transaction, """
                INSERT INTO webhook_routing_overrides (user_key, route, domain, actor, reason, created_at)
                VALUES (@user, @route, @domain, @actor, @reason, @at)
                """);
            command.Parameters.AddWithValue("user", user);
            command.Parameters.Add(new NpgsqlParameter("route", NpgsqlDbType.Text) { Value = (object?)pin.Route?.ToName() ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("domain", NpgsqlDbType.Text) { Value = (object?)pin.Domain ?? DBNull.Value });
            command.Parameters.AddWithValue("actor", pin.Actor);
            command.Parameters.AddWithValue("reason", pin.Reason);
            command.Parameters.AddWithValue("at", pin.At.ToUniversalTime());
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task<List<AuditEvent>> InsertAuditAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        var stored = new List<AuditEvent>(events.Count);
        foreach (var audit in events)
        {
            await using var insert = Command(connection, transaction, """
                INSERT INTO webhook_routing_audit (at, kind, actor, reason, before, after)
                VALUES (@at, @kind, @actor, @reason, @before, @after)
                RETURNING id
                """);
            insert.Parameters.AddWithValue("at", audit.At.ToUniversalTime());
            insert.Parameters.AddWithValue("kind", audit.Kind);
            insert.Parameters.AddWithValue("actor", audit.Actor);
            insert.Parameters.AddWithValue("reason", audit.Reason);
            insert.Parameters.Add(new NpgsqlParameter("before", NpgsqlDbType.Text) { Value = (object?)audit.Before ?? DBNull.Value });
            insert.Parameters.Add(new NpgsqlParameter("after", NpgsqlDbType.Text) { Value = (object?)audit.After ?? DBNull.Value });
            stored.Add(audit with { Id = (long)(await insert.ExecuteScalarAsync(cancellationToken))! });
        }

        return stored;
    }

    internal static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql) =>
        new(sql, connection, transaction);

    internal static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>jsonb prints ", " and ": "; the writer gave compact JSON, so give it back compact.</summary>
    internal static string CompactJson(string json) => JsonNode.Parse(json)?.ToJsonString() ?? "null";

    /// <summary>Removes the password's value from a message that may quote the connection string.</summary>
    private static string Redact(string message, string connectionString)
    {
        foreach (Match match in PasswordPattern().Matches(connectionString))
        {
            var secret = match.Groups["value"].Value.Trim();
            if (secret.Length > 0)
            {
                message = message.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return message;
    }

    [GeneratedRegex(@"(?i)(?:password|pwd)\s*=\s*(?<value>[^;]*)")]
    private static partial Regex PasswordPattern();
}
