using Cutover.Core.Decisions;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Microsoft.Data.Sqlite;

namespace Cutover.Store.Sqlite;

/// <summary>The rollup table's SQL: merged into by each decision batch, read by stats.</summary>
internal static class SqliteRollups
{
    private static readonly TimeSpan[] Resolutions = [Rollups.Minute, Rollups.Hour];

    /// <summary>
    /// Adds a batch's counts to its periods' rows. A sketch cannot be added in SQL, so each touched row is read,
    /// merged and written back: inside the batch's transaction, where SQLite has one writer at a time.
    /// </summary>
    public static async Task AddAsync(
        SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<DecisionRecord> batch, CancellationToken cancellationToken)
    {
        await using var select = new SqliteCommand("""
            SELECT request_count, error_count, fallback_count, last_request, latency FROM webhook_routing_rollups
            WHERE resolution = $resolution AND period_start = $start AND domain = $domain AND routed_to = $route AND handler = $handler
            """, connection, transaction);
        await using var upsert = new SqliteCommand("""
            INSERT OR REPLACE INTO webhook_routing_rollups (resolution, period_start, domain, routed_to, handler, request_count,
                error_count, fallback_count, latency_sum_ms, last_request, latency)
            VALUES ($resolution, $start, $domain, $route, $handler, $requests, $errors, $fallbacks, $sum, $last, $latency)
            """, connection, transaction);
        var keyOfSelect = KeyParameters(select);
        var keyOfUpsert = KeyParameters(upsert);
        var requests = upsert.Parameters.Add("$requests", SqliteType.Integer);
        var errors = upsert.Parameters.Add("$errors", SqliteType.Integer);
        var fallbacks = upsert.Parameters.Add("$fallbacks", SqliteType.Integer);
        var sum = upsert.Parameters.Add("$sum", SqliteType.Real);
        var last = upsert.Parameters.Add("$last", SqliteType.Integer);
        var latency = upsert.Parameters.Add("$latency", SqliteType.Blob);

        foreach (var resolution in Resolutions)
        {
            foreach (var (key, cell) in Rollups.Aggregate(batch, resolution))
            {
                Bind(keyOfSelect, resolution, key);
                await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
                {
                    if (await reader.ReadAsync(cancellationToken))
                    {
                        cell.Merge(new RollupRow(key.PeriodStartMs, key.Domain, key.Route, key.Handler, reader.GetInt64(0),
                            reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), (byte[])reader.GetValue(4)));
                    }
                }

                Bind(keyOfUpsert, resolution, key);
                requests.Value = cell.Requests;
                errors.Value = cell.Errors;
                fallbacks.Value = cell.Fallbacks;
                sum.Value = cell.Latency.Sum;
                last.Value = cell.LastAtMs;
                latency.Value = cell.Latency.ToBytes();
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    /// <summary>The rows of periods of <paramref name="resolution"/> that start in [from, to).</summary>
    public static async Task<IReadOnlyList<RollupRow>> ReadAsync(
        SqliteConnection connection, TimeSpan resolution, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var command = new SqliteCommand("""
            SELECT period_start, domain, routed_to, handler, request_count, error_count, fallback_count, last_request, latency
            FROM webhook_routing_rollups
            WHERE resolution = $resolution AND period_start >= $from AND period_start < $to
            """, connection);
        command.Parameters.AddWithValue("$resolution", (long)resolution.TotalSeconds);
        command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        var rows = new List<RollupRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new RollupRow(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2) == RouteNames.Unified ? Route.Unified : Route.Legacy,
                reader.GetString(3),
                reader.GetInt64(4),
                reader.GetInt64(5),
                reader.GetInt64(6),
                reader.GetInt64(7),
                (byte[])reader.GetValue(8)));
        }

        return rows;
    }

    private static SqliteParameter[] KeyParameters(SqliteCommand command) =>
    [
        command.Parameters.Add("$resolution", SqliteType.Integer),
        command.Parameters.Add("$start", SqliteType.Integer),
        command.Parameters.Add("$domain", SqliteType.Text),
        command.Parameters.Add("$route", SqliteType.Text),
        command.Parameters.Add("$handler", SqliteType.Text),
    ];

    private static void Bind(SqliteParameter[] parameters, TimeSpan resolution, RollupKey key)
    {
        parameters[0].Value = (long)resolution.TotalSeconds;
        parameters[1].Value = key.PeriodStartMs;
        parameters[2].Value = key.Domain;
        parameters[3].Value = key.Route.ToName();
        parameters[4].Value = key.Handler;
    }
}
