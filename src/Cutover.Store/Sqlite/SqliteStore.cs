using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;
using Cutover.Store.Sql;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Cutover.Store.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, so the log writer's batches and the server's
/// reads do not block each other. Connections are pooled by Microsoft.Data.Sqlite; each operation
/// opens one and sets its per-connection pragmas, except the decision log's writes, which keep one
/// connection with its statements prepared for the store's life. The flows are <see cref="SqlStore"/>'s;
/// what is SQLite's own is here: one writer at a time, a file that can refuse writes, and one process.
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
internal sealed class SqliteStore : SqlStore
{
    /// <summary>The VFS that holds the file for this process alone, with the wal-index in memory (see the remarks).</summary>
    internal const string ExclusiveVfs = "unix-excl";

    /// <summary>How long a first read waits out another process's lock on the file before calling the store in use.</summary>
    private static readonly TimeSpan InUseGrace = TimeSpan.FromSeconds(5);

    // One lock per file and lease name, shared by every store object of this process on that file: a file serves one
    // process, so a lease is a lock within it.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Leases = new(StringComparer.Ordinal);

    private readonly string _connectionString;
    private readonly bool _exclusive;
    private readonly bool _inMemory;

    // Set once this process is known to hold the file (see EnsureOwnedAsync).
    private volatile bool _owned;

    // One writer at a time per file in this process, queued without a thread (see WriteAsync); shared by every store
    // object on the file, as Leases are. An in-memory database is its own.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> FileWriteGates = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _fileWriteGate;

    // The connection every write but the decision log's runs on, opened at the first; only used under _fileWriteGate.
    private SqliteConnection? _writeConnection;

    // The decision log's writer keeps its connection and statements between batches (see SqliteDecisionWriter).
    private readonly SemaphoreSlim _writerGate = new(1, 1);
    private SqliteDecisionWriter? _writer;
    private bool _disposed;

