using System.Globalization;
using System.Text;
using Cutover.Core.Decisions;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Npgsql;
using NpgsqlTypes;

namespace Cutover.Store.Postgres;

/// <summary>
/// The rollup table's SQL. Several instances add to the same rows at once, so nothing is read back into C#: each
/// batch's cells go in one INSERT … ON CONFLICT DO UPDATE that adds counts, keeps min and max, and adds the bucket
/// maps in SQL.
/// </summary>
internal static class PostgresRollups
{
    private static readonly TimeSpan[] Resolutions = [Rollups.Minute, Rollups.Hour];

    // The rows arrive from unnest in array order and are locked in that order; every writer sorts its cells the
    // same way (KeyOrder), so two batches touching the same rows wait for each other instead of deadlocking.
    private const string UpsertSql = """
        INSERT INTO webhook_routing_rollups AS r (resolution, period_start, domain, routed_to, handler, request_count, error_count,
            fallback_count, latency_sum_ms, last_request, latency_zero, latency_min, latency_max, latency_buckets)
        SELECT * FROM unnest(@resolution, @start, @domain, @route, @handler, @requests, @errors, @fallbacks, @sum, @last,
            @zero, @min, @max, @buckets)
        ON CONFLICT (resolution, period_start, domain, routed_to, handler) DO UPDATE SET
            request_count   = r.request_count + excluded.request_count,
            error_count     = r.error_count + excluded.error_count,
            fallback_count  = r.fallback_count + excluded.fallback_count,
            latency_sum_ms  = r.latency_sum_ms + excluded.latency_sum_ms,
            last_request    = greatest(r.last_request, excluded.last_request),
            latency_zero    = r.latency_zero + excluded.latency_zero,
            latency_min     = least(r.latency_min, excluded.latency_min),
            latency_max     = greatest(r.latency_max, excluded.latency_max),
            latency_buckets = cutover_merge_buckets(r.latency_buckets, excluded.latency_buckets)
        """;

