using System.Data.Common;
using System.Globalization;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Health;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Core.Webhooks;

namespace Cutover.Store.Sql;

/// <summary>The decision log's reads and retention, and the stats read from it and its rollups.</summary>
internal abstract partial class SqlStore
{
    /// <summary>
    /// A range scan of the created_at index, grouped by user and domain (on SQLite in a temporary b-tree): a day of a
    /// busy service reads its rows once. A user's bucket only changes with the salt; max() keeps one row per user and
    /// domain even then.
    /// </summary>
    internal const string UserActivitySql = """
        SELECT from_number, domain, max(bucket), count(*)
        FROM webhook_routing_logs
        WHERE created_at >= @from AND created_at < @to
          AND from_number IS NOT NULL AND bucket IS NOT NULL AND rule <> 'field'
        GROUP BY from_number, domain
        """;

    /// <summary>
    /// The same range scan as <see cref="UserActivitySql"/>, one row per user and domain (one sort or hash), then counted
    /// per domain: two <c>count(DISTINCT …)</c> would sort every key twice. Hashed keys count as well as raw ones.
    /// <c>{0}</c> is where the excluded users' condition goes, or nothing.
    /// </summary>
    internal const string CountUsersSql = """
        SELECT domain, count(*), sum(unified)
        FROM (
            SELECT domain, from_number, max(CASE WHEN routed_to = 'unified' THEN 1 ELSE 0 END) AS unified
            FROM webhook_routing_logs
            WHERE created_at >= @from AND created_at < @to
              AND from_number IS NOT NULL AND bucket IS NOT NULL AND rule <> 'field'{0}
            GROUP BY domain, from_number
        ) AS users
        GROUP BY domain
        """;

    /// <summary>
    /// The decisions of a range counted per slice, domain and route: the same range scan of the created_at index as
    /// <see cref="CountUsersSql"/>, grouped in the store. <c>{0}</c> is the slice's start in epoch milliseconds
    /// (<see cref="SliceStartSql"/>). A failure is what the rollups count as one (not a success, or a fallback).
    /// </summary>
    internal const string CountDecisionsSql = """
        SELECT {0} AS slice_start, domain, routed_to, count(*),
               sum(CASE WHEN status <> 'success' OR fallback THEN 1 ELSE 0 END),
               sum(CASE WHEN response_time_ms > @warn THEN 1 ELSE 0 END),
               sum(CASE WHEN response_time_ms > @critical THEN 1 ELSE 0 END)
        FROM webhook_routing_logs
        WHERE created_at >= @from AND created_at < @to
        GROUP BY 1, domain, routed_to
        """;

    /// <summary>The start, in epoch milliseconds, of the slice of <c>@slice</c> milliseconds that holds a row's created_at.</summary>
    protected abstract string SliceStartSql { get; }

    /// <summary>
    /// A condition true when <paramref name="column"/> is none of <paramref name="values"/>, passed as one parameter
    /// named <paramref name="parameter"/> (SQLite: a JSON array read with json_each; PostgreSQL: a text[]), so the
    /// statement stays the same whatever the number of values.
    /// </summary>
    protected abstract (string Sql, object Value) NotAmong(string column, string parameter, IReadOnlyCollection<string> values);

    /// <summary>Deletes up to 5,000 rollup rows whose period starts before <c>@before</c>.</summary>
    protected abstract string PurgeRollupsSql { get; }

    /// <summary>The columns that hold a rollup's latency sketch, read by <see cref="ReadLatency"/>.</summary>
    protected abstract string RollupLatencyColumns { get; }

    /// <summary>The latency sketch of a rollup row, encoded as <see cref="LatencySketch.ToBytes"/> does.</summary>
    protected abstract byte[] ReadLatency(DbDataReader reader, int ordinal);

    /// <summary>The columns <see cref="ReadDecision"/> reads, in its order.</summary>
    private const string DecisionColumns = """
        id, created_at, correlation_id, message_id, from_number, kind, domain, rule, bucket, routed_to, webhook_name,
               handler, status, status_code, response_time_ms, error_message, fallback
        """;

