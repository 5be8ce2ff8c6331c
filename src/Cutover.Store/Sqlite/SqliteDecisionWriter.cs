using System.Text;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Core.Webhooks;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Cutover.Store.Sqlite;

/// <summary>
/// Writes the decision log's batches: one connection kept open for the store's life, with the log's
/// <c>INSERT</c> and the rollups' <c>SELECT</c> and <c>INSERT OR REPLACE</c> prepared once and bound by
/// position through SQLitePCL. Not thread-safe: the store lets one batch in at a time.
/// </summary>
/// <remarks>
/// Why not <see cref="SqliteCommand"/>: it prepares its statements again for every new command object
/// (a transaction's worth of SQL parsing per batch), and each execution allocates a data reader and looks
/// every parameter up by name (~1.8 KB and a few µs a record). Binding by index on statements prepared
/// once costs what SQLite itself costs. Transactions still go through <see cref="SqliteConnection"/>, which
/// begins them with <c>BEGIN IMMEDIATE</c> and retries while another writer holds the file.
/// </remarks>
internal sealed class SqliteDecisionWriter : IDisposable
{
    private const string InsertSql = """
        INSERT INTO webhook_routing_logs (created_at, correlation_id, message_id, from_number, kind, domain, rule, bucket,
            routed_to, webhook_name, handler, status, status_code, response_time_ms, error_message, fallback)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
        """;

    private const string SelectRollupSql = """
        SELECT request_count, error_count, fallback_count, last_request, latency FROM webhook_routing_rollups
        WHERE resolution = ?1 AND period_start = ?2 AND domain = ?3 AND routed_to = ?4 AND handler = ?5
        """;

    private const string UpsertRollupSql = """
        INSERT OR REPLACE INTO webhook_routing_rollups (resolution, period_start, domain, routed_to, handler, request_count,
            error_count, fallback_count, latency_sum_ms, last_request, latency)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
        """;

    private const int MaxCachedNames = 1024;

    private static readonly TimeSpan[] Resolutions = [Rollups.Minute, Rollups.Hour];

    private readonly Dictionary<string, byte[]> _names = new(StringComparer.Ordinal);
    private byte[] _utf8 = new byte[1024];

    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _insert;
    private readonly sqlite3_stmt _selectRollup;
    private readonly sqlite3_stmt _upsertRollup;

