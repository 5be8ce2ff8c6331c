using System.Collections.Immutable;
using System.Data.Common;
using System.Text.Json;
using Cutover.Core.Routing;

namespace Cutover.Store.Sql;

/// <summary>The routing state (one row of <c>webhook_routing_config</c> and the overrides) and its audit trail.</summary>
internal abstract partial class SqlStore
{
    // One row in both databases (SQLite: id = 1; PostgreSQL: a unique index on a constant), so no WHERE is needed.
    private const string SelectStateSql = "SELECT enabled, percentage, domains, domain_percentages, version, updated_at FROM webhook_routing_config";

    private const string UpdateStateSql = """
        UPDATE webhook_routing_config SET version = @version, enabled = @enabled, percentage = @percent, domains = @domains,
            domain_percentages = @domainPercents, updated_at = @updatedAt
        """;

    /// <summary>
    /// Reads the version inside a write's transaction, so that it cannot change before the commit: on SQLite the
    /// transaction's write lock does that, on PostgreSQL <c>FOR UPDATE</c> (a concurrent commit, or a runbook
    /// function, waits for this one and then sees the new version).
    /// </summary>
    protected abstract string LockRoutingVersionSql { get; }

    /// <summary>
    /// Stores <paramref name="initial"/> as the first state, in <paramref name="transaction"/>, unless a state is there
    /// already: the state to route by.
    /// </summary>
    protected abstract Task<RoutingState> StoreFirstStateAsync(
        DbConnection connection, DbTransaction transaction, RoutingState initial, CancellationToken cancellationToken);

    public Task<RoutingState> LoadRoutingStateAsync(RoutingState initial, CancellationToken cancellationToken) => WriteAsync(async connection =>
    {
        if (await ReadStateAsync(connection, null, cancellationToken) is { } state)
        {
            return state;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        state = await StoreFirstStateAsync(connection, transaction, initial, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return state;
    }, cancellationToken);

    public async Task<long> RoutingVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ScalarAsync(null, "SELECT version FROM webhook_routing_config", cancellationToken) is long version ? version : 0;
    }

    public Task<IReadOnlyList<AuditEvent>?> TryCommitRoutingAsync(
        long expectedVersion, RoutingState next, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken) =>
        InTransactionAsync<IReadOnlyList<AuditEvent>?>(async (connection, transaction) =>
        {
            if (await connection.ScalarAsync(transaction, LockRoutingVersionSql, cancellationToken) is not long version || version != expectedVersion)
            {
                return null;
            }

            await connection.ExecuteAsync(transaction, UpdateStateSql, cancellationToken, StateParameters(next));
            await connection.ExecuteAsync(transaction, "DELETE FROM webhook_routing_overrides", cancellationToken);
            await WriteOverridesAsync(connection, transaction, next, cancellationToken);
            return await InsertAuditAsync(connection, transaction, events, cancellationToken);
        }, cancellationToken);

    public async Task<AuditEvent> AppendAuditAsync(AuditEvent audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentException.ThrowIfNullOrWhiteSpace(audit.Kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(audit.Reason);
        var stored = await InTransactionAsync((connection, transaction) => InsertAuditAsync(connection, transaction, [audit], cancellationToken), cancellationToken);
        return stored[0];
    }

    public async Task<IReadOnlyList<AuditEvent>> HistoryAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        var filter = new SqlFilter()
            .And("at >= @since", "since", query.Since is { } since ? Time(since) : null)
            .And("kind = @kind", "kind", query.Kind);
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ListAsync(null, $"""
            SELECT id, at, kind, actor, reason, before, after FROM webhook_routing_audit {filter}
            ORDER BY id DESC LIMIT @limit
            """,
            r => new AuditEvent(r.GetInt64(0), ReadTime(r, 1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetStringOrNull(5), r.GetStringOrNull(6)),
            cancellationToken, filter.Parameters(("limit", Math.Clamp(query.Limit, 1, 10_000))));
    }

    protected async Task<RoutingState?> ReadStateAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var state = await connection.FirstOrDefaultAsync(transaction, SelectStateSql, r => new RoutingState(
            r.GetBoolean(0),
            r.GetDecimal(1),
            (JsonSerializer.Deserialize(r.GetString(3), StoreJson.Default.DictionaryStringDecimal) ?? []).ToImmutableSortedDictionary(StringComparer.Ordinal),
            ImmutableSortedSet.CreateRange(StringComparer.Ordinal, ReadDomains(r, 2)),
            ImmutableSortedDictionary<string, UserOverride>.Empty,
            r.GetInt64(4),
            ReadTime(r, 5)), cancellationToken);
        if (state is null)
        {
            return null;
        }

        var overrides = ImmutableSortedDictionary.CreateBuilder<string, UserOverride>(StringComparer.Ordinal);
        foreach (var (user, pin) in await connection.ListAsync(transaction,
            "SELECT user_key, route, domain, actor, reason, created_at FROM webhook_routing_overrides",
            r => (r.GetString(0), new UserOverride(
                r.IsDBNull(1) ? null : RouteNames.TryParse(r.GetString(1), out var route) ? route : null,
                r.GetStringOrNull(2), r.GetString(3), r.GetString(4), ReadTime(r, 5))), cancellationToken))
        {
            overrides[user] = pin;
        }

        return state with { Overrides = overrides.ToImmutable() };
    }

    /// <summary>The parameters of a statement that writes the state's row: @version, @enabled, @percent, @domains, @domainPercents, @updatedAt.</summary>
    protected (string, object?)[] StateParameters(RoutingState state) =>
    [
        ("version", state.Version),
        ("enabled", state.Enabled),
        ("percent", Percent(state.Percent)),
        ("domains", Domains(state.Routable)),
        ("domainPercents", Json(JsonSerializer.Serialize(state.DomainPercents.ToDictionary(), StoreJson.Default.DictionaryStringDecimal))),
        ("updatedAt", Time(state.UpdatedAt)),
    ];

    /// <summary>Inserts the state's overrides (the table is empty): they are few (pinned test users), one row at a time keeps it simple.</summary>
    protected async Task WriteOverridesAsync(DbConnection connection, DbTransaction transaction, RoutingState state, CancellationToken cancellationToken)
    {
        foreach (var (user, pin) in state.Overrides)
        {
            await connection.ExecuteAsync(transaction, """
                INSERT INTO webhook_routing_overrides (user_key, route, domain, actor, reason, created_at)
                VALUES (@user, @route, @domain, @actor, @reason, @at)
                """, cancellationToken,
                ("user", user), ("route", pin.Route?.ToName()), ("domain", pin.Domain), ("actor", pin.Actor), ("reason", pin.Reason), ("at", Time(pin.At)));
        }
    }

    /// <summary>Appends the audit events: as stored, with their ids.</summary>
    private async Task<IReadOnlyList<AuditEvent>> InsertAuditAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        var stored = new List<AuditEvent>(events.Count);
        foreach (var audit in events)
        {
            var id = await connection.ScalarAsync(transaction, """
                INSERT INTO webhook_routing_audit (at, kind, actor, reason, before, after)
                VALUES (@at, @kind, @actor, @reason, @before, @after)
                RETURNING id
                """, cancellationToken,
                ("at", Time(audit.At)), ("kind", audit.Kind), ("actor", audit.Actor), ("reason", audit.Reason), ("before", audit.Before), ("after", audit.After));
            stored.Add(audit with { Id = (long)id! });
        }

        return stored;
    }
}
