using System.Globalization;
using Cutover.Core.Rollout;
using Microsoft.Data.Sqlite;

namespace Cutover.Store.Sqlite;

/// <summary>The rollout's row and the rollbacks table.</summary>
internal static class SqliteRollout
{
    public static async Task<RolloutState?> ReadAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new SqliteCommand("""
            SELECT status, step, percent, domain, started_at, step_started_at, paused, note, version, updated_at FROM cutover_rollout WHERE id = 1
            """, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        if (!RolloutStatusNames.TryParse(reader.GetString(0), out var status))
        {
            throw new StoreException($"the stored rollout has an unknown status '{reader.GetString(0)}'");
        }

        return new RolloutState(
            status,
            reader.GetInt32(1),
            decimal.Parse(reader.GetString(2), CultureInfo.InvariantCulture),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : SqliteStore.ParseIso(reader.GetString(4)),
            reader.IsDBNull(5) ? null : SqliteStore.ParseIso(reader.GetString(5)),
            reader.GetInt64(6) != 0,
            reader.IsDBNull(7) ? null : reader.GetString(7),
            reader.GetInt64(8),
            SqliteStore.ParseIso(reader.GetString(9)));
    }

    public static async Task WriteAsync(SqliteConnection connection, SqliteTransaction transaction, RolloutState state, CancellationToken cancellationToken)
    {
        await using var command = new SqliteCommand("""
            INSERT OR REPLACE INTO cutover_rollout (id, version, status, step, percent, domain, started_at, step_started_at, paused, note, updated_at)
            VALUES (1, $version, $status, $step, $percent, $domain, $started, $stepStarted, $paused, $note, $updated)
            """, connection, transaction);
        command.Parameters.AddWithValue("$version", state.Version);
        command.Parameters.AddWithValue("$status", state.Status.ToName());
        command.Parameters.AddWithValue("$step", state.Step);
        command.Parameters.AddWithValue("$percent", state.Percent.ToString("0.00", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$domain", (object?)state.Domain ?? DBNull.Value);
        command.Parameters.AddWithValue("$started", state.StartedAt is { } s ? SqliteStore.Iso(s) : DBNull.Value);
        command.Parameters.AddWithValue("$stepStarted", state.StepStartedAt is { } ss ? SqliteStore.Iso(ss) : DBNull.Value);
        command.Parameters.AddWithValue("$paused", state.Paused ? 1 : 0);
        command.Parameters.AddWithValue("$note", (object?)state.Note ?? DBNull.Value);
        command.Parameters.AddWithValue("$updated", SqliteStore.Iso(state.UpdatedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task InsertRollbackAsync(
        SqliteConnection connection, SqliteTransaction transaction, RollbackRecord rollback, CancellationToken cancellationToken)
    {
        await using var command = new SqliteCommand("""
            INSERT INTO migration_rollbacks (created_at, phase, domain, from_percent, to_percent, reason, rolled_back_by, metrics)
            VALUES ($at, $phase, $domain, $from, $to, $reason, $actor, $metrics)
            """, connection, transaction);
        command.Parameters.AddWithValue("$at", SqliteStore.Iso(rollback.At));
        command.Parameters.AddWithValue("$phase", rollback.Phase);
        command.Parameters.AddWithValue("$domain", (object?)rollback.Domain ?? DBNull.Value);
        command.Parameters.AddWithValue("$from", rollback.FromPercent.ToString("0.00", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$to", rollback.ToPercent.ToString("0.00", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$reason", rollback.Reason);
        command.Parameters.AddWithValue("$actor", rollback.Actor);
        command.Parameters.AddWithValue("$metrics", rollback.Metrics);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<IReadOnlyList<RollbackRecord>> ReadRollbacksAsync(SqliteConnection connection, int limit, CancellationToken cancellationToken)
    {
        await using var command = new SqliteCommand("""
            SELECT id, created_at, phase, domain, from_percent, to_percent, reason, rolled_back_by, metrics
            FROM migration_rollbacks ORDER BY id DESC LIMIT $limit
            """, connection);
        command.Parameters.AddWithValue("$limit", limit);
        var rollbacks = new List<RollbackRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rollbacks.Add(new RollbackRecord(
                reader.GetInt64(0),
                SqliteStore.ParseIso(reader.GetString(1)),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                decimal.Parse(reader.GetString(4), CultureInfo.InvariantCulture),
                decimal.Parse(reader.GetString(5), CultureInfo.InvariantCulture),
                reader.GetString(6),
                reader.GetString(7),
                reader.GetString(8)));
        }

        return rollbacks;
    }
}
