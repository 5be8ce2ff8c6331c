using System.Data.Common;
using System.IO.Hashing;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Store.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Cutover.Store.Postgres;

/// <summary>
/// The shared store for many instances: one PostgreSQL database, reached through one pooled
/// <see cref="NpgsqlDataSource"/>. Instances coordinate through the database itself: row locks and version checks for
/// the routing state and the rollout, advisory locks for migrations and leases, LISTEN/NOTIFY for changes. The flows
/// are <see cref="SqlStore"/>'s; what is PostgreSQL's own is here: the decision log's binary COPY, concurrent
/// writers of the same rows, and the cluster's locks and notifications.
/// </summary>
internal sealed partial class PostgresStore : SqlStore
{
    /// <summary>The channel the triggers notify on; payloads are <see cref="StoreChannels"/> values.</summary>
    internal const string NotifyChannel = "cutover_changes";

    // Serializes conversation writers for the length of their transaction, so sequence numbers become visible in
    // the order they were taken: a reader that saw seq 10 can never later find a 9 committed behind it.
    private const long ConversationsLockKey = 0x636F6E76_65727361;

    // The same for identity writers ("identiti" in ASCII).
    private const long IdentitiesLockKey = 0x6964656E_74697469;

    // The same for acceptances into the delivery queue ("delivers" in ASCII).
    private const long DeliveriesLockKey = 0x64656C69_76657273;

    private const string CopyDecisionsSql = """
        COPY webhook_routing_logs (created_at, correlation_id, message_id, from_number, kind, domain, rule, bucket, routed_to,
            webhook_name, handler, status, status_code, response_time_ms, error_message, fallback)
        FROM STDIN (FORMAT BINARY)
        """;

    private readonly NpgsqlDataSource _dataSource;

