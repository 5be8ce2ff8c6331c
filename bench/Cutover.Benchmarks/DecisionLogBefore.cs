using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Core.Webhooks;
using Microsoft.Data.Sqlite;

namespace Cutover.Benchmarks;

/// <summary>
/// The SQLite store's decision-log write as it was at 8236781 (before the long-lived writer), kept here as the
/// baseline of <see cref="DecisionLogBenchmarks"/>: a pooled connection opened per batch, a new
/// <see cref="SqliteCommand"/> for the insert and the two rollup statements, parameters bound by name.
/// </summary>
internal sealed class DecisionLogBefore(string connectionString)
{
    private static readonly TimeSpan[] Resolutions = [Rollups.Minute, Rollups.Hour];

    public async Task WriteDecisionsAsync(IReadOnlyList<DecisionRecord> batch, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var pragma = new SqliteCommand("PRAGMA synchronous = NORMAL;", connection))
        {
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var insert = new SqliteCommand("""
            INSERT INTO webhook_routing_logs (created_at, correlation_id, message_id, from_number, kind, domain, rule, bucket,
                routed_to, webhook_name, handler, status, status_code, response_time_ms, error_message, fallback)
            VALUES ($at, $cid, $mid, $user, $kind, $domain, $rule, $bucket, $route, $upstream, $handler, $status, $code,
                $latency, $error, $fallback)
            """, connection, transaction);
        var at = insert.Parameters.Add("$at", SqliteType.Integer);
        var cid = insert.Parameters.Add("$cid", SqliteType.Text);
        var mid = insert.Parameters.Add("$mid", SqliteType.Text);
        var user = insert.Parameters.Add("$user", SqliteType.Text);
        var kind = insert.Parameters.Add("$kind", SqliteType.Text);
        var domain = insert.Parameters.Add("$domain", SqliteType.Text);
        var rule = insert.Parameters.Add("$rule", SqliteType.Text);
        var bucket = insert.Parameters.Add("$bucket", SqliteType.Integer);
        var route = insert.Parameters.Add("$route", SqliteType.Text);
        var upstream = insert.Parameters.Add("$upstream", SqliteType.Text);
        var handler = insert.Parameters.Add("$handler", SqliteType.Text);
        var status = insert.Parameters.Add("$status", SqliteType.Text);
        var code = insert.Parameters.Add("$code", SqliteType.Integer);
        var latency = insert.Parameters.Add("$latency", SqliteType.Real);
        var error = insert.Parameters.Add("$error", SqliteType.Text);
        var fallback = insert.Parameters.Add("$fallback", SqliteType.Integer);
        insert.Prepare();

        foreach (var d in batch)
        {
            at.Value = d.At.ToUnixTimeMilliseconds();
            cid.Value = d.CorrelationId;
            mid.Value = (object?)d.MessageId ?? DBNull.Value;
            user.Value = (object?)d.UserKey ?? DBNull.Value;
            kind.Value = d.Kind.ToName();
            domain.Value = d.Domain;
            rule.Value = d.Rule.ToName();
            bucket.Value = d.Bucket >= 0 ? d.Bucket : DBNull.Value;
            route.Value = d.Route.ToName();
            upstream.Value = d.Upstream;
            handler.Value = (object?)d.Handler ?? DBNull.Value;
            status.Value = d.Success ? "success" : "error";
            code.Value = d.StatusCode > 0 ? d.StatusCode : DBNull.Value;
            latency.Value = d.LatencyMs;
            error.Value = (object?)d.Error ?? DBNull.Value;
            fallback.Value = d.Fallback ? 1 : 0;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await AddRollupsAsync(connection, transaction, batch, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task AddRollupsAsync(
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