    /// <summary>Adds a batch's counts to its periods' rows, inside the batch's transaction: one statement for every cell.</summary>
    public static async Task AddAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<DecisionRecord> batch, CancellationToken cancellationToken)
    {
        var cells = new List<(int Resolution, RollupKey Key, RollupCell Cell)>();
        foreach (var resolution in Resolutions)
        {
            foreach (var (key, cell) in Rollups.Aggregate(batch, resolution))
            {
                cells.Add(((int)resolution.TotalSeconds, key, cell));
            }
        }

        cells.Sort(static (a, b) => KeyOrder(a.Resolution, a.Key, b.Resolution, b.Key));
        var n = cells.Count;
        var resolutions = new int[n];
        var starts = new DateTime[n];
        var domains = new string[n];
        var routes = new string[n];
        var handlers = new string[n];
        var requests = new long[n];
        var errors = new long[n];
        var fallbacks = new long[n];
        var sums = new double[n];
        var lasts = new DateTime[n];
        var zeros = new long[n];
        var mins = new double[n];
        var maxes = new double[n];
        var buckets = new string[n];
        for (var i = 0; i < n; i++)
        {
            var (resolution, key, cell) = cells[i];
            resolutions[i] = resolution;
            starts[i] = DateTime.UnixEpoch.AddMilliseconds(key.PeriodStartMs);
            domains[i] = key.Domain;
            routes[i] = key.Route.ToName();
            handlers[i] = key.Handler;
            requests[i] = cell.Requests;
            errors[i] = cell.Errors;
            fallbacks[i] = cell.Fallbacks;
            sums[i] = cell.Latency.Sum;
            lasts[i] = DateTime.UnixEpoch.AddMilliseconds(cell.LastAtMs);
            zeros[i] = cell.Latency.ZeroCount;
            mins[i] = cell.Latency.Min;
            maxes[i] = cell.Latency.Max;
            buckets[i] = BucketsJson(cell.Latency);
        }

        await using var upsert = new NpgsqlCommand(UpsertSql, connection, transaction);
        upsert.Parameters.AddWithValue("resolution", NpgsqlDbType.Array | NpgsqlDbType.Integer, resolutions);
        upsert.Parameters.AddWithValue("start", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, starts);
        upsert.Parameters.AddWithValue("domain", NpgsqlDbType.Array | NpgsqlDbType.Text, domains);
        upsert.Parameters.AddWithValue("route", NpgsqlDbType.Array | NpgsqlDbType.Text, routes);
        upsert.Parameters.AddWithValue("handler", NpgsqlDbType.Array | NpgsqlDbType.Text, handlers);
        upsert.Parameters.AddWithValue("requests", NpgsqlDbType.Array | NpgsqlDbType.Bigint, requests);
        upsert.Parameters.AddWithValue("errors", NpgsqlDbType.Array | NpgsqlDbType.Bigint, errors);
        upsert.Parameters.AddWithValue("fallbacks", NpgsqlDbType.Array | NpgsqlDbType.Bigint, fallbacks);
        upsert.Parameters.AddWithValue("sum", NpgsqlDbType.Array | NpgsqlDbType.Double, sums);
        upsert.Parameters.AddWithValue("last", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, lasts);
        upsert.Parameters.AddWithValue("zero", NpgsqlDbType.Array | NpgsqlDbType.Bigint, zeros);
        upsert.Parameters.AddWithValue("min", NpgsqlDbType.Array | NpgsqlDbType.Double, mins);
        upsert.Parameters.AddWithValue("max", NpgsqlDbType.Array | NpgsqlDbType.Double, maxes);
        upsert.Parameters.AddWithValue("buckets", NpgsqlDbType.Array | NpgsqlDbType.Jsonb, buckets);
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The rows of periods of <paramref name="resolution"/> that start in [from, to), sketches encoded as SQLite stores them.</summary>
    public static async Task<IReadOnlyList<RollupRow>> ReadAsync(
        NpgsqlConnection connection, TimeSpan resolution, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT period_start, domain, routed_to, handler, request_count, error_count, fallback_count, last_request,
                   latency_zero, latency_sum_ms, latency_min, latency_max, latency_buckets::text
            FROM webhook_routing_rollups
            WHERE resolution = @resolution AND period_start >= @from AND period_start < @to
            """, connection);
        command.Parameters.AddWithValue("resolution", (int)resolution.TotalSeconds);
        command.Parameters.AddWithValue("from", from.ToUniversalTime());
        command.Parameters.AddWithValue("to", to.ToUniversalTime());
        var rows = new List<RollupRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            LatencySketch sketch;
            try
            {
                sketch = LatencySketch.FromParts(
                    reader.GetInt64(8), reader.GetDouble(9), reader.GetDouble(10), reader.GetDouble(11), ParseBuckets(reader.GetString(12)));
            }
            catch (FormatException ex)
            {
                throw new StoreException($"a stored rollup's latency sketch is damaged: {ex.Message}", ex);
            }

            rows.Add(new RollupRow(
                reader.GetFieldValue<DateTimeOffset>(0).ToUnixTimeMilliseconds(),
                reader.GetString(1),
                reader.GetString(2) == RouteNames.Unified ? Route.Unified : Route.Legacy,
                reader.GetString(3),
                reader.GetInt64(4),
                reader.GetInt64(5),
                reader.GetInt64(6),
                reader.GetFieldValue<DateTimeOffset>(7).ToUnixTimeMilliseconds(),
                sketch.ToBytes()));
        }

        return rows;
    }

    /// <summary>Ordinal on every key part: the same order in every process, whatever the database's collation.</summary>
    private static int KeyOrder(int resolutionA, RollupKey a, int resolutionB, RollupKey b)
    {
        var order = resolutionA.CompareTo(resolutionB);
        if (order == 0)
        {
            order = a.PeriodStartMs.CompareTo(b.PeriodStartMs);
        }

        if (order == 0)
        {
            order = string.CompareOrdinal(a.Domain, b.Domain);
        }

        if (order == 0)
        {
            order = a.Route.CompareTo(b.Route);
        }

        return order != 0 ? order : string.CompareOrdinal(a.Handler, b.Handler);
    }

    private static string BucketsJson(LatencySketch sketch)
    {
        var json = new StringBuilder("{");
        foreach (var (index, count) in sketch.NonEmptyBuckets())
        {
            if (json.Length > 1)
            {
                json.Append(',');
            }

            json.Append('"').Append(index.ToString(CultureInfo.InvariantCulture)).Append("\":").Append(count.ToString(CultureInfo.InvariantCulture));
        }

        return json.Append('}').ToString();
    }

    private static List<KeyValuePair<int, long>> ParseBuckets(string json)
    {
        var buckets = new List<KeyValuePair<int, long>>();
        using var document = System.Text.Json.JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            buckets.Add(new KeyValuePair<int, long>(int.Parse(property.Name, CultureInfo.InvariantCulture), property.Value.GetInt64()));
        }

        return buckets;
    }
}