    public PostgresStore(string connectionString, TimeProvider time)
        : base(time)
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
    }

    public override string Provider => StoreFactory.Postgres;

    public override string Location { get; }

    // Times are timestamptz (written in UTC, as Npgsql requires); percentages numeric(5,2); JSON jsonb; the routable
    // domains the runbooks' text[].
    protected override object Time(DateTimeOffset value) => value.ToUniversalTime();

    protected override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    protected override object Percent(decimal value) => value;

    protected override object Json(string json) => new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = json };

    protected override string ReadJson(DbDataReader reader, int ordinal) => CompactJson(reader.GetString(ordinal));

    protected override object Domains(IEnumerable<string> domains) => domains.ToArray();

    protected override IEnumerable<string> ReadDomains(DbDataReader reader, int ordinal) => reader.GetFieldValue<string[]>(ordinal);

    protected override (string Sql, object Value) NotAmong(string column, string parameter, IReadOnlyCollection<string> values) =>
        ($"{column} <> ALL(@{parameter})", values.ToArray());

    protected override (string Sql, object Value) AmongIds(string column, string parameter, IReadOnlyCollection<long> ids) =>
        ($"{column} = ANY(@{parameter})", ids.ToArray());

    /// <summary>
    /// Each claimer locks the rows it takes and skips those another claimer has locked, so many claim at once without
    /// waiting. A skipped row is still pending in this statement's snapshot, so it still holds back the later updates
    /// of its person here; and a row another claimer took and committed since the snapshot is checked again when it
    /// is locked (READ COMMITTED re-reads it), finds it leased, and is left.
    /// </summary>
    protected override string ClaimLockSql => "\n    FOR UPDATE OF d SKIP LOCKED";

    /// <summary>
    /// One statement for the whole group's keys, where row by row cost a round trip per key under the acceptance lock.
    /// The keys are distinct, so ON CONFLICT only meets rows accepted before.
    /// </summary>
    protected override async Task<IReadOnlySet<string>> InsertNewKeysAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<(string Key, DateTimeOffset At)> keys, CancellationToken cancellationToken)
    {
        var inserted = await connection.ListAsync(transaction, """
            INSERT INTO cutover_dedup (key, accepted_at)
            SELECT * FROM unnest(@keys, @at)
            ON CONFLICT (key) DO NOTHING
            RETURNING key
            """, static r => r.GetString(0), cancellationToken,
            ("keys", keys.Select(static k => k.Key).ToArray()),
            ("at", keys.Select(static k => k.At.UtcDateTime).ToArray()));
        return inserted.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// One statement for the whole group, where row by row cost a round trip per webhook and per update under the
    /// acceptance lock. Ids are taken with nextval in the select lists, which PostgreSQL evaluates after ORDER BY (as
    /// the conversations' upsert relies on), so inbox and delivery ids rise in acceptance order; and each webhook's id
    /// is taken before its row is inserted, so its updates join it by position, not by the order RETURNING happens to
    /// give. The foreign key from the deliveries is checked at the end of the statement, when the inbox rows are in.
    /// </summary>
    protected override async Task<long[]> InsertAcceptedAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<AcceptedWebhook> accepted, CancellationToken cancellationToken)
    {
        // Per delivery row: the webhook's position in this list (1-based, as WITH ORDINALITY counts), the update's index
        // and person; an unparseable webhook has one row, index -1, the whole body as a dead letter.
        var rows = accepted.Sum(static a => Math.Max(a.Updates.Count, 1));
        var webhookOf = new int[rows];
        var indexes = new int[rows];
        var persons = new string?[rows];
        var r = 0;
        for (var w = 0; w < accepted.Count; w++)
        {
            if (accepted[w].Webhook.ParseError is not null)
            {
                (webhookOf[r], indexes[r], persons[r]) = (w + 1, -1, null);
                r++;
                continue;
            }

            foreach (var update in accepted[w].Updates)
            {
                (webhookOf[r], indexes[r], persons[r]) = (w + 1, update.Index, update.PersonKey);
                r++;
            }
        }

        var ids = await connection.ListAsync(transaction, $"""
            WITH w AS (
                SELECT nextval(pg_get_serial_sequence('cutover_inbox', 'id')) AS id, w.*
                FROM unnest(@at, @correlations, @bodies, @signatures, @counts, @errors) WITH ORDINALITY
                    AS w(at, correlation_id, body, signature, update_count, parse_error, n)
                ORDER BY w.n
            ), inbox AS (
                INSERT INTO cutover_inbox (id, received_at, correlation_id, body, signature, update_count, parse_error)
                SELECT id, at, correlation_id, body, signature, update_count, parse_error FROM w
            ), deliveries AS (
                INSERT INTO cutover_deliveries (id, inbox_id, update_index, person_key, state, accepted_at, next_attempt_at, attempts,
                    finished_at, reason, error)
                SELECT nextval(pg_get_serial_sequence('cutover_deliveries', 'id')), w.id, u.update_index, u.person_key,
                    CASE WHEN w.parse_error IS NULL THEN 'pending' ELSE 'dead' END, w.at, w.at, 0,
                    CASE WHEN w.parse_error IS NULL THEN NULL ELSE w.at END,
                    CASE WHEN w.parse_error IS NULL THEN NULL ELSE '{UnparseableReason}' END,
                    w.parse_error
                FROM unnest(@webhooks, @indexes, @persons) WITH ORDINALITY AS u(webhook, update_index, person_key, n)
                JOIN w ON w.n = u.webhook
                ORDER BY u.n
            )
            SELECT id FROM w ORDER BY n
            """, static reader => reader.GetInt64(0), cancellationToken,
            ("at", accepted.Select(static a => a.Webhook.ReceivedAt.UtcDateTime).ToArray()),
            ("correlations", accepted.Select(static a => a.Webhook.CorrelationId).ToArray()),
            ("bodies", new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, Value = accepted.Select(static a => a.Webhook.Body).ToArray() }),
            ("signatures", new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = accepted.Select(static a => a.Webhook.Signature).ToArray() }),
            ("counts", accepted.Select(static a => a.Webhook.ParseError is null ? a.Webhook.Updates.Count : 0).ToArray()),
            ("errors", new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = accepted.Select(static a => a.Webhook.ParseError).ToArray() }),
            ("webhooks", webhookOf),
            ("indexes", indexes),
            ("persons", new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = persons }));
        return [.. ids];
    }

    /// <summary>
    /// One round trip: the claiming UPDATE in a WITH, joined to its webhooks, as a statement of its own (atomic without
    /// a transaction around it, whose COMMIT would be a second round trip).
    /// </summary>
    protected override Task<IReadOnlyList<ClaimedDelivery>> ClaimCoreAsync(string claim, CancellationToken cancellationToken, params (string, object?)[] parameters) =>
        WriteAsync<IReadOnlyList<ClaimedDelivery>>(async connection => await connection.ListAsync(null, $"""
            WITH d AS (
            {claim}
            RETURNING id, inbox_id, update_index, accepted_at, attempts, person_key, target
            )
            SELECT {ClaimedColumns}
            FROM d JOIN cutover_inbox i ON i.id = d.inbox_id
            ORDER BY d.id
            """, ReadClaimed, cancellationToken, parameters), cancellationToken);

    /// <summary>
    /// Finishing need not be durable (see <see cref="IDeliveryStore.FinishAsync"/>), so it does not wait for the WAL's
    /// flush: an outcome lost to a crash of the server leaves its row leased, and the update is delivered again.
    /// </summary>
    protected override Task<T> InLazyTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(transaction, "SET LOCAL synchronous_commit = off", cancellationToken);
            return await work(connection, transaction);
        }, cancellationToken);

    /// <summary>
    /// One statement for the batch, where row by row cost two round trips an outcome: the rows change from the arrays,
    /// and the attempts of those that changed are inserted beside.
    /// </summary>
    protected override async Task<IReadOnlyList<bool>> FinishRowsAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<LeaseOutcome> outcomes, CancellationToken cancellationToken)
    {
        var rows = outcomes.Select(OutcomeParameters).ToList();
        var made = outcomes.Where(static o => o.Attempt is not null).Select(o => AttemptParameters(o.Id, o.Attempt!)).ToList();
        var finished = await connection.ListAsync(transaction, $"""
            WITH u AS (
                SELECT * FROM unnest(@id, @owner, @state, @counted, @next, @finished, @upstream, @reason, @error, @domain, @route)
                    AS u(id, owner, state, counted, next, finished, upstream, reason, error, domain, route)
            ), done AS (
                UPDATE cutover_deliveries AS d SET {FinishSetSql}
                FROM u
                WHERE d.id = u.id AND d.state = 'inflight' AND d.lease_owner = u.owner
                RETURNING d.id
            ), attempts AS (
                INSERT INTO cutover_delivery_attempts (delivery_id, number, at, upstream, route, status_code, error, latency_ms)
                SELECT a.* FROM unnest(@a_id, @a_number, @a_at, @a_upstream, @a_route, @a_status, @a_error, @a_latency)
                    AS a(delivery_id, number, at, upstream, route, status_code, error, latency_ms)
                WHERE a.delivery_id IN (SELECT id FROM done)
            )
            SELECT id FROM done
            """, static r => r.GetInt64(0), cancellationToken,
            ("id", Column<long>(rows, 0)), ("owner", Column<string>(rows, 1)), ("state", Column<string>(rows, 2)), ("counted", Column<int>(rows, 3)),
            ("next", Typed(Column<DateTimeOffset?>(rows, 4), NpgsqlDbType.TimestampTz)),
            ("finished", Typed(Column<DateTimeOffset?>(rows, 5), NpgsqlDbType.TimestampTz)),
            ("upstream", Typed(Column<string?>(rows, 6), NpgsqlDbType.Text)), ("reason", Typed(Column<string?>(rows, 7), NpgsqlDbType.Text)),
            ("error", Typed(Column<string?>(rows, 8), NpgsqlDbType.Text)), ("domain", Typed(Column<string?>(rows, 9), NpgsqlDbType.Text)),
            ("route", Typed(Column<string?>(rows, 10), NpgsqlDbType.Text)),
            ("a_id", Column<long>(made, 0)), ("a_number", Column<int>(made, 1)), ("a_at", Typed(Column<DateTimeOffset?>(made, 2), NpgsqlDbType.TimestampTz)),
            ("a_upstream", Typed(Column<string?>(made, 3), NpgsqlDbType.Text)), ("a_route", Typed(Column<string?>(made, 4), NpgsqlDbType.Text)),
            ("a_status", Column<int>(made, 5)), ("a_error", Typed(Column<string?>(made, 6), NpgsqlDbType.Text)), ("a_latency", Column<double>(made, 7)));
        var changed = finished.ToHashSet();
        return [.. outcomes.Select(o => changed.Contains(o.Id))];
    }

    private static T[] Column<T>(List<object?[]> rows, int index) => [.. rows.Select(r => (T)r[index]!)];

    private static NpgsqlParameter Typed<T>(T[] values, NpgsqlDbType type) => new() { NpgsqlDbType = NpgsqlDbType.Array | type, Value = values };

    protected override IReadOnlyList<(int Version, string Description, string Sql)> Migrations => PostgresMigrations.All;

    protected override string CreateMigrationsTableSql => PostgresMigrations.CreateTableSql;

    protected override string MigrationsTableExistsSql => "SELECT to_regclass('schema_migrations') IS NOT NULL";

    protected override string LockRoutingVersionSql => "SELECT version FROM webhook_routing_config FOR UPDATE";

    protected override string PurgeRollupsSql => """
        DELETE FROM webhook_routing_rollups WHERE ctid IN (
            SELECT ctid FROM webhook_routing_rollups WHERE period_start < @before LIMIT 5000)
        """;

    protected override string SliceStartSql => "(floor(extract(epoch FROM created_at) * 1000 / @slice) * @slice)::bigint";

    protected override string RollupLatencyColumns => "latency_zero, latency_sum_ms, latency_min, latency_max, latency_buckets::text";

    protected override byte[] ReadLatency(DbDataReader reader, int ordinal) => PostgresRollups.Sketch(
        reader.GetInt64(ordinal), reader.GetDouble(ordinal + 1), reader.GetDouble(ordinal + 2), reader.GetDouble(ordinal + 3), reader.GetString(ordinal + 4))
        .ToBytes();

    protected override async Task<int> MigrateExclusivelyAsync(Func<DbConnection, Task<int>> apply, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // Session lock, held through every migration's own transaction: instances starting together queue here,
        // and each then sees the versions the first one applied.
        await connection.ExecuteAsync(null, $"SELECT pg_advisory_lock({PostgresMigrations.MigrationLockKey})", cancellationToken);
        try
        {
            return await apply(connection);
        }
        finally
        {
            // The connection goes back to the pool: the lock must not go with it. If the connection broke, the
            // server has released the lock already, and the exception that matters is the one already thrown.
            try
            {
                await connection.ExecuteAsync(null, $"SELECT pg_advisory_unlock({PostgresMigrations.MigrationLockKey})", CancellationToken.None);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // Nothing held any more.
            }
        }
    }

    /// <summary>Two instances may start on an empty database at once: the one-row index lets one insert win, and both read the winner's.</summary>
    protected override async Task<RoutingState> StoreFirstStateAsync(
        DbConnection connection, DbTransaction transaction, RoutingState initial, CancellationToken cancellationToken)
    {
        if (await connection.ExecuteAsync(transaction, """
            INSERT INTO webhook_routing_config (version, enabled, percentage, domains, domain_percentages, created_at, updated_at)
            VALUES (@version, @enabled, @percent, @domains, @domainPercents, @updatedAt, @updatedAt)
            ON CONFLICT DO NOTHING
            """, cancellationToken, StateParameters(initial)) == 1)
        {
            await WriteOverridesAsync(connection, transaction, initial, cancellationToken);
        }

        return await ReadStateAsync(connection, transaction, cancellationToken)
            ?? throw new StoreException($"the routing state of {Location} vanished while it was being stored");
    }

    protected override Task WriteDecisionBatchAsync(IReadOnlyList<DecisionRecord> batch, CancellationToken cancellationToken)
    {
        batch = WithoutNulCharacters(batch);
        return InTransactionAsync(async (connection, transaction) =>
        {
            await using (var importer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync(CopyDecisionsSql, cancellationToken))
            {
                // The synchronous writes fill Npgsql's buffer and only touch the socket when it is full (a few kilobytes to
                // a database on the local network at a time); awaiting each of the 16 values of each row instead made a
                // batch of 1,000 about 10% slower (IngestionRun: 19.6 ms against 17.6 ms median, minutes apart).
                foreach (var d in batch)
                {
                    importer.StartRow();
                    importer.Write(d.At.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                    importer.Write(d.CorrelationId, NpgsqlDbType.Text);
                    WriteNullable(importer, d.MessageId);
                    WriteNullable(importer, d.UserKey);
                    importer.Write(d.Kind.ToName(), NpgsqlDbType.Text);
                    importer.Write(d.Domain, NpgsqlDbType.Text);
                    importer.Write(d.Rule.ToName(), NpgsqlDbType.Text);
                    WriteNullable(importer, d.Bucket >= 0 ? d.Bucket : null);
                    importer.Write(d.Route.ToName(), NpgsqlDbType.Text);
                    importer.Write(d.Upstream, NpgsqlDbType.Text);
                    WriteNullable(importer, d.Handler);
                    importer.Write(d.Success ? "success" : "error", NpgsqlDbType.Text);
                    WriteNullable(importer, d.StatusCode > 0 ? d.StatusCode : null);
                    importer.Write(d.LatencyMs, NpgsqlDbType.Double);
                    WriteNullable(importer, d.Error);
                    importer.Write(d.Fallback, NpgsqlDbType.Boolean);
                }

                await importer.CompleteAsync(cancellationToken);
            }

            await PostgresRollups.AddAsync((NpgsqlConnection)connection, (NpgsqlTransaction)transaction, batch, cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// PostgreSQL text cannot hold U+0000, and one such character would fail the whole batch's COPY, again at every
    /// retry. Message ids, user keys and handler names come from outside, so a NUL is replaced (by U+FFFD) rather
    /// than trusted never to appear. The batch is copied only when a record needs it.
    /// </summary>
    internal static IReadOnlyList<DecisionRecord> WithoutNulCharacters(IReadOnlyList<DecisionRecord> batch)
    {
        DecisionRecord[]? cleaned = null;
        for (var i = 0; i < batch.Count; i++)
        {
            var d = batch[i];
            if (HasNul(d.CorrelationId) || HasNul(d.MessageId) || HasNul(d.UserKey) || HasNul(d.Domain) || HasNul(d.Upstream)
                || HasNul(d.Handler) || HasNul(d.Error))
            {
                cleaned ??= [.. batch];
                cleaned[i] = d with
                {
                    CorrelationId = Clean(d.CorrelationId)!,
                    MessageId = Clean(d.MessageId),
                    UserKey = Clean(d.UserKey),
                    Domain = Clean(d.Domain)!,
                    Upstream = Clean(d.Upstream)!,
                    Handler = Clean(d.Handler),
                    Error = Clean(d.Error),
                };
            }
        }

        return cleaned ?? batch;

        static bool HasNul(string? value) => value is not null && value.Contains('\0', StringComparison.Ordinal);

        static string? Clean(string? value) => value?.Replace('\0', '\uFFFD');
    }

    private static void WriteNullable(NpgsqlBinaryImporter importer, string? value)
    {
        if (value is null)
        {
            importer.WriteNull();
        }
        else
        {
            importer.Write(value, NpgsqlDbType.Text);
        }
    }

    private static void WriteNullable(NpgsqlBinaryImporter importer, int? value)
    {
        if (value is { } number)
        {
            importer.Write(number, NpgsqlDbType.Integer);
        }
        else
        {
            importer.WriteNull();
        }
    }

    /// <summary>
    /// A synchronous commit whatever the server's <c>synchronous_commit</c> says (Meta is told 200 once this returns),
    /// under a transaction-long advisory lock (see <see cref="DeliveriesLockKey"/>): acceptances commit one at a time,
    /// so their delivery ids become visible in the order they were taken. Without it two instances could commit a
    /// person's updates 11 then 10, and a claimer between the two commits would take 11 as the person's first.
    /// </summary>
    protected override Task<T> InDurableTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(transaction, $"SET LOCAL synchronous_commit = on; SELECT pg_advisory_xact_lock({DeliveriesLockKey})", cancellationToken);
            return await work(connection, transaction);
        }, cancellationToken);

    /// <summary>
    /// One statement for the batch, under a transaction-long advisory lock (see <see cref="ConversationsLockKey"/>): one
    /// entry per user (<see cref="MergePerUser"/>), in key order, so that ON CONFLICT sees one row per key and every
    /// writer locks in one order.
    /// </summary>
    protected override Task WriteConversationBatchAsync(IReadOnlyList<ConversationEntry> entries, CancellationToken cancellationToken)
    {
        var latest = MergePerUser(entries);
        return InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(transaction, $"SELECT pg_advisory_xact_lock({ConversationsLockKey})", cancellationToken);
            return await connection.ExecuteAsync(transaction, $"""
                INSERT INTO cutover_conversations AS c (user_key, domain, seen_at, instance, seq, inbound_domain, inbound_route, inbound_upstream, inbound_at)
                SELECT u.user_key, u.domain, u.seen_at, u.instance, nextval('cutover_conversations_seq'),
                    u.inbound_domain, u.inbound_route, u.inbound_upstream, u.inbound_at
                FROM unnest(@users, @domains, @seen, @instances, @inboundDomains, @inboundRoutes, @inboundUpstreams, @inboundAt) WITH ORDINALITY
                    AS u(user_key, domain, seen_at, instance, inbound_domain, inbound_route, inbound_upstream, inbound_at, n)
                ORDER BY u.n
                {ConversationUpdateSql("c")}
                """, cancellationToken,
                ("users", latest.Select(static e => e.UserKey).ToArray()),
                ("domains", latest.Select(static e => e.Domain).ToArray()),
                ("seen", latest.Select(static e => e.SeenAt.UtcDateTime).ToArray()),
                ("instances", latest.Select(static e => e.Instance).ToArray()),
                ("inboundDomains", new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = latest.Select(static e => e.Inbound?.Domain).ToArray() }),
                ("inboundRoutes", new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = latest.Select(static e => e.Inbound?.Route).ToArray() }),
                ("inboundUpstreams", new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = latest.Select(static e => e.Inbound?.Upstream).ToArray() }),
                ("inboundAt", new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, Value = latest.Select(static e => e.Inbound?.At.UtcDateTime).ToArray() }));
        }, cancellationToken);
    }

    /// <summary>
    /// A batch's entries folded into one per user, sorted by key, with what writing them one by one would have kept: the
    /// newest entry that names a domain (or, if none does, the newest entry, with its empty domain) and the newest
    /// inbound route of any of them.
    /// </summary>
    internal static List<ConversationEntry> MergePerUser(IReadOnlyList<ConversationEntry> entries) => entries
        .GroupBy(static e => e.UserKey, StringComparer.Ordinal)
        .Select(static g =>
        {
            var named = g.Where(static e => e.Domain.Length > 0).MaxBy(static e => e.SeenAt) ?? g.MaxBy(static e => e.SeenAt)!;
            return named with { Inbound = g.Select(static e => e.Inbound).Where(static i => i is not null).MaxBy(static i => i!.At) };
        })
        .OrderBy(static e => e.UserKey, StringComparer.Ordinal)
        .ToList();

    /// <summary>
    /// One statement for the batch, under its own transaction-long advisory lock (see <see cref="IdentitiesLockKey"/>):
    /// per identifier the entry whose person was seen first (the last of equals), in key order, as SQLite's row-by-row
    /// upserts would leave it.
    /// </summary>
    protected override Task WriteIdentityBatchAsync(IReadOnlyList<IdentityEntry> entries, CancellationToken cancellationToken)
    {
        var latest = entries
            .GroupBy(static e => e.Identifier, StringComparer.Ordinal)
            .Select(static g => g.Aggregate(static (kept, next) => next.FirstSeen <= kept.FirstSeen ? next : kept))
            .OrderBy(static e => e.Identifier, StringComparer.Ordinal)
            .ToList();
        return InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(transaction, $"SELECT pg_advisory_xact_lock({IdentitiesLockKey})", cancellationToken);
            return await connection.ExecuteAsync(transaction, """
                INSERT INTO cutover_identities AS i (identifier, person, bucket, first_seen, instance, seq)
                SELECT u.identifier, u.person, u.bucket, u.first_seen, u.instance, nextval('cutover_identities_seq')
                FROM unnest(@identifiers, @persons, @buckets, @firstSeen, @instances) WITH ORDINALITY
                    AS u(identifier, person, bucket, first_seen, instance, n)
                ORDER BY u.n
                ON CONFLICT (identifier) DO UPDATE SET person = excluded.person, bucket = excluded.bucket,
                    first_seen = excluded.first_seen, instance = excluded.instance, seq = excluded.seq
                WHERE excluded.first_seen <= i.first_seen
                """, cancellationToken,
                ("identifiers", latest.Select(static e => e.Identifier).ToArray()),
                ("persons", latest.Select(static e => e.Person).ToArray()),
                ("buckets", latest.Select(static e => e.Bucket).ToArray()),
                ("firstSeen", latest.Select(static e => e.FirstSeen.UtcDateTime).ToArray()),
                ("instances", latest.Select(static e => e.Instance).ToArray()));
        }, cancellationToken);
    }

    public override async Task<IStoreSubscription> SubscribeAsync(CancellationToken cancellationToken)
    {
        var subscription = new PostgresSubscription(_dataSource, NotifyChannel, Clock);
        await subscription.StartAsync(cancellationToken);
        return subscription;
    }

    public override async Task<IStoreLease?> TryAcquireLeaseAsync(string name, CancellationToken cancellationToken)
    {
        // A dedicated connection, not the pool's: the lock lives exactly as long as this connection.
        NpgsqlConnection? connection = (NpgsqlConnection)await OpenAsync(cancellationToken);
        try
        {
            if ((bool)(await connection.ScalarAsync(null, "SELECT pg_try_advisory_lock(@key)", cancellationToken, ("key", LeaseKey(name))))!)
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

    protected override ValueTask DisposeCoreAsync() => _dataSource.DisposeAsync();

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
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

    /// <summary>jsonb keeps the meaning, not the spelling (it sorts keys and adds spaces): hand back compact JSON, as the writer gave it.</summary>
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
