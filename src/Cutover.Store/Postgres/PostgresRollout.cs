using Cutover.Core.Rollout;
using Npgsql;
using NpgsqlTypes;

namespace Cutover.Store.Postgres;

/// <summary>The rollout's row and the rollbacks table.</summary>
internal static class PostgresRollout
{
    public static async Task<RolloutState?> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
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
            reader.GetDecimal(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
            reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
            reader.GetBoolean(6),
            reader.IsDBNull(7) ? null : reader.GetString(7),
            reader.GetInt64(8),
            reader.GetFieldValue<DateTimeOffset>(9));
    }

    /// <summary>
    /// Writes <paramref name="state"/> if the stored version is still <paramref name="expectedVersion"/> (0: no row yet):
    /// false, with nothing written, when another writer got there first. The check and the write are one statement.
    /// </summary>
    public static async Task<bool> TryWriteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long expectedVersion, RolloutState state, CancellationToken cancellationToken)
    {
        var sql = expectedVersion == 0
            ? """
              INSERT INTO cutover_rollout (id, version, status, step, percent, domain, started_at, step_started_at, paused, note, updated_at)
              VALUES (1, @version, @status, @step, @percent, @domain, @started, @stepStarted, @paused, @note, @updated)
              ON CONFLICT (id) DO NOTHING
              """
            : """
              UPDATE cutover_rollout SET version = @version, status = @status, step = @step, percent = @percent, domain = @domain,
                  started_at = @started, step_started_at = @stepStarted, paused = @paused, note = @note, updated_at = @updated
              WHERE id = 1 AND version = @expected
              """;
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("version", state.Version);
        command.Parameters.AddWithValue("expected", expectedVersion);
        command.Parameters.AddWithValue("status", state.Status.ToName());
        command.Parameters.AddWithValue("step", state.Step);
        command.Parameters.AddWithValue("percent", state.Percent);
        command.Parameters.Add(new NpgsqlParameter("domain", NpgsqlDbType.Text) { Value = (object?)state.Domain ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("started", NpgsqlDbType.TimestampTz) { Value = state.StartedAt is { } s ? s.ToUniversalTime() : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("stepStarted", NpgsqlDbType.TimestampTz)
        {
            Value = state.StepStartedAt is { } ss ? ss.ToUniversalTime() : DBNull.Value,
        });
        command.Parameters.AddWithValue("paused", state.Paused);
        command.Parameters.Add(new NpgsqlParameter("note", NpgsqlDbType.Text) { Value = (object?)state.Note ?? DBNull.Value });
        command.Parameters.AddWithValue("updated", state.UpdatedAt.ToUniversalTime());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public static async Task InsertRollbackAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, RollbackRecord rollback, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO migration_rollbacks (created_at, phase, domain, from_percent, to_percent, reason, rolled_back_by, metrics)
            VALUES (@at, @phase, @domain, @from, @to, @reason, @actor, @metrics)
            """, connection, transaction);
        command.Parameters.AddWithValue("at", rollback.At.ToUniversalTime());
        command.Parameters.AddWithValue("phase", rollback.Phase);
        command.Parameters.Add(new NpgsqlParameter("domain", NpgsqlDbType.Text) { Value = (object?)rollback.Domain ?? DBNull.Value });
        command.Parameters.AddWithValue("from", rollback.FromPercent);
        command.Parameters.AddWithValue("to", rollback.ToPercent);
        command.Parameters.AddWithValue("reason", rollback.Reason);
        command.Parameters.AddWithValue("actor", rollback.Actor);
        command.Parameters.AddWithValue("metrics", NpgsqlDbType.Jsonb, rollback.Metrics);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<IReadOnlyList<RollbackRecord>> ReadRollbacksAsync(NpgsqlConnection connection, int limit, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT id, created_at, phase, domain, from_percent, to_percent, reason, rolled_back_by, metrics::text
            FROM migration_rollbacks ORDER BY id DESC LIMIT @limit
            """, connection);
        command.Parameters.AddWithValue("limit", limit);
        var rollbacks = new List<RollbackRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rollbacks.Add(new RollbackRecord(
                reader.GetInt64(0),
                reader.GetFieldValue<DateTimeOffset>(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetDecimal(4),
                reader.GetDecimal(5),
                reader.GetString(6),
                reader.GetString(7),

                // jsonb keeps the meaning, not the spelling (it sorts keys and adds spaces): hand it back compact.
                PostgresStore.CompactJson(reader.GetString(8))));
        }

        return rollbacks;
    }
}
