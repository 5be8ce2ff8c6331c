using System.Data.Common;
using System.Globalization;

namespace Cutover.Store.Sql;

/// <summary>
/// Queued delivery: the inbox, the queue of updates with its leases, the dead letters, deduplication. Times are
/// <see cref="SqlStore.Millis"/> (Unix ms on SQLite), as in the other tables written in bulk and scanned by time.
/// </summary>
internal abstract partial class SqlStore
{
    private const string Pending = "pending";
    private const string InFlight = "inflight";
    private const string Delivered = "delivered";
    private const string Dead = "dead";

    /// <summary>The reason of a dead letter whose body could not be parsed.</summary>
    internal const string UnparseableReason = Core.Delivery.DeadLetterReasons.Unparseable;

    /// <summary>
    /// Due work, oldest first: pending and due, or leased by an owner whose lease ran out. A person's update is taken
    /// only at the head of the person's queue (no earlier update still pending or leased) and while none of the
    /// person's other updates is leased (after a replay of an older dead letter the head may be older than the update
    /// in flight). One statement sees one snapshot, so it takes at most one update per person. <c>{0}</c> is the
    /// provider's row lock (see <see cref="ClaimLockSql"/>); what it returns, and how, is <see cref="ClaimCoreAsync"/>'s.
    /// </summary>
    private const string ClaimSql = """
        UPDATE cutover_deliveries SET state = 'inflight', lease_owner = @owner, lease_until = @until
        WHERE id IN (
            SELECT d.id FROM cutover_deliveries d
            WHERE d.state IN ('pending', 'inflight')
              AND ((d.state = 'pending' AND d.next_attempt_at <= @now) OR (d.state = 'inflight' AND d.lease_until < @now))
              AND (d.person_key IS NULL OR NOT EXISTS (
                  SELECT 1 FROM cutover_deliveries o
                  WHERE o.person_key = d.person_key AND o.state IN ('pending', 'inflight')
                    AND o.id <> d.id AND (o.id < d.id OR o.state = 'inflight')))
            ORDER BY d.id
            LIMIT @limit{0})
        """;

    private const string DeadLetterColumns = """
        d.id, d.inbox_id, d.update_index, d.accepted_at, d.finished_at, d.reason, d.error, d.attempts, d.last_upstream, d.domain, d.route
        """;

    /// <summary>
    /// What a claim adds to lock the rows it takes: nothing on SQLite, whose write transaction holds the file; on
    /// PostgreSQL <c>FOR UPDATE SKIP LOCKED</c>, so concurrent claimers take different rows without waiting.
    /// </summary>
    protected virtual string ClaimLockSql => string.Empty;

    /// <summary>
    /// A condition true when <paramref name="column"/> is one of <paramref name="ids"/>, passed as one parameter named
    /// <paramref name="parameter"/> (SQLite: a JSON array read with json_each; PostgreSQL: a bigint[]).
    /// </summary>
    protected abstract (string Sql, object Value) AmongIds(string column, string parameter, IReadOnlyCollection<long> ids);

