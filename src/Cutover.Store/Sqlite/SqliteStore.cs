using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Cutover.Core.Classification;
using Cutover.Core.Decisions;
using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Core.Webhooks;
using Microsoft.Data.Sqlite;

namespace Cutover.Store.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, so the log writer's batches and the server's
/// reads do not block each other. Connections are pooled by Microsoft.Data.Sqlite; each operation
/// opens one and sets its per-connection pragmas, except the decision log's writes, which keep one
/// connection with its statements prepared for the store's life.
/// </summary>
/// <remarks>
/// One process at a time: the file is opened through SQLite's <c>unix-excl</c> VFS, which takes a
/// process-wide lock on the file at the first read and keeps the WAL's index (the wal-index) in the
/// process's heap instead of a <c>-shm</c> file mapped into memory. The mapping was the one way a store
/// could kill the process: a write to a mapped page of a file the kernel will not let change (made
/// immutable, a file system shut down after I/O errors) raises SIGBUS, which .NET cannot survive, where a
/// refused <c>write()</c> is only an error code that the callers log and retry. Every connection of this
/// process shares the lock and the index, so the server's many connections work as before; another process
/// is refused with a clear error (<see cref="InUseMessage"/>). A connection string that names its own
/// <c>Vfs</c> is left as it is (<c>Vfs=unix</c> shares the file with other processes again, and the
/// mapping with it).
/// </remarks>
internal sealed partial class SqliteStore : ICutoverStore
{
    /// <summary>The VFS that holds the file for this process alone, with the wal-index in memory (see the remarks).</summary>
    internal const string ExclusiveVfs = "unix-excl";

    /// <summary>How long a first read waits out another process's lock on the file before calling the store in use.</summary>
    private static readonly TimeSpan InUseGrace = TimeSpan.FromSeconds(5);

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly bool _exclusive;

    // Set once this process is known to hold the file (see EnsureOwnedAsync).
    private volatile bool _owned;

    // The decision log's writer keeps its connection and statements between batches (see SqliteDecisionWriter).
    private readonly SemaphoreSlim _writerGate = new(1, 1);
    private SqliteDecisionWriter? _writer;
    private bool _disposed;