    public async Task<IReadOnlyList<DecisionRecord>> QueryDecisionsAsync(DecisionQuery query, CancellationToken cancellationToken)
    {
        var filter = DecisionFilter(query);
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.ListAsync(null, $"""
            SELECT {DecisionColumns}
            FROM webhook_routing_logs {filter}
            ORDER BY id DESC LIMIT @limit
            """, ReadDecision, cancellationToken, filter.Parameters(("limit", Math.Clamp(query.Limit, 1, 1_000_000))));
        return [.. rows.Select(static r => r.Decision)];
    }

    public async Task<DecisionPage> ReadDecisionsAsync(DecisionQuery query, CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(query.Limit, 1, 1_000_000);
        await using var connection = await OpenAsync(cancellationToken);

        // The newest row first, and nothing above it read: a row written meanwhile is left for the next read, not
        // skipped by a cursor already past it.
        var newest = await connection.ScalarAsync(null, "SELECT max(id) FROM webhook_routing_logs", cancellationToken) is { } value and not DBNull
            ? Convert.ToInt64(value, CultureInfo.InvariantCulture)
            : 0;
        var filter = DecisionFilter(query).And("id <= @newest", "newest", newest);
        if (query.After is { } after)
        {
            var page = await connection.ListAsync(null, $"""
                SELECT {DecisionColumns}
                FROM webhook_routing_logs {filter}
                ORDER BY id LIMIT @limit
                """, ReadDecision, cancellationToken, filter.Parameters(("limit", limit)));

            // A full page may have more behind it: the cursor stops at its last row. Otherwise everything up to the
            // newest row was seen (a cursor never goes back, even past a log that was emptied).
            return new DecisionPage(page, page.Count == limit ? page[^1].Id : Math.Max(after, newest));
        }

        var latest = await connection.ListAsync(null, $"""
            SELECT {DecisionColumns}
            FROM webhook_routing_logs {filter}
            ORDER BY id DESC LIMIT @limit
            """, ReadDecision, cancellationToken, filter.Parameters(("limit", limit)));
        latest.Reverse();
        return new DecisionPage(latest, newest);
    }

    /// <summary>The conditions of <paramref name="query"/>, every value a parameter.</summary>
    private SqlFilter DecisionFilter(DecisionQuery query)
    {
        if (query.UserKeys is { Count: > DecisionQuery.MaxUserKeys })
        {
            throw new ArgumentException($"at most {DecisionQuery.MaxUserKeys} user keys", nameof(query));
        }

        return new SqlFilter()
            .And("created_at >= @since", "since", query.Since is { } since ? Millis(since) : null)
            .And("created_at < @until", "until", query.Until is { } until ? Millis(until) : null)
            .And("from_number = @user", "user", query.UserKey)
            .AndAmong("from_number", "user", query.UserKeys)
            .And("domain = @domain", "domain", query.Domain)
            .And("routed_to = @route", "route", query.Route?.ToName())
            .AndIf(query.ErrorsOnly, "(status <> 'success' OR fallback = @fallback)", "fallback", true)
            .And("id > @after", "after", query.After);
    }

    private LoggedDecision ReadDecision(DbDataReader r) => new(r.GetInt64(0), new DecisionRecord(
        At: ReadMillis(r, 1),
        CorrelationId: r.GetString(2),
        MessageId: r.GetStringOrNull(3),
        UserKey: r.GetStringOrNull(4),
        Kind: ParseKind(r.GetString(5)),
        Domain: r.GetString(6),
        Rule: ParseRule(r.GetString(7)),
        Bucket: r.IsDBNull(8) ? -1 : r.GetInt32(8),
        Route: ParseRoute(r.GetString(9)),
        Upstream: r.GetString(10),
        Handler: r.GetStringOrNull(11),
        Success: r.GetString(12) == "success",
        StatusCode: r.IsDBNull(13) ? 0 : r.GetInt32(13),
        LatencyMs: r.IsDBNull(14) ? 0 : r.GetDouble(14),
        Error: r.GetStringOrNull(15),
        Fallback: r.GetBoolean(16)));