    /// <summary>
    /// Runs an acceptance in one transaction that is durable when it commits: SQLite syncs its WAL at this commit
    /// (<c>synchronous = FULL</c> on the connection that makes it); PostgreSQL commits synchronously and makes
    /// acceptances visible in the order their ids were taken, so a claimer never sees a person's later update first.
    /// </summary>
    protected abstract Task<T> InDurableTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken);

    public Task<IReadOnlyList<AcceptResult>> AcceptAsync(IReadOnlyList<InboxWebhook> webhooks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhooks);
        if (webhooks.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<AcceptResult>>([]);
        }

        return InDurableTransactionAsync<IReadOnlyList<AcceptResult>>(async (connection, transaction) =>
        {
            // Each key of the group once, with the time of the webhook that brought it first: the key's own row is the
            // check, so a key accepted before inserts nothing, and the group's later copies are left to the walk below.
            var keys = new List<(string Key, DateTimeOffset At)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var webhook in webhooks)
            {
                foreach (var update in webhook.ParseError is null ? webhook.Updates : [])
                {
                    if (update.DedupKey is { } key && seen.Add(key))
                    {
                        keys.Add((key, webhook.ReceivedAt));
                    }
                }
            }

            IReadOnlySet<string> newKeys = keys.Count == 0 ? new HashSet<string>() : await InsertNewKeysAsync(connection, transaction, keys, cancellationToken);

            // A new key queues its first update in acceptance order; every other update with a key is a duplicate.
            var results = new AcceptResult?[webhooks.Count];
            var stored = new List<AcceptedWebhook>(webhooks.Count);
            var taken = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < webhooks.Count; i++)
            {
                var webhook = webhooks[i];
                if (webhook.ParseError is not null)
                {
                    stored.Add(new AcceptedWebhook(i, webhook, []));
                    continue;
                }

                var fresh = new List<InboxUpdate>(webhook.Updates.Count);
                var duplicates = 0;
                foreach (var update in webhook.Updates)
                {
                    if (update.DedupKey is not { } key || (newKeys.Contains(key) && taken.Add(key)))
                    {
                        fresh.Add(update);
                    }
                    else
                    {
                        duplicates++;
                    }
                }

                if (fresh.Count == 0)
                {
                    results[i] = new AcceptResult(0, 0, duplicates);
                }
                else
                {
                    stored.Add(new AcceptedWebhook(i, webhook, fresh, duplicates));
                }
            }

            long[] inboxIds = stored.Count == 0 ? [] : await InsertAcceptedAsync(connection, transaction, stored, cancellationToken);
            for (var s = 0; s < stored.Count; s++)
            {
                var accepted = stored[s];
                results[accepted.Position] = new AcceptResult(inboxIds[s], accepted.Updates.Count, accepted.Duplicates);
            }

            return results.Select(static r => r!).ToList();
        }, cancellationToken);
    }

    /// <summary>A webhook of a group that is stored: its place in the group, and the updates it queues (none when unparseable).</summary>
    protected sealed record AcceptedWebhook(int Position, InboxWebhook Webhook, IReadOnlyList<InboxUpdate> Updates, int Duplicates = 0);

    /// <summary>Inserts the deduplication keys (distinct) and returns those that were new.</summary>
    protected abstract Task<IReadOnlySet<string>> InsertNewKeysAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<(string Key, DateTimeOffset At)> keys, CancellationToken cancellationToken);

    /// <summary>
    /// Stores each webhook's body and queues its updates (an unparseable one as a dead letter), in the order given, so
    /// that inbox and delivery ids rise in acceptance order; returns the inbox ids in that order.
    /// </summary>
    protected abstract Task<long[]> InsertAcceptedAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<AcceptedWebhook> accepted, CancellationToken cancellationToken);

    public Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(string owner, int limit, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        if (limit <= 0)
        {
            return Task.FromResult<IReadOnlyList<ClaimedDelivery>>([]);
        }

        return ClaimCoreAsync(string.Format(CultureInfo.InvariantCulture, ClaimSql, ClaimLockSql), cancellationToken,
            ("owner", owner), ("until", Millis(now + lease)), ("now", Millis(now)), ("limit", limit));
    }

    /// <summary>
    /// Runs <paramref name="claim"/> (an UPDATE that leases the rows, without RETURNING) and reads what it leased, in id
    /// order. Here in one transaction: the UPDATE returns the ids, then a SELECT joins their webhooks, SQLite allowing no
    /// UPDATE inside a WITH.
    /// </summary>
    protected virtual Task<IReadOnlyList<ClaimedDelivery>> ClaimCoreAsync(string claim, CancellationToken cancellationToken, params (string, object?)[] parameters) =>
        InTransactionAsync<IReadOnlyList<ClaimedDelivery>>(async (connection, transaction) =>
        {
            var ids = await connection.ListAsync(transaction, claim + "\nRETURNING id", static r => r.GetInt64(0), cancellationToken, parameters);
            if (ids.Count == 0)
            {
                return [];
            }

            var (among, value) = AmongIds("d.id", "ids", ids);
            return await connection.ListAsync(transaction, $"""
                SELECT {ClaimedColumns}
                FROM cutover_deliveries d JOIN cutover_inbox i ON i.id = d.inbox_id
                WHERE {among}
                ORDER BY d.id
                """, ReadClaimed, cancellationToken, ("ids", value));
        }, cancellationToken);

    /// <summary>What <see cref="ReadClaimed"/> reads, the delivery as <c>d</c> and its webhook as <c>i</c>.</summary>
    protected const string ClaimedColumns = """
        d.id, d.inbox_id, d.update_index, i.update_count, i.body, i.signature, i.correlation_id, d.accepted_at, d.attempts, d.person_key, d.target
        """;

    protected ClaimedDelivery ReadClaimed(DbDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), r.GetInt32(3), (byte[])r.GetValue(4), r.GetStringOrNull(5), r.GetString(6),
        ReadMillis(r, 7), r.GetInt32(8), r.GetStringOrNull(9), r.GetStringOrNull(10));

    public Task<bool> CompleteAsync(long id, string owner, DeliveryAttempt attempt, CancellationToken cancellationToken) =>
        FinishOneAsync(LeaseOutcome.Completed(id, owner, attempt), cancellationToken);

    public Task<bool> RetryLaterAsync(long id, string owner, DeliveryAttempt attempt, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        FinishOneAsync(LeaseOutcome.RetryLater(id, owner, attempt, nextAttemptAt), cancellationToken);

    public Task<bool> ReleaseAsync(long id, string owner, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        FinishOneAsync(LeaseOutcome.Released(id, owner, nextAttemptAt), cancellationToken);

    public Task<bool> DeadLetterAsync(
        long id, string owner, DeliveryAttempt? attempt, string reason, string? error, string? domain, string? route, CancellationToken cancellationToken) =>
        FinishOneAsync(LeaseOutcome.DeadLettered(id, owner, attempt, reason, error, domain, route), cancellationToken);

    private async Task<bool> FinishOneAsync(LeaseOutcome outcome, CancellationToken cancellationToken) =>
        (await FinishAsync([outcome], cancellationToken))[0];

    public Task<IReadOnlyList<bool>> FinishAsync(IReadOnlyList<LeaseOutcome> outcomes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        return outcomes.Count == 0
            ? Task.FromResult<IReadOnlyList<bool>>([])
            : InLazyTransactionAsync((connection, transaction) => FinishRowsAsync(connection, transaction, outcomes, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// A transaction whose commit need not be durable (see <see cref="FinishAsync"/>): here an ordinary one, SQLite's
    /// writes being at <c>synchronous = NORMAL</c> already.
    /// </summary>
    protected virtual Task<T> InLazyTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        InTransactionAsync(work, cancellationToken);

    /// <summary>
    /// What an outcome changes in its row, one statement for every kind (see <see cref="OutcomeParameters"/>): the row
    /// leaves its lease, a counted attempt is added, and only a dead letter's reason, error, domain and route are
    /// written (after a replay the previous death's stay as they were until the next one).
    /// </summary>
    protected const string FinishSetSql = """
        state = u.state, attempts = d.attempts + u.counted, next_attempt_at = coalesce(u.next, d.next_attempt_at),
        finished_at = coalesce(u.finished, d.finished_at), last_upstream = coalesce(u.upstream, d.last_upstream),
        reason = CASE WHEN u.state = 'dead' THEN u.reason ELSE d.reason END,
        error = CASE WHEN u.state = 'dead' THEN u.error ELSE d.error END,
        domain = CASE WHEN u.state = 'dead' THEN u.domain ELSE d.domain END,
        route = CASE WHEN u.state = 'dead' THEN u.route ELSE d.route END,
        lease_owner = NULL, lease_until = NULL
        """;

    /// <summary>
    /// Applies <paramref name="outcomes"/> in <paramref name="transaction"/> and records their attempts; one result per
    /// outcome. Here row by row with the statements prepared once for the batch (on SQLite a statement is a call into
    /// the library, not a round trip).
    /// </summary>
    protected virtual async Task<IReadOnlyList<bool>> FinishRowsAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<LeaseOutcome> outcomes, CancellationToken cancellationToken)
    {
        await using var update = connection.Command(transaction, $"""
            UPDATE cutover_deliveries AS d SET {FinishSetSql}
            FROM (SELECT @id AS id, @owner AS owner, @state AS state, @counted AS counted, @next AS next, @finished AS finished,
                @upstream AS upstream, @reason AS reason, @error AS error, @domain AS domain, @route AS route) AS u
            WHERE d.id = u.id AND d.state = 'inflight' AND d.lease_owner = u.owner
            """, [.. OutcomeParameterNames.Select(static n => (n, (object?)null))]);
        await using var attempt = connection.Command(transaction, AttemptInsertSql, [.. AttemptParameterNames.Select(static n => (n, (object?)null))]);

        var results = new bool[outcomes.Count];
        for (var i = 0; i < outcomes.Count; i++)
        {
            var values = OutcomeParameters(outcomes[i]);
            for (var p = 0; p < values.Length; p++)
            {
                update.Parameters[OutcomeParameterNames[p]].Value = values[p] ?? DBNull.Value;
            }

            results[i] = await update.ExecuteNonQueryAsync(cancellationToken) == 1;
            if (results[i] && outcomes[i].Attempt is { } made)
            {
                var row = AttemptParameters(outcomes[i].Id, made);
                for (var p = 0; p < row.Length; p++)
                {
                    attempt.Parameters[AttemptParameterNames[p]].Value = row[p] ?? DBNull.Value;
                }

                await attempt.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        return results;
    }

    /// <summary>The names of <see cref="OutcomeParameters"/>' values, in order.</summary>
    protected static readonly string[] OutcomeParameterNames = ["id", "owner", "state", "counted", "next", "finished", "upstream", "reason", "error", "domain", "route"];

    /// <summary>The values <see cref="FinishSetSql"/> reads as <c>u</c> for one outcome (null: keep the column's value, for next, finished and upstream).</summary>
    protected object?[] OutcomeParameters(LeaseOutcome outcome)
    {
        var (state, finished) = outcome.Kind switch
        {
            LeaseOutcomeKind.Completed => (Delivered, true),
            LeaseOutcomeKind.DeadLettered => (Dead, true),
            _ => (Pending, false),
        };
        var at = outcome.Attempt?.At ?? Clock.GetUtcNow();
        return [
            outcome.Id, outcome.Owner, state, outcome.Attempt is null ? 0 : 1, outcome.NextAttemptAt is { } next ? Millis(next) : null,
            finished ? Millis(at) : null, outcome.Attempt?.Upstream, outcome.Reason, outcome.Error, outcome.Domain, outcome.Route,
        ];
    }

    private const string AttemptInsertSql = """
        INSERT INTO cutover_delivery_attempts (delivery_id, number, at, upstream, route, status_code, error, latency_ms)
        VALUES (@id, @number, @at, @upstream, @route, @status, @error, @latency)
        """;

    /// <summary>The names of <see cref="AttemptParameters"/>' values, in order.</summary>
    protected static readonly string[] AttemptParameterNames = ["id", "number", "at", "upstream", "route", "status", "error", "latency"];

    /// <summary>One row of <c>cutover_delivery_attempts</c>.</summary>
    protected object?[] AttemptParameters(long id, DeliveryAttempt attempt) =>
        [id, attempt.Number, Millis(attempt.At), attempt.Upstream, attempt.Route, attempt.StatusCode, attempt.Error, attempt.LatencyMs];

    public async Task<QueueStats> QueueStatsAsync(CancellationToken cancellationToken)
    {
        // One condition per count, each the condition of a partial index, so no count reads the delivered rows it does not count.
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.FirstOrDefaultAsync(null, """
            SELECT (SELECT count(*) FROM cutover_deliveries WHERE state IN ('pending', 'inflight') AND state = 'pending'),
                   (SELECT count(*) FROM cutover_deliveries WHERE state IN ('pending', 'inflight') AND state = 'inflight'),
                   (SELECT count(*) FROM cutover_deliveries WHERE state = 'dead'),
                   (SELECT min(accepted_at) FROM cutover_deliveries WHERE state IN ('pending', 'inflight')),
                   (SELECT count(*) FROM cutover_deliveries WHERE state = 'delivered')
            """, r => new QueueStats(
                r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.IsDBNull(3) ? null : ReadMillis(r, 3), r.GetInt64(4)), cancellationToken))!;
    }

    public async Task<long> CountDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken)
    {
        var filter = DeadLetterFilter(query);
        await using var connection = await OpenAsync(cancellationToken);
        return Convert.ToInt64(
            await connection.ScalarAsync(null, $"SELECT count(*) FROM cutover_deliveries d {filter}", cancellationToken, filter.Parameters()),
            CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken)
    {
        var filter = DeadLetterFilter(query);
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ListAsync(null, $"""
            SELECT {DeadLetterColumns} FROM cutover_deliveries d {filter}
            ORDER BY d.finished_at DESC, d.id DESC LIMIT @limit
            """, ReadDeadLetter, cancellationToken, filter.Parameters(("limit", Math.Clamp(query.Limit, 1, 100_000))));
    }

    /// <summary>The conditions of <paramref name="query"/> on the deliveries as <c>d</c> (its limit aside); the dead-letter index serves them.</summary>
    private SqlFilter DeadLetterFilter(DeadLetterQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new SqlFilter()
            .And("d.state = @dead", "dead", Dead)
            .And("d.finished_at >= @since", "since", query.Since is { } since ? Millis(since) : null)
            .And("d.finished_at <= @until", "until", query.Until is { } until ? Millis(until) : null)
            .And("d.domain = @domain", "domain", query.Domain)
            .And("d.last_upstream = @upstream", "upstream", query.Upstream)
            .And("d.reason = @reason", "reason", query.Reason)
            .And("d.route = @route", "route", query.Route);
    }

    public async Task<DeadLetterDetail?> GetDeadLetterAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.FirstOrDefaultAsync(null, $"""
            SELECT {DeadLetterColumns}, i.body FROM cutover_deliveries d JOIN cutover_inbox i ON i.id = d.inbox_id
            WHERE d.id = @id AND d.state = 'dead'
            """, r => Tuple.Create(ReadDeadLetter(r), (byte[])r.GetValue(11)), cancellationToken, ("id", id));
        if (row is null)
        {
            return null;
        }

        var history = await connection.ListAsync(null, """
            SELECT number, at, upstream, route, status_code, error, latency_ms FROM cutover_delivery_attempts
            WHERE delivery_id = @id ORDER BY id
            """, r => new DeliveryAttempt(r.GetInt32(0), ReadMillis(r, 1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetStringOrNull(5), r.GetDouble(6)),
            cancellationToken, ("id", id));
        return new DeadLetterDetail(row.Item1, row.Item2, history);
    }

    public async Task<IReadOnlyList<long>> ReplayAsync(IReadOnlyList<long> ids, string? target, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return [];
        }

        // The attempts start again from 0 (the retry budget is the replay's own) while their rows stay as history.
        // RETURNING names the rows that were dead, so the caller can say which ids it replayed and which it did not.
        var (among, value) = AmongIds("id", "ids", ids.Distinct().ToList());
        var moved = await InTransactionAsync((connection, transaction) => connection.ListAsync(transaction, $"""
            UPDATE cutover_deliveries SET state = 'pending', attempts = 0, target = @target, next_attempt_at = @now,
                finished_at = NULL, reason = NULL, error = NULL, lease_owner = NULL, lease_until = NULL
            WHERE state = 'dead' AND {among}
            RETURNING id
            """, static r => r.GetInt64(0), cancellationToken, ("target", target), ("now", Millis(now)), ("ids", value)), cancellationToken);
        return [.. moved.Order()];
    }

    public Task<long> PurgeDeadLettersAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        PurgeFinishedAsync(Dead, before, cancellationToken);

    public Task<long> PurgeDeliveredAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        PurgeFinishedAsync(Delivered, before, cancellationToken);

    /// <summary>
    /// Deletes finished rows of one state in slices (their attempts go with them: a cascade on PostgreSQL, a trigger
    /// on SQLite), then the webhooks received before <paramref name="before"/> that no update refers to any more.
    /// </summary>
    private Task<long> PurgeFinishedAsync(string state, DateTimeOffset before, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            var deleted = await connection.DeleteInSlicesAsync($"""
                DELETE FROM cutover_deliveries WHERE id IN (
                    SELECT id FROM cutover_deliveries WHERE state = '{state}' AND finished_at < @before LIMIT 5000)
                """, Millis(before), cancellationToken);
            await connection.DeleteInSlicesAsync("""
                DELETE FROM cutover_inbox WHERE id IN (
                    SELECT i.id FROM cutover_inbox i
                    WHERE i.received_at < @before AND NOT EXISTS (SELECT 1 FROM cutover_deliveries d WHERE d.inbox_id = i.id)
                    LIMIT 5000)
                """, Millis(before), cancellationToken);
            return deleted;
        }, cancellationToken);

    public Task<long> PurgeDedupAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        WriteAsync(connection => connection.DeleteInSlicesAsync("""
            DELETE FROM cutover_dedup WHERE key IN (SELECT key FROM cutover_dedup WHERE accepted_at < @before LIMIT 5000)
            """, Millis(before), cancellationToken), cancellationToken);

    private DeadLetter ReadDeadLetter(DbDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), ReadMillis(r, 3), ReadMillis(r, 4), r.GetString(5), r.GetStringOrNull(6), r.GetInt32(7),
        r.GetStringOrNull(8), r.GetStringOrNull(9), r.GetStringOrNull(10));
}