    /// <summary>Takes ownership of <paramref name="connection"/>, open, with the schema migrated.</summary>
    public SqliteDecisionWriter(SqliteConnection connection)
    {
        _connection = connection;
        _db = connection.Handle ?? throw new InvalidOperationException("the writer's connection is not open");
        var prepared = new List<sqlite3_stmt>(3);
        try
        {
            prepared.Add(_insert = Prepare(InsertSql));
            prepared.Add(_selectRollup = Prepare(SelectRollupSql));
            prepared.Add(_upsertRollup = Prepare(UpsertRollupSql));
        }
        catch
        {
            prepared.ForEach(static s => s.Dispose());
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Inserts <paramref name="batch"/> and merges it into its rollup rows, in one transaction.</summary>
    public void Write(IReadOnlyList<DecisionRecord> batch)
    {
        using var transaction = _connection.BeginTransaction();
        for (var i = 0; i < batch.Count; i++)
        {
            Insert(batch[i]);
        }

        foreach (var resolution in Resolutions)
        {
            var seconds = (long)resolution.TotalSeconds;
            foreach (var (key, cell) in Rollups.Aggregate(batch, resolution))
            {
                MergeRollup(seconds, key, cell);
            }
        }

        transaction.Commit();
    }

    private void Insert(in DecisionRecord d)
    {
        var s = _insert;
        Check(raw.sqlite3_bind_int64(s, 1, d.At.ToUnixTimeMilliseconds()));
        Check(BindText(s, 2, d.CorrelationId));
        Check(BindText(s, 3, d.MessageId));
        Check(BindText(s, 4, d.UserKey));
        Check(BindName(s, 5, d.Kind.ToName()));
        Check(BindName(s, 6, d.Domain));
        Check(BindName(s, 7, d.Rule.ToName()));
        Check(d.Bucket >= 0 ? raw.sqlite3_bind_int64(s, 8, d.Bucket) : raw.sqlite3_bind_null(s, 8));
        Check(BindName(s, 9, d.Route.ToName()));
        Check(BindName(s, 10, d.Upstream));
        Check(BindName(s, 11, d.Handler));
        Check(BindName(s, 12, d.Success ? "success" : "error"));
        Check(d.StatusCode > 0 ? raw.sqlite3_bind_int64(s, 13, d.StatusCode) : raw.sqlite3_bind_null(s, 13));
        Check(raw.sqlite3_bind_double(s, 14, d.LatencyMs));
        Check(BindText(s, 15, d.Error));
        Check(raw.sqlite3_bind_int64(s, 16, d.Fallback ? 1 : 0));
        Step(s, raw.SQLITE_DONE);
    }

    /// <summary>
    /// Binds text as UTF-8, the database's encoding: text bound as UTF-16 is converted by SQLite as it stores the row,
    /// which was the costliest step of an insert after the B-tree itself. SQLite copies bound text, so one buffer serves.
    /// </summary>
    private int BindText(sqlite3_stmt s, int index, string? value)
    {
        if (value is null)
        {
            return raw.sqlite3_bind_null(s, index);
        }

        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (length > _utf8.Length)
        {
            _utf8 = new byte[Math.Max(length, _utf8.Length * 2)];
        }

        var written = Encoding.UTF8.GetBytes(value, _utf8);
        return raw.sqlite3_bind_text(s, index, _utf8.AsSpan(0, written));
    }

    /// <summary>
    /// Binds one of the few names a column takes (domain, route, rule, upstream, handler...) from UTF-8 encoded once.
    /// The cache is bounded: handler names come from upstreams, so past its size a name is encoded each time.
    /// </summary>
    private int BindName(sqlite3_stmt s, int index, string? value)
    {
        if (value is null)
        {
            return raw.sqlite3_bind_null(s, index);
        }

        if (!_names.TryGetValue(value, out var utf8))
        {
            if (_names.Count >= MaxCachedNames)
            {
                return BindText(s, index, value);
            }

            _names[value] = utf8 = Encoding.UTF8.GetBytes(value);
        }

        return raw.sqlite3_bind_text(s, index, utf8);
    }

    /// <summary>
    /// A sketch cannot be added in SQL, so the row is read, merged and written back: inside the batch's
    /// transaction, where SQLite has one writer at a time (so another instance on the file cannot interleave).
    /// </summary>
    private void MergeRollup(long resolutionSeconds, RollupKey key, RollupCell cell)
    {
        BindKey(_selectRollup, resolutionSeconds, key);
        var rc = raw.sqlite3_step(_selectRollup);
        if (rc == raw.SQLITE_ROW)
        {
            var s = _selectRollup;
            cell.Merge(new RollupRow(key.PeriodStartMs, key.Domain, key.Route, key.Handler, raw.sqlite3_column_int64(s, 0),
                raw.sqlite3_column_int64(s, 1), raw.sqlite3_column_int64(s, 2), raw.sqlite3_column_int64(s, 3),
                raw.sqlite3_column_blob(s, 4).ToArray()));
            rc = raw.SQLITE_DONE;
        }

        raw.sqlite3_reset(_selectRollup);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }

        var u = _upsertRollup;
        BindKey(u, resolutionSeconds, key);
        Check(raw.sqlite3_bind_int64(u, 6, cell.Requests));
        Check(raw.sqlite3_bind_int64(u, 7, cell.Errors));
        Check(raw.sqlite3_bind_int64(u, 8, cell.Fallbacks));
        Check(raw.sqlite3_bind_double(u, 9, cell.Latency.Sum));
        Check(raw.sqlite3_bind_int64(u, 10, cell.LastAtMs));
        Check(raw.sqlite3_bind_blob(u, 11, cell.Latency.ToBytes()));
        Step(u, raw.SQLITE_DONE);
    }

    private void BindKey(sqlite3_stmt s, long resolutionSeconds, RollupKey key)
    {
        Check(raw.sqlite3_bind_int64(s, 1, resolutionSeconds));
        Check(raw.sqlite3_bind_int64(s, 2, key.PeriodStartMs));
        Check(BindName(s, 3, key.Domain));
        Check(BindName(s, 4, key.Route.ToName()));
        Check(BindName(s, 5, key.Handler));
    }

    private void Step(sqlite3_stmt s, int expected)
    {
        var rc = raw.sqlite3_step(s);
        raw.sqlite3_reset(s);
        if (rc != expected)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    private sqlite3_stmt Prepare(string sql)
    {
        var rc = raw.sqlite3_prepare_v2(_db, sql, out var stmt);
        if (rc != raw.SQLITE_OK)
        {
            stmt?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, _db);
        }

        return stmt!;
    }

    public void Dispose()
    {
        _insert.Dispose();
        _selectRollup.Dispose();
        _upsertRollup.Dispose();
        _connection.Dispose();
    }
}