    public async Task<IReadOnlyList<UserActivity>> ReadUserActivityAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ListAsync(null, UserActivitySql,
            static r => new UserActivity(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3)),
            cancellationToken, ("from", Millis(from)), ("to", Millis(to)));
    }

    public async Task<IReadOnlyList<DomainUsers>> CountUsersAsync(
        DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<string> excludedUserKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(excludedUserKeys);
        List<(string, object?)> parameters = [("from", Millis(from)), ("to", Millis(to))];
        var exclusion = string.Empty;
        if (excludedUserKeys.Count > 0)
        {
            var (sql, value) = NotAmong("from_number", "excluded", excludedUserKeys);
            exclusion = "\n  AND " + sql;
            parameters.Add(("excluded", value));
        }

        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ListAsync(null, string.Format(CultureInfo.InvariantCulture, CountUsersSql, exclusion),
            static r => new DomainUsers(r.GetString(0), r.GetInt64(1), r.GetInt64(2)),
            cancellationToken, [.. parameters]);
    }

    public async Task<IReadOnlyList<DecisionSlice>> CountDecisionsAsync(
        DateTimeOffset from, DateTimeOffset to, TimeSpan slice, double warnMs, double criticalMs, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slice, TimeSpan.FromMilliseconds(1));
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ListAsync(null, string.Format(CultureInfo.InvariantCulture, CountDecisionsSql, SliceStartSql),
            static r => new DecisionSlice(r.GetInt64(0), r.GetString(1), ParseRoute(r.GetString(2)), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6)),
            cancellationToken, ("from", Millis(from)), ("to", Millis(to)), ("slice", (long)slice.TotalMilliseconds), ("warn", warnMs), ("critical", criticalMs));
    }

    public async Task<IReadOnlyList<RollupRow>> ReadRollupsAsync(
        TimeSpan resolution, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ListAsync(null, $"""
            SELECT period_start, domain, routed_to, handler, request_count, error_count, fallback_count, last_request, {RollupLatencyColumns}
            FROM webhook_routing_rollups
            WHERE resolution = @resolution AND period_start >= @from AND period_start < @to
            """, r => new RollupRow(
                ReadMillis(r, 0).ToUnixTimeMilliseconds(),
                r.GetString(1),
                ParseRoute(r.GetString(2)),
                r.GetString(3),
                r.GetInt64(4),
                r.GetInt64(5),
                r.GetInt64(6),
                ReadMillis(r, 7).ToUnixTimeMilliseconds(),
                ReadLatency(r, 8)),
            cancellationToken, ("resolution", (int)resolution.TotalSeconds), ("from", Millis(from)), ("to", Millis(to)));
    }

    public Task<PurgeResult> PurgeAsync(DateTimeOffset decisionsBefore, DateTimeOffset rollupsBefore, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            var decisions = await connection.DeleteInSlicesAsync("""
                DELETE FROM webhook_routing_logs WHERE id IN (SELECT id FROM webhook_routing_logs WHERE created_at < @before LIMIT 5000)
                """, Millis(decisionsBefore), cancellationToken);
            var rollups = await connection.DeleteInSlicesAsync(PurgeRollupsSql, Millis(rollupsBefore), cancellationToken);
            return new PurgeResult(decisions, rollups);
        }, cancellationToken);

    private static UpdateKind ParseKind(string value) => value switch
    {
        "status" => UpdateKind.Status,
        "change" => UpdateKind.Change,
        _ => UpdateKind.Message,
    };

    private static ClassificationRule ParseRule(string value) =>
        Enum.GetValues<ClassificationRule>().FirstOrDefault(r => r.ToName() == value, ClassificationRule.Fallback);
}