    public SqliteStore(string connectionString, TimeProvider time)
    {
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new StoreException($"Store:ConnectionString is not a SQLite connection string: {ex.Message}", ex);
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource))
        {
            throw new StoreException("Store:ConnectionString names no file: use 'Data Source=cutover.db'");
        }

        builder.Pooling = true;
        builder.DefaultTimeout = builder.DefaultTimeout <= 0 ? 30 : builder.DefaultTimeout;
        // (A file: URI's own vfs parameter, if it has one, wins over this.)
        _exclusive = string.IsNullOrEmpty(builder.Vfs) && !OperatingSystem.IsWindows() && builder.Mode != SqliteOpenMode.Memory
            && !builder.DataSource.StartsWith(':');
        if (_exclusive)
        {
            builder.Vfs = ExclusiveVfs;
        }

        _connectionString = builder.ToString();
        Location = builder.DataSource;
        _time = time;
    }

    public string Provider => StoreFactory.Sqlite;

    public string Location { get; }

    public string? FilePath => DatabaseFile(_connectionString);

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(Location));
        if (directory is not null && !Location.StartsWith(':') && !Directory.Exists(directory))
        {
            try
            {
                Directory.CreateDirectory(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StoreException($"cannot create the folder of the SQLite store '{Location}': {ex.Message}", ex);
            }
        }

        return await WriteAsync(connection => MigrateAsync(connection, cancellationToken), cancellationToken);
    }

    private async Task<int> MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);
        await ExecuteAsync(connection, null, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     INTEGER PRIMARY KEY,
                description TEXT NOT NULL,
                applied_at  TEXT NOT NULL
            );
            """, cancellationToken);

        var current = await SchemaVersionAsync(connection, cancellationToken);
        var applied = 0;
        foreach (var (version, description, sql) in SqliteMigrations.All)
        {
            if (version <= current)
            {
                continue;
            }

            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, transaction, sql, cancellationToken);
            await using (var record = Command(connection, transaction,
                "INSERT INTO schema_migrations (version, description, applied_at) VALUES ($v, $d, $at)"))
            {
                record.Parameters.AddWithValue("$v", version);
                record.Parameters.AddWithValue("$d", description);
                record.Parameters.AddWithValue("$at", Iso(_time.GetUtcNow()));
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            applied++;
        }

        return applied;
    }

    public async Task<int> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await SchemaVersionAsync(connection, cancellationToken);
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "SELECT 1;", cancellationToken);
    }

    public Task<RoutingState> LoadRoutingStateAsync(RoutingState initial, CancellationToken cancellationToken) => WriteAsync(async connection =>
    {
        var state = await ReadStateAsync(connection, null, cancellationToken);
        if (state is not null)
        {
            return state;
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        state = await ReadStateAsync(connection, transaction, cancellationToken);
        if (state is null)
        {
            await WriteStateAsync(connection, transaction, initial, insert: true, cancellationToken);
            state = initial;
        }

        await transaction.CommitAsync(cancellationToken);
        return state;
    }, cancellationToken);

    public async Task<long> RoutingVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT version FROM webhook_routing_config WHERE id = 1");
        return await command.ExecuteScalarAsync(cancellationToken) is long version ? version : 0;
    }

    public Task<IReadOnlyList<AuditEvent>?> TryCommitRoutingAsync(
        long expectedVersion, RoutingState next, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<AuditEvent>?>(async connection =>
    {
        // BEGIN IMMEDIATE takes the write lock now, so the version read below cannot go stale.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using (var check = Command(connection, transaction, "SELECT version FROM webhook_routing_config WHERE id = 1"))
        {
            if (await check.ExecuteScalarAsync(cancellationToken) is not long version || version != expectedVersion)
            {
                return null;
            }
        }

        await WriteStateAsync(connection, transaction, next, insert: false, cancellationToken);
        var stored = await InsertAuditAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return stored;
    }, cancellationToken);

    public async Task<RolloutState> LoadRolloutAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await SqliteRollout.ReadAsync(connection, null, cancellationToken) ?? RolloutState.Idle(_time.GetUtcNow());
    }

    public Task<IReadOnlyList<AuditEvent>?> TrySaveRolloutAsync(
        long expectedVersion, RolloutState next, IReadOnlyList<AuditEvent> events, RollbackRecord? rollback, CancellationToken cancellationToken) =>
        WriteAsync<IReadOnlyList<AuditEvent>?>(async connection =>
    {
        await using var transaction = connection.BeginTransaction(deferred: false);
        var current = await SqliteRollout.ReadAsync(connection, transaction, cancellationToken);
        if ((current?.Version ?? 0) != expectedVersion)
        {
            return null;
        }

        await SqliteRollout.WriteAsync(connection, transaction, next with { Version = expectedVersion + 1 }, cancellationToken);
        if (rollback is not null)
        {
            await SqliteRollout.InsertRollbackAsync(connection, transaction, rollback, cancellationToken);
        }

        var stored = await InsertAuditAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return stored;
    }, cancellationToken);

    public async Task<IReadOnlyList<RollbackRecord>> RollbacksAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await SqliteRollout.ReadRollbacksAsync(connection, Math.Clamp(limit, 1, 10_000), cancellationToken);
    }

    public Task<Baseline> SaveBaselineAsync(Baseline baseline, CancellationToken cancellationToken) => WriteAsync(async connection =>
    {
        await using var insert = Command(connection, null, """
            INSERT INTO cutover_baselines (captured_at, window_seconds, actor, reason, domains, total)
            VALUES ($at, $window, $actor, $reason, $domains, $total)
            RETURNING id
            """);
        insert.Parameters.AddWithValue("$at", Iso(baseline.CapturedAt));
        insert.Parameters.AddWithValue("$window", (long)baseline.Window.TotalSeconds);
        insert.Parameters.AddWithValue("$actor", baseline.Actor);
        insert.Parameters.AddWithValue("$reason", baseline.Reason);
        insert.Parameters.AddWithValue("$domains", JsonSerializer.Serialize([.. baseline.Domains], StoreJson.Default.ListBaselineDomain));
        insert.Parameters.AddWithValue("$total", JsonSerializer.Serialize(baseline.Total, StoreJson.Default.BaselineDomain));
        return baseline with { Id = (long)(await insert.ExecuteScalarAsync(cancellationToken))! };
    }, cancellationToken);

    public async Task<Baseline?> LatestBaselineAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var select = Command(connection, null, """
            SELECT id, captured_at, window_seconds, actor, reason, domains, total FROM cutover_baselines ORDER BY id DESC LIMIT 1
            """);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new Baseline(
            reader.GetInt64(0),
            ParseIso(reader.GetString(1)),
            TimeSpan.FromSeconds(reader.GetInt64(2)),
            reader.GetString(3),
            reader.GetString(4),
            JsonSerializer.Deserialize(reader.GetString(5), StoreJson.Default.ListBaselineDomain) ?? [],
            JsonSerializer.Deserialize(reader.GetString(6), StoreJson.Default.BaselineDomain)
                ?? throw new StoreException("a stored baseline has no total"));
    }

    private static async Task<List<AuditEvent>> InsertAuditAsync(
        SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        var stored = new List<AuditEvent>(events.Count);
        foreach (var audit in events)
        {
            await using var insert = Command(connection, transaction, """
                INSERT INTO webhook_routing_audit (at, kind, actor, reason, before, after)
                VALUES ($at, $kind, $actor, $reason, $before, $after)
                RETURNING id
                """);
            insert.Parameters.AddWithValue("$at", Iso(audit.At));
            insert.Parameters.AddWithValue("$kind", audit.Kind);
            insert.Parameters.AddWithValue("$actor", audit.Actor);
            insert.Parameters.AddWithValue("$reason", audit.Reason);
            insert.Parameters.AddWithValue("$before", (object?)audit.Before ?? DBNull.Value);
            insert.Parameters.AddWithValue("$after", (object?)audit.After ?? DBNull.Value);
            stored.Add(audit with { Id = (long)(await insert.ExecuteScalarAsync(cancellationToken))! });
        }

        return stored;
    }

    public async Task<IReadOnlyList<AuditEvent>> HistoryAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, """
            SELECT id, at, kind, actor, reason, before, after FROM webhook_routing_audit
            WHERE ($since IS NULL OR at >= $since) AND ($kind IS NULL OR kind = $kind)
            ORDER BY id DESC LIMIT $limit
            """);
        command.Parameters.AddWithValue("$since", query.Since is { } since ? Iso(since) : DBNull.Value);
        command.Parameters.AddWithValue("$kind", (object?)query.Kind ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", Math.Clamp(query.Limit, 1, 10_000));
        var events = new List<AuditEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new AuditEvent(
                reader.GetInt64(0),
                ParseIso(reader.GetString(1)),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return events;
    }

    public async Task WriteDecisionsAsync(IReadOnlyList<DecisionRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await _writerGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            cancellationToken.ThrowIfCancellationRequested();
            _writer ??= new SqliteDecisionWriter(await OpenAsync(cancellationToken));
            try
            {
                _writer.Write(batch);
            }
            catch (Exception ex)
            {
                // Whatever broke (the disk, a lock held too long, the file replaced), the next batch starts on a new connection,
                // and after a fault of the file not on one the pool kept from before or opened read-only during it (see WriteAsync).
                if (ex is SqliteException sqlite && SpoilsConnections(sqlite))
                {
                    SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
                }

                _writer.Dispose();
                _writer = null;
                throw;
            }
        }
        finally
        {
            _writerGate.Release();
        }
    }

    public async Task<IReadOnlyList<RollupRow>> ReadRollupsAsync(
        TimeSpan resolution, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await SqliteRollups.ReadAsync(connection, resolution, from, to, cancellationToken);
    }

    public Task<PurgeResult> PurgeAsync(DateTimeOffset decisionsBefore, DateTimeOffset rollupsBefore, CancellationToken cancellationToken) => WriteAsync(async connection =>
    {
        var decisions = await DeleteInSlicesAsync(connection, """
            DELETE FROM webhook_routing_logs WHERE id IN (SELECT id FROM webhook_routing_logs WHERE created_at < $before LIMIT 5000)
            """, decisionsBefore, cancellationToken);
        var rollups = await DeleteInSlicesAsync(connection, """
            DELETE FROM webhook_routing_rollups WHERE (resolution, period_start, domain, routed_to, handler) IN (
                SELECT resolution, period_start, domain, routed_to, handler FROM webhook_routing_rollups WHERE period_start < $before LIMIT 5000)
            """, rollupsBefore, cancellationToken);
        return new PurgeResult(decisions, rollups);
    }, cancellationToken);

    /// <summary>Deletes in slices of one short transaction each, so the log writer is never locked out for long.</summary>
    private static async Task<long> DeleteInSlicesAsync(
        SqliteConnection connection, string sql, DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, null, sql);
        command.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
        long total = 0;
        int deleted;
        do
        {
            deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
        }
        while (deleted > 0);

        return total;
    }

    public async Task<IReadOnlyList<DecisionRecord>> QueryDecisionsAsync(DecisionQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, """
            SELECT created_at, correlation_id, message_id, from_number, kind, domain, rule, bucket, routed_to, webhook_name,
                   handler, status, status_code, response_time_ms, error_message, fallback
            FROM webhook_routing_logs
            WHERE ($since IS NULL OR created_at >= $since) AND ($until IS NULL OR created_at < $until)
              AND ($user IS NULL OR from_number = $user)
            ORDER BY id DESC LIMIT $limit
            """);
        command.Parameters.AddWithValue("$since", query.Since is { } since ? since.ToUnixTimeMilliseconds() : DBNull.Value);
        command.Parameters.AddWithValue("$until", query.Until is { } until ? until.ToUnixTimeMilliseconds() : DBNull.Value);
        command.Parameters.AddWithValue("$user", (object?)query.UserKey ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", Math.Clamp(query.Limit, 1, 1_000_000));
        var records = new List<DecisionRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new DecisionRecord(
                At: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)),
                CorrelationId: reader.GetString(1),
                MessageId: reader.IsDBNull(2) ? null : reader.GetString(2),
                UserKey: reader.IsDBNull(3) ? null : reader.GetString(3),
                Kind: ParseKind(reader.GetString(4)),
                Domain: reader.GetString(5),
                Rule: ParseRule(reader.GetString(6)),
                Bucket: reader.IsDBNull(7) ? -1 : reader.GetInt32(7),
                Route: reader.GetString(8) == RouteNames.Unified ? Route.Unified : Route.Legacy,
                Upstream: reader.GetString(9),
                Handler: reader.IsDBNull(10) ? null : reader.GetString(10),
                Success: reader.GetString(11) == "success",
                StatusCode: reader.IsDBNull(12) ? 0 : reader.GetInt32(12),
                LatencyMs: reader.IsDBNull(13) ? 0 : reader.GetDouble(13),
                Error: reader.IsDBNull(14) ? null : reader.GetString(14),
                Fallback: reader.GetInt64(15) != 0));
        }

        return records;
    }

    /// <summary>
    /// A range scan of the created_at index, grouped in a temporary b-tree: a day of a busy service reads its rows once.
    /// A user's bucket only changes with the salt; max() keeps one row per user and domain even then.
    /// </summary>
    internal const string UserActivitySql = """
        SELECT from_number, domain, max(bucket), count(*)
        FROM webhook_routing_logs
        WHERE created_at >= $from AND created_at < $to
          AND from_number IS NOT NULL AND bucket IS NOT NULL AND rule <> 'field'
        GROUP BY from_number, domain
        """;

    public async Task<IReadOnlyList<UserActivity>> ReadUserActivityAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, UserActivitySql);
        command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        var rows = new List<UserActivity>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new UserActivity(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3)));
        }

        return rows;
    }

    public Task<byte[]> GetOrCreateSecretAsync(string name, int length, CancellationToken cancellationToken) => WriteAsync(async connection =>
    {
        await using (var insert = Command(connection, null, "INSERT OR IGNORE INTO cutover_secrets (name, value) VALUES ($name, $value)"))
        {
            insert.Parameters.AddWithValue("$name", name);
            insert.Parameters.AddWithValue("$value", RandomNumberGenerator.GetBytes(length));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var select = Command(connection, null, "SELECT value FROM cutover_secrets WHERE name = $name");
        select.Parameters.AddWithValue("$name", name);
        return (byte[])(await select.ExecuteScalarAsync(cancellationToken))!;
    }, cancellationToken);

    public async Task<byte[]?> ReadSecretAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var select = Command(connection, null, "SELECT value FROM cutover_secrets WHERE name = $name");
        select.Parameters.AddWithValue("$name", name);
        return await select.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    public async Task<bool> DeleteSecretAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // A plain DELETE leaves the row's bytes in its page until the space is reused, and the WAL keeps older copies of
        // the page: secure_delete overwrites the row with zeros, and a truncating checkpoint empties the WAL.
        long previous;
        await using (var mode = Command(connection, null, "PRAGMA secure_delete"))
        {
            previous = Convert.ToInt64(await mode.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        int deleted;
        try
        {
            await ExecuteAsync(connection, null, "PRAGMA secure_delete = 1;", cancellationToken);
            await using var delete = Command(connection, null, "DELETE FROM cutover_secrets WHERE name = $name");
            delete.Parameters.AddWithValue("$name", name);
            deleted = await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            // The connection goes back to the pool: later deletes (the retention purge) need not pay for the zeroing.
            await ExecuteAsync(connection, null, $"PRAGMA secure_delete = {previous.ToString(CultureInfo.InvariantCulture)};", CancellationToken.None);
        }

        if (deleted > 0)
        {
            await ExecuteAsync(connection, null, "PRAGMA wal_checkpoint(TRUNCATE);", cancellationToken);
        }

        return deleted > 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _writerGate.WaitAsync();
        try
        {
            _disposed = true;
            _writer?.Dispose();
            _writer = null;
        }
        finally
        {
            _writerGate.Release();
        }

        // Pooled connections keep the file open (and its WAL); release them so the file can be moved or deleted.
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (!_owned && _exclusive)
            {
                await EnsureOwnedAsync(connection, cancellationToken);
            }

            await ExecuteAsync(connection, null, "PRAGMA synchronous = NORMAL;", cancellationToken);
            return connection;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync();
            throw new StoreException($"cannot open the SQLite store '{Location}': {ex.Message}", ex);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs one write on a pooled connection. A fault of the file (it refused a write, or could not be opened) empties the
    /// pool: SQLite opens a file it may not write read-only, and such a connection stays read-only for its life, so once
    /// the file takes writes again the pool must not hand it out. For the same reason a write refused as read-only is
    /// tried once more at once, on a new connection: a read may have put such a connection in the pool while the fault
    /// lasted. (Every write here is a transaction or idempotent, so a refused one can run again.)
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<SqliteConnection, Task<T>> write, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = await OpenAsync(cancellationToken);
            try
            {
                return await write(connection);
            }
            catch (SqliteException ex) when (SpoilsConnections(ex))
            {
                SqliteConnection.ClearPool(connection);
                if (attempt > 1 || ex.SqliteErrorCode != SQLitePCL.raw.SQLITE_READONLY)
                {
                    throw;
                }
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }

    private Task WriteAsync(Func<SqliteConnection, Task> write, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            await write(connection);
            return true;
        }, cancellationToken);

    /// <summary>Whether a connection that met <paramref name="exception"/> may go on refusing writes once the file takes them.</summary>
    private static bool SpoilsConnections(SqliteException exception) =>
        exception.SqliteErrorCode is SQLitePCL.raw.SQLITE_READONLY or SQLitePCL.raw.SQLITE_IOERR or SQLitePCL.raw.SQLITE_CANTOPEN;

    /// <summary>
    /// Makes the first read, which takes the file for this process, and says so clearly when another process holds it.
    /// </summary>
    /// <remarks>
    /// Through Microsoft.Data.Sqlite a locked file is retried for the whole busy timeout (30 s) and then reported as
    /// "database is locked", which reads like a hang and names no one. Stepping the statement directly returns
    /// <c>SQLITE_BUSY</c> at once: if /proc/locks shows which other process holds the file, that is the answer;
    /// otherwise (not Linux, another user's process, a lock just being let go) the read is retried for a few seconds,
    /// on the real clock since it waits on the kernel, not on the host's time.
    /// </remarks>
    private async Task EnsureOwnedAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            int rc;
            var prepared = SQLitePCL.raw.sqlite3_prepare_v2(connection.Handle, "PRAGMA schema_version;", out var statement);
            using (statement)
            {
                rc = prepared == SQLitePCL.raw.SQLITE_OK ? SQLitePCL.raw.sqlite3_step(statement) : prepared;
            }

            if (rc != SQLitePCL.raw.SQLITE_BUSY)
            {
                // Held now, or failed for a reason the caller's own command will report with its code.
                _owned = rc == SQLitePCL.raw.SQLITE_ROW;
                return;
            }

            var holder = SqliteLockHolder.Find(Path.GetFullPath(Location));
            if (holder is not null || clock.Elapsed >= InUseGrace)
            {
                throw new StoreException(InUseMessage(Location, holder));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    /// <summary>What a process is told when another one holds the store's file.</summary>
    internal static string InUseMessage(string location, int? holder) =>
        $"the SQLite store '{location}' is in use by another process{(holder is { } pid ? $" (pid {pid})" : string.Empty)}: "
        + "a SQLite store is opened by one process at a time, and a running `cutover serve` holds its file for as long as it runs. "
        + "Stop that process first, or ask the running server through its admin API (--url) instead";

    private static async Task<int> SchemaVersionAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var exists = Command(connection, null,
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
        if ((long)(await exists.ExecuteScalarAsync(cancellationToken))! == 0)
        {
            return 0;
        }

        await using var command = Command(connection, null, "SELECT coalesce(max(version), 0) FROM schema_migrations");
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task<RoutingState?> ReadStateAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        bool enabled;
        decimal percent;
        ImmutableSortedSet<string> routable;
        ImmutableSortedDictionary<string, decimal> domainPercents;
        long version;
        DateTimeOffset updatedAt;
        await using (var command = Command(connection, transaction,
            "SELECT enabled, percentage, domains, domain_percentages, version, updated_at FROM webhook_routing_config WHERE id = 1"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            enabled = reader.GetInt64(0) != 0;
            percent = decimal.Parse(reader.GetString(1), CultureInfo.InvariantCulture);
            routable = ImmutableSortedSet.CreateRange(StringComparer.Ordinal,
                JsonSerializer.Deserialize(reader.GetString(2), StoreJson.Default.StringArray) ?? []);
            domainPercents = (JsonSerializer.Deserialize(reader.GetString(3), StoreJson.Default.DictionaryStringDecimal) ?? [])
                .ToImmutableSortedDictionary(StringComparer.Ordinal);
            version = reader.GetInt64(4);
            updatedAt = ParseIso(reader.GetString(5));
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
                    route, reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), reader.GetString(4), ParseIso(reader.GetString(5)));
            }
        }

        return new RoutingState(enabled, percent, domainPercents, routable, overrides.ToImmutable(), version, updatedAt);
    }

    private static async Task WriteStateAsync(
        SqliteConnection connection, SqliteTransaction transaction, RoutingState state, bool insert, CancellationToken cancellationToken)
    {
        var sql = insert
            ? """
              INSERT INTO webhook_routing_config (id, version, enabled, percentage, domains, domain_percentages, updated_at)
              VALUES (1, $version, $enabled, $percent, $domains, $domainPercents, $updatedAt)
              """
            : """
              UPDATE webhook_routing_config SET version = $version, enabled = $enabled, percentage = $percent, domains = $domains,
                  domain_percentages = $domainPercents, updated_at = $updatedAt
              WHERE id = 1
              """;
        await using (var command = Command(connection, transaction, sql))
        {
            command.Parameters.AddWithValue("$version", state.Version);
            command.Parameters.AddWithValue("$enabled", state.Enabled ? 1 : 0);
            command.Parameters.AddWithValue("$percent", state.Percent.ToString("0.00", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$domains", JsonSerializer.Serialize([.. state.Routable], StoreJson.Default.StringArray));
            command.Parameters.AddWithValue("$domainPercents",
                JsonSerializer.Serialize(state.DomainPercents.ToDictionary(), StoreJson.Default.DictionaryStringDecimal));
            command.Parameters.AddWithValue("$updatedAt", Iso(state.UpdatedAt));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // Overrides are few (pinned test users), so rewriting them all keeps the code simple.
        await ExecuteAsync(connection, transaction, "DELETE FROM webhook_routing_overrides;", cancellationToken);
        foreach (var (user, pin) in state.Overrides)
        {
            await using var command = Command(connection, transaction, """
                INSERT INTO webhook_routing_overrides (user_key, route, domain, actor, reason, created_at)
                VALUES ($user, $route, $domain, $actor, $reason, $at)
                """);
            command.Parameters.AddWithValue("$user", user);
            command.Parameters.AddWithValue("$route", (object?)pin.Route?.ToName() ?? DBNull.Value);
            command.Parameters.AddWithValue("$domain", (object?)pin.Domain ?? DBNull.Value);
            command.Parameters.AddWithValue("$actor", pin.Actor);
            command.Parameters.AddWithValue("$reason", pin.Reason);
            command.Parameters.AddWithValue("$at", Iso(pin.At));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The database file's full path; null for an in-memory database, which has none.</summary>
    private static string? DatabaseFile(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        return builder.Mode == SqliteOpenMode.Memory || builder.DataSource is ":memory:" || builder.DataSource.Length == 0
            ? null
            : Path.GetFullPath(builder.DataSource);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    internal static DateTimeOffset ParseIso(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static UpdateKind ParseKind(string value) => value switch
    {
        "status" => UpdateKind.Status,
        "change" => UpdateKind.Change,
        _ => UpdateKind.Message,
    };

    private static ClassificationRule ParseRule(string value) =>
        Enum.GetValues<ClassificationRule>().FirstOrDefault(r => r.ToName() == value, ClassificationRule.Fallback);
}
