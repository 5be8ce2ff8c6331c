using System.Data.Common;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;

namespace Cutover.Store.Sql;

/// <summary>The rollout's row (<c>cutover_rollout</c>, id 1) and the runbooks' <c>migration_rollbacks</c>.</summary>
internal abstract partial class SqlStore
{
    public async Task<RolloutState> LoadRolloutAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.FirstOrDefaultAsync(null, """
            SELECT status, step, percent, domain, started_at, step_started_at, paused, note, version, updated_at FROM cutover_rollout WHERE id = 1
            """, r => new RolloutState(
                RolloutStatusNames.TryParse(r.GetString(0), out var status)
                    ? status
                    : throw new StoreException($"the stored rollout has an unknown status '{r.GetString(0)}'"),
                r.GetInt32(1),
                r.GetDecimal(2),
                r.GetStringOrNull(3),
                r.IsDBNull(4) ? null : ReadTime(r, 4),
                r.IsDBNull(5) ? null : ReadTime(r, 5),
                r.GetBoolean(6),
                r.GetStringOrNull(7),
                r.GetInt64(8),
                ReadTime(r, 9)), cancellationToken)
            ?? RolloutState.Idle(Clock.GetUtcNow());
    }

    /// <remarks>
    /// The version check and the write are one statement: an insert when no rollout was stored yet (expected version 0),
    /// which does nothing if another writer stored one first, else an update of the expected version only.
    /// </remarks>
    public Task<IReadOnlyList<AuditEvent>?> TrySaveRolloutAsync(
        long expectedVersion, RolloutState next, IReadOnlyList<AuditEvent> events, RollbackRecord? rollback, CancellationToken cancellationToken) =>
        InTransactionAsync<IReadOnlyList<AuditEvent>?>(async (connection, transaction) =>
        {
            var state = next with { Version = expectedVersion + 1 };
            var written = await connection.ExecuteAsync(transaction, expectedVersion == 0
                ? """
                  INSERT INTO cutover_rollout (id, version, status, step, percent, domain, started_at, step_started_at, paused, note, updated_at)
                  VALUES (1, @version, @status, @step, @percent, @domain, @started, @stepStarted, @paused, @note, @updated)
                  ON CONFLICT (id) DO NOTHING
                  """
                : """
                  UPDATE cutover_rollout SET version = @version, status = @status, step = @step, percent = @percent, domain = @domain,
                      started_at = @started, step_started_at = @stepStarted, paused = @paused, note = @note, updated_at = @updated
                  WHERE id = 1 AND version = @expected
                  """,
                cancellationToken,
                ("version", state.Version), ("expected", expectedVersion), ("status", state.Status.ToName()), ("step", state.Step),
                ("percent", Percent(state.Percent)), ("domain", state.Domain), ("started", state.StartedAt is { } s ? Time(s) : null),
                ("stepStarted", state.StepStartedAt is { } ss ? Time(ss) : null), ("paused", state.Paused), ("note", state.Note),
                ("updated", Time(state.UpdatedAt)));
            if (written != 1)
            {
                return null;
            }

            if (rollback is not null)
            {
                await InsertRollbackAsync(connection, transaction, rollback, cancellationToken);
            }

            return await InsertAuditAsync(connection, transaction, events, cancellationToken);
        }, cancellationToken);

    public async Task<IReadOnlyList<RollbackRecord>> RollbacksAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ListAsync(null, """
            SELECT id, created_at, phase, domain, from_percent, to_percent, reason, rolled_back_by, metrics
            FROM migration_rollbacks ORDER BY id DESC LIMIT @limit
            """, r => new RollbackRecord(
                r.GetInt64(0),
                ReadTime(r, 1),
                r.GetString(2),
                r.GetStringOrNull(3),
                r.GetDecimal(4),
                r.GetDecimal(5),
                r.GetString(6),
                r.GetString(7),
                ReadJson(r, 8)),
            cancellationToken, ("limit", Math.Clamp(limit, 1, 10_000)));
    }

    private Task InsertRollbackAsync(DbConnection connection, DbTransaction transaction, RollbackRecord rollback, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(transaction, """
            INSERT INTO migration_rollbacks (created_at, phase, domain, from_percent, to_percent, reason, rolled_back_by, metrics)
            VALUES (@at, @phase, @domain, @from, @to, @reason, @actor, @metrics)
            """, cancellationToken,
            ("at", Time(rollback.At)), ("phase", rollback.Phase), ("domain", rollback.Domain), ("from", Percent(rollback.FromPercent)),
            ("to", Percent(rollback.ToPercent)), ("reason", rollback.Reason), ("actor", rollback.Actor), ("metrics", Json(rollback.Metrics)));
}