    public SqliteStore(string connectionString, TimeProvider time)
        : base(time)
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
        _inMemory = builder.Mode == SqliteOpenMode.Memory || builder.DataSource is ":memory:";
        _fileWriteGate = _inMemory ? new SemaphoreSlim(1, 1) : FileWriteGates.GetOrAdd(Path.GetFullPath(Location), static _ => new SemaphoreSlim(1, 1));
    }

    public override string Provider => StoreFactory.Sqlite;

    public override string Location { get; }

    /// <summary>The database file's full path; null for an in-memory database, which has none.</summary>
    public override string? FilePath => _inMemory ? null : Path.GetFullPath(Location);

    // Times are ISO 8601 text, except in the log, the rollups and conversations (Unix ms); percentages are text with
    // two decimals; JSON and the routable domains are text.
    protected override object Time(DateTimeOffset value) => Iso(value);

    protected override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    protected override object Millis(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    protected override DateTimeOffset ReadMillis(DbDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    protected override object Percent(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    protected override object Domains(IEnumerable<string> domains) => JsonSerializer.Serialize([.. domains], StoreJson.Default.StringArray);

    protected override (string Sql, object Value) NotAmong(string column, string parameter, IReadOnlyCollection<string> values) =>
        ($"{column} NOT IN (SELECT value FROM json_each(@{parameter}))", JsonSerializer.Serialize([.. values], StoreJson.Default.StringArray));

    protected override (string Sql, object Value) AmongIds(string column, string parameter, IReadOnlyCollection<long> ids) =>
        ($"{column} IN (SELECT value FROM json_each(@{parameter}))", JsonSerializer.Serialize([.. ids], StoreJson.Default.Int64Array));

    protected override IEnumerable<string> ReadDomains(DbDataReader reader, int ordinal) =>
        JsonSerializer.Deserialize(reader.GetString(ordinal), StoreJson.Default.StringArray) ?? [];

    protected override IReadOnlyList<(int Version, string Description, string Sql)> Migrations => SqliteMigrations.All;

    protected override string CreateMigrationsTableSql => SqliteMigrations.CreateTableSql;

    protected override string MigrationsTableExistsSql => "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";

    // A write transaction is BEGIN IMMEDIATE: it holds the file's write lock from its start.
    protected override string LockRoutingVersionSql => "SELECT version FROM webhook_routing_config";

    // The rollups are a WITHOUT ROWID table: rows are named by their key.
    protected override string PurgeRollupsSql => """
        DELETE FROM webhook_routing_rollups WHERE (resolution, period_start, domain, routed_to, handler) IN (
            SELECT resolution, period_start, domain, routed_to, handler FROM webhook_routing_rollups WHERE period_start < @before LIMIT 5000)
        """;

    protected override string RollupLatencyColumns => "latency";

    // created_at is epoch milliseconds already: integer division floors it (times are after 1970).
    protected override string SliceStartSql => "(created_at / @slice) * @slice";

    protected override byte[] ReadLatency(DbDataReader reader, int ordinal) => (byte[])reader.GetValue(ordinal);

    protected override async Task<int> MigrateExclusivelyAsync(Func<DbConnection, Task<int>> apply, CancellationToken cancellationToken)
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

        return await WriteAsync(async connection =>
        {
            await connection.ExecuteAsync(null, "PRAGMA journal_mode = WAL;", cancellationToken);
            return await apply(connection);
        }, cancellationToken);
    }

    /// <summary>
    /// An acceptance syncs the WAL at its commit: <c>synchronous = FULL</c> on its connection, set before the
    /// transaction begins (SQLite refuses to change it inside one). Every other write stays at NORMAL, which loses
    /// nothing when the process is killed and may lose the last commits on a power cut or an OS crash: a lost claim or
    /// completion only means an update delivered again (at least once), where a lost acceptance would be a webhook
    /// acknowledged to Meta and never delivered. NORMAL is set again after the commit, for the writes that follow on this
    /// connection (should that fail, the connection is dropped, and <see cref="OpenAsync"/> sets NORMAL on the next).
    /// </summary>
    protected override Task<T> InDurableTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            await connection.ExecuteAsync(null, "PRAGMA synchronous = FULL;", cancellationToken);
            T result;
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
            {
                result = await work(connection, transaction);
                await transaction.CommitAsync(cancellationToken);
            }

            await connection.ExecuteAsync(null, "PRAGMA synchronous = NORMAL;", cancellationToken);
            return result;
        }, cancellationToken);

    /// <summary>
    /// One statement for the group's keys, read from a JSON array (<c>[[key, at], …]</c>): row by row, each key cost a
    /// statement execution, whose overhead in Microsoft.Data.Sqlite (binding by name, a reader) was most of an
    /// acceptance's time. The keys are distinct, so ON CONFLICT only meets rows accepted before.
    /// </summary>
    protected override async Task<IReadOnlySet<string>> InsertNewKeysAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<(string Key, DateTimeOffset At)> keys, CancellationToken cancellationToken)
    {
        var rows = JsonArray(writer =>
        {
            foreach (var (key, at) in keys)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(key);
                writer.WriteNumberValue(at.ToUnixTimeMilliseconds());
                writer.WriteEndArray();
            }
        });
        var inserted = await connection.ListAsync(transaction, """
            INSERT INTO cutover_dedup (key, accepted_at)
            SELECT value ->> 0, value ->> 1 FROM json_each(@rows) WHERE true
            ON CONFLICT (key) DO NOTHING
            RETURNING key
            """, static r => r.GetString(0), cancellationToken, ("rows", rows));
        return inserted.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Two statements for the group, as for the keys: the webhooks in one multi-row INSERT (their bodies are bytes, so
    /// parameters, not JSON), then their updates from a JSON array. Rows are inserted in the order listed and
    /// AUTOINCREMENT numbers them upwards, so the inbox ids, sorted, are the webhooks' in order, and delivery ids
    /// rise in acceptance order.
    /// </summary>
    protected override async Task<long[]> InsertAcceptedAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<AcceptedWebhook> accepted, CancellationToken cancellationToken)
    {
        await using var inbox = connection.CreateCommand();
        inbox.Transaction = transaction;
        var sql = new System.Text.StringBuilder(
            "INSERT INTO cutover_inbox (received_at, correlation_id, body, signature, update_count, parse_error) VALUES ");
        for (var i = 0; i < accepted.Count; i++)
        {
            var webhook = accepted[i].Webhook;
            sql.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ", ")}(@t{i}, @c{i}, @b{i}, @s{i}, @n{i}, @e{i})");
            inbox.Parameters.Add(new SqliteParameter($"@t{i}", webhook.ReceivedAt.ToUnixTimeMilliseconds()));
            inbox.Parameters.Add(new SqliteParameter($"@c{i}", webhook.CorrelationId));
            inbox.Parameters.Add(new SqliteParameter($"@b{i}", webhook.Body));
            inbox.Parameters.Add(new SqliteParameter($"@s{i}", (object?)webhook.Signature ?? DBNull.Value));
            inbox.Parameters.Add(new SqliteParameter($"@n{i}", webhook.ParseError is null ? webhook.Updates.Count : 0));
            inbox.Parameters.Add(new SqliteParameter($"@e{i}", (object?)webhook.ParseError ?? DBNull.Value));
        }

        inbox.CommandText = sql.Append(" RETURNING id").ToString();
        var ids = new List<long>(accepted.Count);
        await using (var reader = await inbox.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
            }
        }

        ids.Sort();
        var rows = JsonArray(writer =>
        {
            for (var i = 0; i < accepted.Count; i++)
            {
                WriteDeliveryRows(writer, accepted[i], ids[i]);
            }
        });
        await connection.ExecuteAsync(transaction, """
            INSERT INTO cutover_deliveries (inbox_id, update_index, person_key, state, accepted_at, next_attempt_at, attempts,
                finished_at, reason, error)
            SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 4, 0, value ->> 5, value ->> 6, value ->> 7
            FROM json_each(@rows) ORDER BY key
            """, cancellationToken, ("rows", rows));
        return [.. ids];
    }

    /// <summary>
    /// A webhook's delivery rows, each <c>[inbox, index, person, state, at, finished, reason, error]</c>: one per new
    /// update, pending; or, unparseable, one for the whole body (index -1), a dead letter at once.
    /// </summary>
    private static void WriteDeliveryRows(Utf8JsonWriter writer, AcceptedWebhook accepted, long inboxId)
    {
        var at = accepted.Webhook.ReceivedAt.ToUnixTimeMilliseconds();
        if (accepted.Webhook.ParseError is { } parseError)
        {
            WriteRow(writer, inboxId, -1, null, "dead", at, at, UnparseableReason, parseError);
            return;
        }

        foreach (var update in accepted.Updates)
        {
            WriteRow(writer, inboxId, update.Index, update.PersonKey, "pending", at, null, null, null);
        }

        static void WriteRow(Utf8JsonWriter writer, long inbox, int index, string? person, string state, long at, long? finished, string? reason, string? error)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(inbox);
            writer.WriteNumberValue(index);
            WriteTextOrNull(writer, person);
            writer.WriteStringValue(state);
            writer.WriteNumberValue(at);
            if (finished is { } value)
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }

            WriteTextOrNull(writer, reason);
            WriteTextOrNull(writer, error);
            writer.WriteEndArray();
        }

        static void WriteTextOrNull(Utf8JsonWriter writer, string? value)
        {
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStringValue(value);
            }
        }
    }

    /// <summary>A JSON array of what <paramref name="writeElements"/> writes: the rows json_each reads.</summary>
    private static string JsonArray(Action<Utf8JsonWriter> writeElements)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writeElements(writer);
            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>One writer at a time holds the file, so the state read in this transaction is the state the insert follows.</summary>
    protected override async Task<RoutingState> StoreFirstStateAsync(
        DbConnection connection, DbTransaction transaction, RoutingState initial, CancellationToken cancellationToken)
    {
        if (await ReadStateAsync(connection, transaction, cancellationToken) is { } state)
        {
            return state;
        }

        await connection.ExecuteAsync(transaction, """
            INSERT INTO webhook_routing_config (id, version, enabled, percentage, domains, domain_percentages, updated_at)
            VALUES (1, @version, @enabled, @percent, @domains, @domainPercents, @updatedAt)
            """, cancellationToken, StateParameters(initial));
        await connection.ExecuteAsync(transaction, "DELETE FROM webhook_routing_overrides", cancellationToken);
        await WriteOverridesAsync(connection, transaction, initial, cancellationToken);
        return initial;
    }

    protected override async Task WriteDecisionBatchAsync(IReadOnlyList<DecisionRecord> batch, CancellationToken cancellationToken)
    {
        await _writerGate.WaitAsync(cancellationToken);
        var gated = false;
        try
        {
            await _fileWriteGate.WaitAsync(cancellationToken);
            gated = true;
            ObjectDisposedException.ThrowIf(_disposed, this);
            cancellationToken.ThrowIfCancellationRequested();
            _writer ??= new SqliteDecisionWriter((SqliteConnection)await OpenAsync(cancellationToken));
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
            if (gated)
            {
                _fileWriteGate.Release();
            }

            _writerGate.Release();
        }
    }

    /// <summary>
    /// Each entry's sequence is one more than the highest stored, taken inside the transaction, which holds the file's
    /// write lock: numbers become visible in the order they were taken. Entries are upserted one by one, so several of
    /// one user in a batch meet the same newer-wins rules as entries of separate batches.
    /// </summary>
    protected override Task WriteConversationBatchAsync(IReadOnlyList<ConversationEntry> entries, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            await using var upsert = connection.Command(transaction, $"""
                INSERT INTO cutover_conversations (user_key, domain, seen_at, instance, seq, inbound_domain, inbound_route, inbound_upstream, inbound_at)
                VALUES (@user, @domain, @seen, @instance, (SELECT coalesce(max(seq), 0) + 1 FROM cutover_conversations),
                    @inboundDomain, @inboundRoute, @inboundUpstream, @inboundAt)
                {ConversationUpdateSql("cutover_conversations")}
                """, ("user", null), ("domain", null), ("seen", null), ("instance", null),
                ("inboundDomain", null), ("inboundRoute", null), ("inboundUpstream", null), ("inboundAt", null));
            foreach (var entry in entries)
            {
                upsert.Parameters["user"].Value = entry.UserKey;
                upsert.Parameters["domain"].Value = entry.Domain;
                upsert.Parameters["seen"].Value = entry.SeenAt.ToUnixTimeMilliseconds();
                upsert.Parameters["instance"].Value = entry.Instance;
                upsert.Parameters["inboundDomain"].Value = (object?)entry.Inbound?.Domain ?? DBNull.Value;
                upsert.Parameters["inboundRoute"].Value = (object?)entry.Inbound?.Route ?? DBNull.Value;
                upsert.Parameters["inboundUpstream"].Value = (object?)entry.Inbound?.Upstream ?? DBNull.Value;
                upsert.Parameters["inboundAt"].Value = (object?)entry.Inbound?.At.ToUnixTimeMilliseconds() ?? DBNull.Value;
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken);

    /// <summary>As <see cref="WriteConversationBatchAsync"/>: sequence numbers taken under the file's write lock, in order.</summary>
    protected override Task WriteIdentityBatchAsync(IReadOnlyList<IdentityEntry> entries, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            await using var upsert = connection.Command(transaction, """
                INSERT INTO cutover_identities (identifier, person, bucket, first_seen, instance, seq)
                VALUES (@identifier, @person, @bucket, @firstSeen, @instance, (SELECT coalesce(max(seq), 0) + 1 FROM cutover_identities))
                ON CONFLICT (identifier) DO UPDATE SET person = excluded.person, bucket = excluded.bucket,
                    first_seen = excluded.first_seen, instance = excluded.instance, seq = excluded.seq
                WHERE excluded.first_seen <= cutover_identities.first_seen
                """, ("identifier", null), ("person", null), ("bucket", null), ("firstSeen", null), ("instance", null));
            foreach (var entry in entries)
            {
                upsert.Parameters["identifier"].Value = entry.Identifier;
                upsert.Parameters["person"].Value = entry.Person;
                upsert.Parameters["bucket"].Value = entry.Bucket;
                upsert.Parameters["firstSeen"].Value = entry.FirstSeen.ToUnixTimeMilliseconds();
                upsert.Parameters["instance"].Value = entry.Instance;
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken);

    public override Task<IStoreSubscription> SubscribeAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IStoreSubscription>(new SilentSubscription());

    public override async Task<IStoreLease?> TryAcquireLeaseAsync(string name, CancellationToken cancellationToken)
    {
        var gate = Leases.GetOrAdd($"{Path.GetFullPath(Location)}\n{name}", static _ => new SemaphoreSlim(1, 1));
        return await gate.WaitAsync(TimeSpan.Zero, cancellationToken) ? new ProcessLease(name, gate) : null;
    }

    /// <summary>
    /// A plain DELETE leaves the row's bytes in its page until the space is reused, and the WAL keeps older copies of
    /// the page: secure_delete overwrites the row with zeros, and a truncating checkpoint empties the WAL.
    /// </summary>
    protected override async Task<int> DeleteSecurelyAsync(DbConnection connection, Func<Task<int>> delete, CancellationToken cancellationToken)
    {
        var previous = Convert.ToInt64(await connection.ScalarAsync(null, "PRAGMA secure_delete", cancellationToken), CultureInfo.InvariantCulture);
        int deleted;
        try
        {
            await connection.ExecuteAsync(null, "PRAGMA secure_delete = 1;", cancellationToken);
            deleted = await delete();
        }
        finally
        {
            // The connection goes back to the pool: later deletes (the retention purge) need not pay for the zeroing.
            await connection.ExecuteAsync(null, $"PRAGMA secure_delete = {previous.ToString(CultureInfo.InvariantCulture)};", CancellationToken.None);
        }

        if (deleted > 0)
        {
            await connection.ExecuteAsync(null, "PRAGMA wal_checkpoint(TRUNCATE);", cancellationToken);
        }

        return deleted;
    }

    protected override async ValueTask DisposeCoreAsync()
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

        await _fileWriteGate.WaitAsync();
        try
        {
            if (_writeConnection is not null)
            {
                await _writeConnection.DisposeAsync();
                _writeConnection = null;
            }
        }
        finally
        {
            _fileWriteGate.Release();
        }

        // Pooled connections keep the file open (and its WAL); release them so the file can be moved or deleted.
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (!_owned && _exclusive)
            {
                await EnsureOwnedAsync(connection, cancellationToken);
            }

            await connection.ExecuteAsync(null, "PRAGMA synchronous = NORMAL;", cancellationToken);
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
    /// Runs one write on the connection this store keeps for its writes (they take turns, so one is enough, and
    /// it keeps its page cache between them, where a pooled connection found its cache stale after every other
    /// connection's write and read the pages again). A fault of the file (it refused a write, or could not be opened) empties the
    /// pool: SQLite opens a file it may not write read-only, and such a connection stays read-only for its life, so once
    /// the file takes writes again the pool must not hand it out. For the same reason a write refused as read-only is
    /// tried once more at once, on a new connection: a read may have put such a connection in the pool while the fault
    /// lasted. (Every write here is a transaction or idempotent, so a refused one can run again.)
    /// </summary>
    /// <remarks>
    /// Writes of this process take turns at an async gate before they ask SQLite for the file's write lock. Without it,
    /// concurrent writers (queued delivery's accepts, claims and completions) wait for the lock inside
    /// Microsoft.Data.Sqlite by sleeping on a thread-pool thread, which under load starves the pool: acknowledgements
    /// and admin requests waited behind threads asleep. Not reentrant: a write never starts another inside it.
    /// </remarks>
    protected override async Task<T> WriteAsync<T>(Func<DbConnection, Task<T>> write, CancellationToken cancellationToken)
    {
        await _fileWriteGate.WaitAsync(cancellationToken);
        try
        {
            return await WriteOnceAsync(write, cancellationToken);
        }
        finally
        {
            _fileWriteGate.Release();
        }
    }

    private async Task<T> WriteOnceAsync<T>(Func<DbConnection, Task<T>> write, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = _writeConnection ??= (SqliteConnection)await OpenAsync(cancellationToken);
            try
            {
                return await write(connection);
            }
            catch (Exception ex)
            {
                // Whatever went wrong, the next write starts on a new connection: this one may be read-only for life, or
                // left in a state nobody should inherit.
                _writeConnection = null;
                await connection.DisposeAsync();
                if (ex is not SqliteException sqlite || !SpoilsConnections(sqlite))
                {
                    throw;
                }

                SqliteConnection.ClearPool(connection);
                if (attempt > 1 || sqlite.SqliteErrorCode != raw.SQLITE_READONLY)
                {
                    throw;
                }
            }
        }
    }

    /// <summary>Whether a connection that met <paramref name="exception"/> may go on refusing writes once the file takes them.</summary>
    private static bool SpoilsConnections(SqliteException exception) =>
        exception.SqliteErrorCode is raw.SQLITE_READONLY or raw.SQLITE_IOERR or raw.SQLITE_CANTOPEN;

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
            var prepared = raw.sqlite3_prepare_v2(connection.Handle, "PRAGMA schema_version;", out var statement);
            using (statement)
            {
                rc = prepared == raw.SQLITE_OK ? raw.sqlite3_step(statement) : prepared;
            }

            if (rc != raw.SQLITE_BUSY)
            {
                // Held now, or failed for a reason the caller's own command will report with its code.
                _owned = rc == raw.SQLITE_ROW;
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

    internal static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Nothing is ever notified: stores on the same file in one process poll.</summary>
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
