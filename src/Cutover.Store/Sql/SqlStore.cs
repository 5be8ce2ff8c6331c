using System.Data.Common;
using System.Globalization;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;

namespace Cutover.Store.Sql;

/// <summary>
/// Every flow of the store, written once for both databases over ADO.NET: the transaction with its version check, the
/// rollback row and the audit rows; the mapping of rows to records; the rollout's read and write; conversation memory;
/// the migrations' bookkeeping. A provider derives from it for what really differs and nothing else (the members
/// marked abstract or virtual below): how a connection is opened and a write retried, how a few kinds of value are
/// stored, a few statements, and the operations whose SQL has nothing in common (the decision log's bulk write, the
/// first routing state, leases, notifications, the conversations' upsert). Quartz.NET's job store is built the same
/// way: one flow, a small delegate per database.
/// </summary>
/// <remarks>
/// Parameters are named <c>@name</c>, which both drivers take. Only admin changes, the log writer and background
/// services call the store; the request path never does.
/// </remarks>
internal abstract partial class SqlStore(TimeProvider time) : ICutoverStore
{
    private int _disposed;

    protected TimeProvider Clock => time;

    public abstract string Provider { get; }

    public abstract string Location { get; }

    public virtual string? FilePath => null;

    // Connections and transactions.

    /// <summary>An open connection, or a <see cref="StoreException"/> saying why there is none.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Runs one write on its own connection; a provider may retry it (SQLite, after a fault of its file).</summary>
    protected virtual async Task<T> WriteAsync<T>(Func<DbConnection, Task<T>> write, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await write(connection);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction of a write: on SQLite <c>BEGIN IMMEDIATE</c>, which takes the file's
    /// write lock at once, so nothing read in it can go stale; on PostgreSQL what the work locks (<c>FOR UPDATE</c>).
    /// A refused change wrote nothing, so committing it ends the transaction as a rollback would.
    /// </summary>
    protected Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var result = await work(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }, cancellationToken);

    // How values are stored where the column types differ.

    /// <summary>A time as the store keeps it (SQLite: ISO 8601 text; PostgreSQL: timestamptz).</summary>
    protected abstract object Time(DateTimeOffset value);

    protected abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    /// <summary>
    /// A time in the tables written in bulk or scanned by time (the decision log, the rollups, conversations): Unix
    /// milliseconds on SQLite, compact and quick to compare; timestamptz on PostgreSQL like every other.
    /// </summary>
    protected virtual object Millis(DateTimeOffset value) => Time(value);

    protected virtual DateTimeOffset ReadMillis(DbDataReader reader, int ordinal) => ReadTime(reader, ordinal);

    /// <summary>A percentage with its two decimals (SQLite: text such as <c>12.50</c>; PostgreSQL: numeric(5,2)).</summary>
    protected abstract object Percent(decimal value);

    /// <summary>A JSON document as a parameter (PostgreSQL's jsonb must be named as such).</summary>
    protected virtual object Json(string json) => json;

    /// <summary>A JSON document as it was written (PostgreSQL's jsonb gives it back respaced, with its keys sorted).</summary>
    protected virtual string ReadJson(DbDataReader reader, int ordinal) => reader.GetString(ordinal);

    /// <summary>The routable domains (SQLite: a JSON array; PostgreSQL: the runbooks' text[]).</summary>
    protected abstract object Domains(IEnumerable<string> domains);

    protected abstract IEnumerable<string> ReadDomains(DbDataReader reader, int ordinal);

    // The database: its schema and whether it answers.

    /// <summary>The schema, as numbered migrations applied in order.</summary>
    protected abstract IReadOnlyList<(int Version, string Description, string Sql)> Migrations { get; }

    /// <summary><c>CREATE TABLE IF NOT EXISTS schema_migrations</c> in this database's types.</summary>
    protected abstract string CreateMigrationsTableSql { get; }

    /// <summary>A query of one value that is true (or non-zero) when <c>schema_migrations</c> exists.</summary>
    protected abstract string MigrationsTableExistsSql { get; }

    /// <summary>
    /// Runs <paramref name="apply"/> on one connection as this database needs a migration run: SQLite makes the file's
    /// folder and turns the write-ahead log on; PostgreSQL holds an advisory lock, so instances starting together
    /// apply each migration once.
    /// </summary>
    protected abstract Task<int> MigrateExclusivelyAsync(Func<DbConnection, Task<int>> apply, CancellationToken cancellationToken);

    public Task<int> MigrateAsync(CancellationToken cancellationToken) =>
        MigrateExclusivelyAsync(connection => ApplyMigrationsAsync(connection, cancellationToken), cancellationToken);

    private async Task<int> ApplyMigrationsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(null, CreateMigrationsTableSql, cancellationToken);
        var current = await SchemaVersionAsync(connection, cancellationToken);
        var applied = 0;
        foreach (var (version, description, sql) in Migrations)
        {
            if (version <= current)
            {
                continue;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(transaction, sql, cancellationToken);
            await connection.ExecuteAsync(transaction, "INSERT INTO schema_migrations (version, description, applied_at) VALUES (@v, @d, @at)",
                cancellationToken, ("v", version), ("d", description), ("at", Time(Clock.GetUtcNow())));
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

    private async Task<int> SchemaVersionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Convert.ToBoolean(await connection.ScalarAsync(null, MigrationsTableExistsSql, cancellationToken), CultureInfo.InvariantCulture)
            ? Convert.ToInt32(await connection.ScalarAsync(null, "SELECT coalesce(max(version), 0) FROM schema_migrations", cancellationToken),
                CultureInfo.InvariantCulture)
            : 0;

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(null, "SELECT 1", cancellationToken);
    }

    // The decision log's write and the cluster's operations, which share no SQL between the databases.

    public Task WriteDecisionsAsync(IReadOnlyList<DecisionRecord> batch, CancellationToken cancellationToken) =>
        batch.Count == 0 ? Task.CompletedTask : WriteDecisionBatchAsync(batch, cancellationToken);

    /// <summary>Appends a batch (never empty) to the log and merges it into its rollups, in one transaction.</summary>
    protected abstract Task WriteDecisionBatchAsync(IReadOnlyList<DecisionRecord> batch, CancellationToken cancellationToken);

    public abstract Task<IStoreSubscription> SubscribeAsync(CancellationToken cancellationToken);

    public abstract Task<IStoreLease?> TryAcquireLeaseAsync(string name, CancellationToken cancellationToken);

    /// <summary>Disposes once, however many owners ask (the host registers this object as each of its roles).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await DisposeCoreAsync();
        }
    }

    protected abstract ValueTask DisposeCoreAsync();

    protected static Route ParseRoute(string name) => name == RouteNames.Unified ? Route.Unified : Route.Legacy;
}
