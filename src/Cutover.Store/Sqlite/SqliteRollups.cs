using Cutover.Core.Decisions;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Microsoft.Data.Sqlite;

namespace Cutover.Store.Sqlite;

/// <summary>The rollup table's SQL read by stats; each decision batch merges into it in <see cref="SqliteDecisionWriter"/>.</summary>
internal static class SqliteRollups
{
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
}
